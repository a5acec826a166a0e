"""Run in .venv/rasa: several "instances" take tickets on one conversation at the same moment.

    python lock_contention.py <class path> <redis port> <redis password> <rounds>

Each round, 4 threads (each with its own lock store object, i.e. its own Redis
connection, like 4 Rasa instances) issue a ticket for the same new conversation
at once. Prints JSON: the rounds in which two threads got the same ticket
number, and the rounds in which a ticket vanished from the stored lock.
"""

import json
import sys
import threading
import uuid

import rasa.shared.utils.common
from rasa.utils.endpoints import EndpointConfig

class_path, port, password, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
cls = rasa.shared.utils.common.class_from_module_path(class_path)


def make():
    if class_path == "rasa.core.lock_store.RedisLockStore":
        return cls(host="127.0.0.1", port=port, password=password, db=1)
    return cls(endpoint_config=EndpointConfig(url="127.0.0.1", port=port, password=password, db=1))


stores = [make() for _ in range(4)]
duplicates, vanished = 0, 0
for _ in range(rounds):
    conversation = uuid.uuid4().hex
    barrier = threading.Barrier(len(stores))
    tickets = []

    def take(store, conversation, barrier, tickets):
        barrier.wait()
        tickets.append(store.issue_ticket(conversation, 60))

    threads = [threading.Thread(target=take, args=(s, conversation, barrier, tickets)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(set(tickets)) != len(tickets):
        duplicates += 1
    lock = stores[0].get_lock(conversation)
    if lock is None or len(lock.tickets) != len(stores):
        vanished += 1
    stores[0].delete_lock(conversation)
print(json.dumps({"rounds": rounds, "duplicate_tickets": duplicates, "lost_tickets": vanished}))

"""A 1 MB message over socket.io reaches the assistant instead of dropping the socket (issue 19, point 7).

The website chat's channel (addons/socketio_channel.py) runs on Sanic in Rasa's environment,
registered exactly as Rasa registers its input channels; the assistant behind it is a stand-in
that answers every message with its length (the real answer to an oversize message, the
"please summarise" of addons/message_guard.py, is the same over socket.io and REST once the
message arrives: ``test_a_100_kb_message_gets_a_polite_answer`` in tests/live). Before,
python-socketio's 1 MB packet limit and Sanic's 1 MiB websocket frame limit closed the socket
and the customer got nothing.
"""

from __future__ import annotations

import secrets
import subprocess
import time

import pytest
import requests

from tests.socketio_customer import SocketCustomer
from tools import stack

pytestmark = pytest.mark.slow  # imports Rasa's channel code in its own environment (about 5 s)

SERVER = """
import sys
from sanic import Sanic
from rasa.core.channels.channel import register
from addons.socketio_channel import SignedSocketIOInput

app = Sanic("socketio_size_test")
channel = SignedSocketIOInput(user_message_evt="user_uttered", bot_message_evt="bot_uttered",
                              session_persistence=True)

class Assistant:  # stands for rasa.core.agent.Agent, which Rasa's channel handler calls
    async def handle_message(self, message):
        text = f"recibido: {len(message.text)} caracteres"
        await message.output_channel.send_text_message(message.sender_id, text)

app.ctx.agent = Assistant()
register([channel], app, route="/webhooks/")

@app.get("/ready")
async def ready(request):
    from sanic.response import text
    return text("ok")

app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, motd=False, workers=1)
"""


@pytest.fixture(scope="module")
def channel(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("socketio-size")
    script = tmp / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    port = stack.free_port()
    env = {"PYTHONPATH": str(stack.ROOT), "SOCKETIO_SESSION_SECRET": secrets.token_urlsafe(40)}
    service = stack._spawn(f"socketio-{port}", [str(stack.RASA_BIN.parent / "python"), str(script), str(port)],
                           stack.base_env(env), tmp, f"http://127.0.0.1:{port}")
    try:
        stack.wait_until_ready(service, "/ready", timeout=120)
        yield service
    finally:
        service.stop()


@pytest.mark.parametrize("size", [1_000_000, 2 ** 20 + 100])
def test_a_1_mb_message_gets_an_answer_and_the_socket_stays_open(channel, size):
    customer = SocketCustomer(channel.url)
    try:
        customer.send("x" * size)
        assert customer.wait_for("recibido:", timeout=60) == f"recibido: {size} caracteres"
        assert customer.sio.connected
        customer.say("hola")  # the same socket goes on
        assert customer.wait_for("recibido:", timeout=30) == "recibido: 4 caracteres"
    finally:
        customer.sio.disconnect()
    assert "Traceback" not in channel.log()


def test_a_short_message_still_gets_its_answer_in_time(channel):
    customer = SocketCustomer(channel.url)
    try:
        started = time.monotonic()
        customer.send("¿A qué hora abren?")
        assert customer.wait_for("recibido:", timeout=30) == "recibido: 18 caracteres"
        assert time.monotonic() - started < 5
    finally:
        customer.sio.disconnect()
    assert requests.get(channel.url + "/webhooks/socketio/", timeout=10).status_code == 200


@pytest.mark.parametrize("value,message", [
    ("demo-desk-webhook", "SOCKETIO_SESSION_SECRET is a published demo value"),
    ("corto", "SOCKETIO_SESSION_SECRET is too short (5 characters; at least 32)"),
])
def test_a_weak_session_secret_stops_the_channel(tmp_path, value, message):
    check = ("from addons.socketio_channel import SignedSocketIOInput as C\n"
             "C(user_message_evt='user_uttered', bot_message_evt='bot_uttered').blueprint(lambda m: None)\n")
    result = subprocess.run([str(stack.RASA_BIN.parent / "python"), "-c", check], cwd=stack.ROOT,
                            capture_output=True, text=True, timeout=120,
                            env=stack.base_env({"SOCKETIO_SESSION_SECRET": value}))
    assert result.returncode != 0 and message in result.stderr, result.stderr[-1000:]
    assert value not in result.stderr  # the message never repeats the secret

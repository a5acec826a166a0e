"""Parse messages from stdin with the trained model (Rasa env): intent ranking and entities."""
import asyncio
import logging
import os
import sys

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
from rasa.core.agent import load_agent  # noqa: E402
from rasa.utils.log_utils import configure_structlog  # noqa: E402

logging.getLogger().setLevel(logging.WARNING)
configure_structlog(logging.WARNING)


async def main():
    agent = await load_agent(model_path=sys.argv[1] if len(sys.argv)>1 else "models/assistant.tar.gz")
    for line in sys.stdin:
        line=line.strip()
        if not line:
            continue
        p = await agent.parse_message(line)
        r = p["intent_ranking"][:3]
        print(f"{p['intent']['name']:25s} | " + ", ".join(f"{x['name']}={x['confidence']:.2f}" for x in r) + f" | {[ (e['entity'], e['value']) for e in p['entities']]} | {line}")
asyncio.run(main())

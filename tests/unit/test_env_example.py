"""Every environment variable the code reads is documented in .env.example."""

import re

from tests.conftest import ROOT

READS = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
# Set by make or by the tools for their own children, not by whoever deploys.
NOT_SETTINGS = {"MAKELEVEL"}


def test_every_variable_read_in_the_code_is_in_env_example():
    read = set()
    for folder in ("actions", "addons", "desk", "helpdesk", "insights", "tools", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            read |= set(READS.findall(path.read_text(encoding="utf-8")))
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    missing = sorted(read - documented - NOT_SETTINGS)
    assert missing == [], f"read in the code but not in .env.example: {missing}"
    assert {"RASA_AUTH_TOKEN", "SOCKETIO_SESSION_SECRET", "ACTION_SERVER_TOKEN", "DESK_WEBHOOK_SECRET"} <= documented

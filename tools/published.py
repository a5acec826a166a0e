"""The published contact data the tests look for, read from schedule/channels.yml.

schedule/channels.yml is the one source of contact data (copied from the company's
channel page; tests/unit/test_consistency.py checks it against the page). Tests and
tools take the numbers, addresses and extensions from here instead of writing them
again, so a change of the page is one edit of channels.yml.
"""

from __future__ import annotations

import re

from helpdesk.loader import load_schedule

SCHEDULE = load_schedule()


def _contact(owner, kind: str):
    return next(c for c in owner.contacts if c.kind == kind)


def _channel(channel_id: str):
    return SCHEDULE.channel(channel_id)


def _level(level_id: str):
    return SCHEDULE.escalation_levels[level_id]


MAIN_LINE = _contact(_channel("support_line"), "phone").value              # "(601) 7442727"
MAIN_LINE_OPTIONS = _contact(_channel("support_line"), "phone").instructions
MAIN_TEL = _contact(_channel("support_line"), "phone").href                # "tel:+576017442727"
PRIORITY_LINE = _contact(_channel("priority_line"), "phone").value         # "(57) 318 717 49 37"
# The 24/7 number without its country prefix: matches however an answer writes the prefix.
PRIORITY_NUMBER = re.sub(r"^\(\d+\)\s*", "", PRIORITY_LINE)                # "318 717 49 37"
SUPPORT_EMAIL = _contact(_channel("email"), "email").value
CHAT_URL = _contact(_channel("chat"), "url").value
PQRSA_EMAIL = _contact(_channel("pqrsa"), "email").value
PQRSA_PHONE = _contact(_channel("pqrsa"), "phone")                         # value + instructions (opción 3)
SUPERVISOR_EMAIL = _contact(_level("supervisor"), "email").value
SUPERVISOR_PHONE = _contact(_level("supervisor"), "phone")                 # value + extensions
COORDINATOR_EMAIL = _contact(_level("coordinator"), "email").value
COORDINATOR_PHONE = _contact(_level("coordinator"), "phone")

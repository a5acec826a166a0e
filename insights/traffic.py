"""Test traffic: conversations the project's own tests, benchmarks and probes hold with the assistant.

They are marked by their conversation id (Rasa's ``sender_id``): every tool of this project
names its customers with a prefix (``test-`` in the live tests, ``bench-`` in the load
benchmark, ``insights-`` in the report's recorded plan, ``corpus-``, ``table-``, ``it-``,
``fresh-``, ``retention-``). ``REPORT_TEST_SENDERS`` lists the prefixes (separated by commas
or spaces) when a deployment uses others (an uptime probe's own id…); empty marks nothing.
The value is validated where the report starts (``python -m insights`` exits 2, the desk
refuses to start) so a mistyped list never silently hides real customers.

The report leaves test traffic out by default, says how many conversations it left out, and
takes it in on request (``--include-test-traffic``; the desk's "incluir tráfico de prueba").
No channel of this project flags test traffic itself (the REST and socket.io channels carry
no such field), so the prefixes are the only mark. A client of the public REST channel chooses
its own conversation id and could take a test prefix; the count left out is always shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

ENV = "REPORT_TEST_SENDERS"
DEFAULT_PREFIXES = ("test-", "bench-", "insights-", "corpus-", "table-", "it-", "fresh-", "retention-")
_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{1,63}")


class TrafficError(ValueError):
    """REPORT_TEST_SENDERS does not describe a list of prefixes; the message says why."""


def parse_prefixes(value: str) -> tuple[str, ...]:
    """``"test-, probe-"`` -> ("test-", "probe-"); a TrafficError names any item that is not a prefix.

    A prefix is 2 to 64 letters, digits, ``.``, ``_``, ``:`` or ``-``, starting with a letter or
    a digit: nothing that would mark every conversation ("", "-", "*") or only look like a list.
    """
    prefixes = []
    for item in value.replace(",", " ").split():
        if not _PREFIX.fullmatch(item):
            shown = item if len(item) <= 40 else item[:40] + "…"
            raise TrafficError(
                f"{ENV}: {shown!r} is not a conversation-id prefix (2 to 64 letters, digits, '.', '_', ':' or '-', "
                f"starting with a letter or a digit), e.g. {ENV}=test-,bench-,probe-")
        prefixes.append(item)
    return tuple(dict.fromkeys(prefixes))


def prefixes_from_env(environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """The prefixes of ``REPORT_TEST_SENDERS``; the project's own (DEFAULT_PREFIXES) when it is unset."""
    value = environ.get("REPORT_TEST_SENDERS")
    return DEFAULT_PREFIXES if value is None else parse_prefixes(value)


@dataclass(frozen=True)
class TestTraffic:
    """Which conversations are test traffic, and whether the report takes them in."""

    __test__ = False  # not a pytest class

    prefixes: tuple[str, ...] = DEFAULT_PREFIXES
    include: bool = False

    @classmethod
    def from_env(cls, include: bool = False, environ: Mapping[str, str] = os.environ) -> TestTraffic:
        return cls(prefixes_from_env(environ), include)

    def is_test(self, conversation_id: str) -> bool:
        return bool(self.prefixes) and conversation_id.startswith(self.prefixes)

    def excluded(self, conversation_id: str) -> bool:
        """Left out of the report's figures."""
        return not self.include and self.is_test(conversation_id)

    def describe(self) -> str:
        """The prefixes as the page shows them."""
        return ", ".join(f"«{p}»" for p in self.prefixes) or "ninguno"

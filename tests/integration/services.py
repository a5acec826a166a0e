"""Socket helpers of the integration tests (what listens where, what connects).

The throw-away PostgreSQL and Redis servers the tests use are in tools/services.py,
shared with the load benchmark (tools/bench/).
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

# -- sockets ---------------------------------------------------------------

def _hex_to_address(hex_address: str) -> str:
    """/proc/net/tcp{,6} address ('0100007F') to text ('127.0.0.1')."""
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    # IPv6 is stored as four little-endian 32-bit words.
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket in LISTEN state on ``port`` (from /proc/net)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, _, port_hex = local.partition(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(_hex_to_address(address))
    return found


def non_loopback_addresses() -> list[str]:
    """IPv4 addresses of this machine other than 127.0.0.0/8 (may be empty)."""
    addresses: list[str] = []
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
        addresses += [a for a in out.split() if ":" not in a]
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent for UDP connect
            addresses.append(s.getsockname()[0])
    except OSError:
        pass
    return sorted({a for a in addresses if not a.startswith("127.") and a != "0.0.0.0"})


def can_connect(host: str, port: int) -> tuple[bool, str]:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True, "connected"
    except OSError as error:
        return False, str(error)

"""Passwords, session ids and CSRF tokens of the agent desk (standard library only).

Passwords are hashed with scrypt and a random per-user salt; the stored form
names its parameters so they can be raised later without breaking old hashes:

    scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>

Comparisons of secrets (hashes, CSRF tokens) are constant-time.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

SCRYPT_N = 2 ** 14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

# Hash checked when the user does not exist, so that an unknown user name takes as
# long to refuse as a wrong password (no user enumeration by timing).
_DUMMY_HASH: str | None = None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=256 * 1024 * 1024)


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` in the stored form."""
    if not isinstance(password, str) or not password:
        raise ValueError("the password is empty")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"the password is longer than {MAX_PASSWORD_LENGTH} characters")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; False for a malformed or missing hash."""
    global _DUMMY_HASH
    if stored is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
        verify_password(password or "x", _DUMMY_HASH)
        return False
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _scrypt(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def check_new_password(password: str) -> str | None:
    """Why ``password`` is not acceptable for a new account (Spanish), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"La contraseña no puede tener más de {MAX_PASSWORD_LENGTH} caracteres."
    if password.strip() != password:
        return "La contraseña no puede empezar ni terminar con espacios."
    return None


def new_token() -> str:
    """A random token for a session id or a CSRF token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a session id: a leaked database holds no usable cookie."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time equality of two tokens; False when either is missing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


class LoginThrottle:
    """Slows password guessing without ever locking an agent out.

    Every sign-in attempt is *held* before its password is checked, for the longer of
    two delays, each capped at ``max_delay`` (4 s), counted from the latest failure:

    - per user name, from any address: after ``user_free`` failures within ``window``,
      1 s, 2 s, 4 s … (a guesser of ana's password from many addresses is slowed);
    - per client address (the real one, ``client_address``), for any user names: after
      ``address_free`` failures, 1 s, 2 s, 4 s … (spraying made-up names is slowed; a few
      agents mistyping behind one office address never reach it).

    A held attempt is then checked like any other and the right password gets in: an
    agent waits at most ``max_delay`` plus one hash, whatever anybody else did. Nothing
    is refused here; ``AttemptSlots`` limits how many attempts one address runs at once,
    so holding cannot be bypassed by sending many in parallel. A success clears the
    user name's failures. Memory is bounded: at most ``max_keys`` names and addresses.
    """

    def __init__(self, user_free: int = 3, address_free: int = 10, max_delay: float = 4.0,
                 window: float = 600.0, max_keys: int = 10_000):
        self.user_free = user_free
        self.address_free = address_free
        self.max_delay = max_delay
        self.window = window
        self.max_keys = max_keys
        self._users: OrderedDict[str, list[float]] = OrderedDict()
        self._addresses: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, table: OrderedDict[str, list[float]], key: str, now: float) -> list[float]:
        times = [t for t in table.get(key, ()) if now - t <= self.window]
        if times:
            table[key] = times
        else:
            table.pop(key, None)
        return times

    def _delay(self, times: list[float], free: int, now: float) -> float:
        if len(times) < free:
            return 0.0
        delay = min(self.max_delay, 2.0 ** (len(times) - free))
        return max(0.0, delay - (now - times[-1]))

    def delay(self, user: str, address: str, now: float | None = None) -> float:
        """Seconds to hold this attempt before its password is checked (0: check it now)."""
        now = time.time() if now is None else now
        with self._lock:
            by_user = self._delay(self._recent(self._users, user, now), self.user_free, now)
            by_address = self._delay(self._recent(self._addresses, address, now), self.address_free, now)
        return max(by_user, by_address)

    def _record(self, table: OrderedDict[str, list[float]], key: str, now: float) -> None:
        times = table.pop(key, [])
        times.append(now)
        table[key] = times[-64:]  # enough to reach max_delay; the newest last
        while len(table) > self.max_keys:
            table.popitem(last=False)

    def failed(self, user: str, address: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self._record(self._users, user, now)
            self._record(self._addresses, address, now)

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._users.pop(user, None)


class AttemptsBusy(Exception):
    """This address already has as many sign-in attempts running as it may have."""


class AttemptSlots:
    """At most ``per_address`` sign-in attempts of one address are held or checked at once.

    Further attempts wait for a free slot, up to ``max_wait`` seconds; then ``AttemptsBusy``
    (the page answers 429 and nothing is checked). With the hold of ``LoginThrottle`` this
    caps how fast one address can guess; other addresses are never affected.
    """

    def __init__(self, per_address: int = 4, max_wait: float = 15.0):
        self.per_address = per_address
        self.max_wait = max_wait
        self._slots: dict[str, list] = {}  # address -> [semaphore, users]

    @contextlib.asynccontextmanager
    async def slot(self, address: str):
        entry = self._slots.setdefault(address, [asyncio.Semaphore(self.per_address), 0])
        entry[1] += 1
        try:
            try:
                await asyncio.wait_for(entry[0].acquire(), self.max_wait)
            except asyncio.TimeoutError:
                raise AttemptsBusy(address) from None
            try:
                yield
            finally:
                entry[0].release()
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._slots.pop(address, None)


# ------------------------------------------------------------- the client's address

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a socket or a forwarded header ("1.2.3.4", "1.2.3.4:567", "[::1]:443")."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(peer: str, forwarded_for: Iterable[str], trusted: Iterable[Network]) -> str:
    """The address a sign-in comes from, for the login throttle.

    ``peer`` is the socket's address. Only when it is one of the ``trusted`` reverse proxies
    (DESK_TRUSTED_PROXIES) is X-Forwarded-For read: from the right, the first address that
    is not a trusted proxy is the client (what a client writes further left is its own
    claim and is skipped). Otherwise the socket's address: a client cannot choose the
    address it is throttled by.
    """
    networks = tuple(trusted)
    current = _ip(peer or "")
    if current is None:
        return (peer or "unknown")[:64]

    def is_trusted(address) -> bool:
        return any(address.version == n.version and address in n for n in networks)

    if not is_trusted(current):
        return str(current)
    hops = [hop for header in forwarded_for for hop in str(header).split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:  # a malformed entry: what lies beyond it is unknown
            break
        current = address
        if not is_trusted(address):
            break
    return str(current)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def conversation_ref(conversation_id: str) -> str:
    """A short, stable reference to a conversation for INFO logs (not the id, which opens nothing
    by itself any more but is still the customer's conversation): "conv#3fa9c2d1"."""
    return "conv#" + hashlib.sha256(conversation_id.encode("utf-8", "replace")).hexdigest()[:8]


class SafeLogFilter(logging.Filter):
    """Formats each record once and strips control characters from the result.

    A user name, a packet's reason or a description could carry "\\n" or ANSI escapes
    to forge log lines; whatever is logged reaches the handler as one clean line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = _CONTROL.sub("?", message)
        record.args = ()
        return True

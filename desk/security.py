"""Passwords, session ids and CSRF tokens of the agent desk (standard library only).

Passwords are hashed with scrypt and a random per-user salt; the stored form
names its parameters so they can be raised later without breaking old hashes:

    scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>

Comparisons of secrets (hashes, CSRF tokens) are constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time

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
    """Slows password guessing without letting anyone lock an agent out.

    - Per (user name, address) pair, after ``free_failures`` failures each further
      attempt must wait a delay that doubles (2 s, 4 s, 8 s … up to ``max_delay``).
      An attacker guessing ana's password from one address is slowed; ana signing in
      from her own address is not touched, and from the same address (an office
      behind one NAT) she waits at most ``max_delay`` once.
    - An address is locked for ``window`` only when it fails for ``spray_users``
      different user names (password spraying). A handful of agents mistyping
      behind one NAT never reaches it.
    - A success clears the pair's failures.
    """

    def __init__(self, free_failures: int = 3, max_delay: float = 60.0, spray_users: int = 10,
                 window: float = 600.0):
        self.free_failures = free_failures
        self.max_delay = max_delay
        self.spray_users = spray_users
        self.window = window
        self._pairs: dict[tuple[str, str], list[float]] = {}
        self._users_by_address: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    def _prune(self, now: float) -> None:
        for key in [k for k, times in self._pairs.items() if now - times[-1] > self.window]:
            del self._pairs[key]
        for address, users in list(self._users_by_address.items()):
            for user in [u for u, t in users.items() if now - t > self.window]:
                del users[user]
            if not users:
                del self._users_by_address[address]

    def wait(self, user: str, address: str, now: float | None = None) -> float:
        """Seconds to wait before this pair may try again (0: it may try now)."""
        now = time.time() if now is None else now
        with self._lock:
            self._prune(now)
            if len(self._users_by_address.get(address, {})) >= self.spray_users:
                last = max(self._users_by_address[address].values())
                return max(0.0, self.window - (now - last))
            failures = self._pairs.get((user, address), [])
            if len(failures) < self.free_failures:
                return 0.0
            delay = min(self.max_delay, 2.0 ** (len(failures) - self.free_failures + 1))
            return max(0.0, delay - (now - failures[-1]))

    def failed(self, user: str, address: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self._pairs.setdefault((user, address), []).append(now)
            self._users_by_address.setdefault(address, {})[user] = now

    def succeeded(self, user: str, address: str) -> None:
        with self._lock:
            self._pairs.pop((user, address), None)


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

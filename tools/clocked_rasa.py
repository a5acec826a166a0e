"""The Rasa server with its wall clock moved by a file — for tests and recordings only.

    python -m tools.clocked_rasa --clock-file PATH run --model … (the arguments of addons.rasa_run)

Rasa stamps every stored event with ``time.time()``. The support report reads those
stamps, so the tests that play conversations "on Saturday at 20:00" need the Rasa
server to believe it is then, as the action server does through ASSISTANT_NOW_FILE.
This launcher replaces ``time.time`` / ``time.time_ns`` before Rasa is imported: they
return the real time plus the offset written in the clock file (``<target epoch>
<real epoch when written>``, see :func:`write_clock`), re-read whenever the file
changes; then it runs ``addons.rasa_run`` as ``python -m`` would.

Only Python's wall clock moves. The monotonic clock (Sanic's and asyncio's timeouts)
and the C libraries' clocks stay real: libfaketime, which moves the process's whole
clock, deadlocked TensorFlow's model load here (tf.data threads waiting for a deadline
days ahead in real time).
"""

from __future__ import annotations

import os
import runpy
import sys
import time

_real_time = time.time


def write_clock(path: str | os.PathLike, target: float) -> None:
    """Make the clock read ``target`` (epoch seconds) now, and run on from there."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(f"{target!r} {_real_time()!r}\n")
    os.replace(tmp, path)


class _Clock:
    def __init__(self, path: str):
        self.path = path
        self.stamp: tuple[int, int] | None = None
        self.offset = 0.0

    def time(self) -> float:
        try:
            info = os.stat(self.path)
            stamp = (info.st_mtime_ns, info.st_ino)
        except OSError:
            return _real_time() + self.offset
        if stamp != self.stamp:
            try:
                with open(self.path, encoding="utf-8") as handle:
                    target, written = (float(x) for x in handle.read().split()[:2])
                self.offset = target - written
                self.stamp = stamp
            except (OSError, ValueError):
                pass
        return _real_time() + self.offset

    def time_ns(self) -> int:
        return int(self.time() * 1e9)


def main() -> None:
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--clock-file":
        raise SystemExit("usage: python -m tools.clocked_rasa --clock-file PATH <addons.rasa_run arguments>")
    clock = _Clock(args[1])
    time.time = clock.time
    time.time_ns = clock.time_ns
    sys.argv = ["addons.rasa_run", *args[2:]]
    runpy.run_module("addons.rasa_run", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

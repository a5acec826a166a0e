"""Start and stop the assistant's processes: action server, Rasa server, web page.

Used by `make run` / `make serve`, the tests and the benchmark, so all of them
start the system the same way. Standard library only (and helpdesk.privacy).

Every process starts with umask 077 and var/ is 0700: what the servers write there
(var/tracker.db, var/desk.db, their -wal/-shm files, the logs) is 0600, readable by the
user who runs the product only; files left 0644 by an older run are made 0600 at start
(tests/unit/test_file_modes.py).

    python -m tools.stack run      # start everything and chat in the terminal
    python -m tools.stack serve    # start everything and wait (Ctrl-C stops)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from helpdesk.privacy import PRIVATE_FILE, PRIVATE_UMASK, open_private, private_dir

ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = ROOT / ".venv" / "rasa" / "bin" / "rasa"
ACTIONS_PYTHON = ROOT / ".venv" / "actions" / "bin" / "python"
MODEL = ROOT / "models" / "assistant.tar.gz"
VAR = ROOT / "var"
# The product's data in var/: made 0600 at start if an older run left them readable by others.
PRIVATE_FILES = ("tracker.db", "tracker.db-wal", "tracker.db-shm", "tracker.db-journal",
                 "desk.db", "desk.db-wal", "desk.db-shm", "desk.db-journal", "endpoints.run.yml")
WEB_SERVER = ROOT / "web" / "server.py"
DEFAULT_WEB_PORT = 8080
# `make run` keeps the key that signs the website chat's sessions here (0600 in a 0700 folder).
SOCKETIO_SECRET_FILE = VAR / "secrets" / "socketio_session_secret"


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore::DeprecationWarning",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


@dataclass
class Service:
    """A started process with its log file."""

    name: str
    process: subprocess.Popen
    log_path: Path
    url: str

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        self.stop(signal.SIGKILL)


def _spawn(name: str, cmd: list[str], env: dict[str, str], log_dir: Path, url: str) -> Service:
    private_dir(log_dir, tighten=True)
    log_path = log_dir / f"{name}.log"
    log = open_private(log_path, "ab")
    process = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, umask=PRIVATE_UMASK
    )
    log.close()
    return Service(name, process, log_path, url)


def wait_until_ready(service: Service, path: str, timeout: float = 240) -> None:
    """Poll ``service.url + path`` until it answers 200, or fail with the log tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.alive():
            raise RuntimeError(f"{service.name} exited with {service.process.returncode}:\n{service.log()[-3000:]}")
        try:
            with urllib.request.urlopen(service.url + path, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{service.name} not ready after {timeout} s:\n{service.log()[-3000:]}")


def start_actions(port: int, log_dir: Path, env: dict[str, str] | None = None, wait: bool = True) -> Service:
    """The action server, exactly as the acceptance contract starts it."""
    cmd = [str(ACTIONS_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    service = _spawn(f"actions-{port}", cmd, base_env(env), log_dir, f"http://127.0.0.1:{port}")
    if wait:
        wait_until_ready(service, "/health", timeout=60)
    return service


def write_endpoints(path: Path, action_port: int, tracker_store: dict | None = None,
                    lock_store: dict | None = None, action_token: str | None = None) -> Path:
    """An endpoints file for one test or run (JSON is valid YAML). With ``action_token``
    Rasa sends it to the action server as ``?token=`` (ACTION_SERVER_TOKEN there)."""
    config: dict = {"action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook"}}
    if action_token:
        config["action_endpoint"]["token"] = action_token
    if tracker_store:
        config["tracker_store"] = tracker_store
    if lock_store:
        config["lock_store"] = lock_store
    private_dir(path.parent)
    with open_private(path, "w", encoding="utf-8") as handle:  # it may carry the action server's token
        handle.write(json.dumps(config, indent=2))
    return path


def start_rasa(port: int, endpoints: Path, log_dir: Path, env: dict[str, str] | None = None,
               credentials: Path = ROOT / "credentials.yml", model: Path = MODEL,
               auth_token: str | None = None, extra_args: list[str] | None = None,
               wait: bool = True, timeout: float = 900) -> Service:
    """A Rasa server on loopback with the HTTP API enabled behind a token.

    The token goes through the environment to ``addons.rasa_run``, never on the
    command line (where any local user would read it in the process list).
    """
    cmd = [
        str(RASA_BIN.parent / "python"), "-m", "addons.rasa_run", "run", "--model", str(model), "--port", str(port),
        "--interface", "127.0.0.1", "--endpoints", str(endpoints), "--credentials", str(credentials), "--enable-api",
    ]
    cmd += extra_args or []
    environment = base_env(env)
    environment.pop("RASA_AUTH_TOKEN", None)
    if auth_token:
        environment["RASA_AUTH_TOKEN"] = auth_token
    service = _spawn(f"rasa-{port}", cmd, environment, log_dir, f"http://127.0.0.1:{port}")
    if wait:
        wait_until_ready(service, "/status" + (f"?token={auth_token}" if auth_token else ""), timeout=timeout)
    return service


def start_web(port: int, rasa_url: str, log_dir: Path, env: dict[str, str] | None = None,
              wait: bool = True) -> Service:
    """The demo page with the chat widget (web/server.py), telling the page where Rasa is."""
    web_env = {"WEB_PORT": str(port), "WEB_HOST": "127.0.0.1", "RASA_PUBLIC_URL": rasa_url, **(env or {})}
    cmd = [str(ACTIONS_PYTHON), str(WEB_SERVER)]
    service = _spawn(f"web-{port}", cmd, base_env(web_env), log_dir, f"http://127.0.0.1:{port}")
    if wait:
        wait_until_ready(service, "/health", timeout=30)
    return service


def start_desk(port: int, rasa_url: str, rasa_token: str, log_dir: Path, env: dict[str, str] | None = None,
               wait: bool = True) -> Service:
    """The built-in agent desk (python -m desk) talking to this Rasa server. ``env`` sets
    DESK_DB, DESK_WEBHOOK_SECRET, DESK_QUEUE_TIMEOUT, DESK_DEMO… (desk/config.py)."""
    desk_env = {"DESK_PORT": str(port), "DESK_HOST": "127.0.0.1", "RASA_URL": rasa_url,
                "RASA_AUTH_TOKEN": rasa_token, **(env or {})}
    cmd = [str(ACTIONS_PYTHON), "-m", "desk"]
    service = _spawn(f"desk-{port}", cmd, base_env(desk_env), log_dir, f"http://127.0.0.1:{port}")
    if wait:
        wait_until_ready(service, "/login", timeout=30)
    return service


def add_desk_agent(db: Path, username: str, name: str, role: str, password: str, supervisor: bool = False) -> None:
    """Create an agent account (``supervisor``: with the supervisors' pages) with the desk's own
    command (the password through DESK_NEW_PASSWORD)."""
    subprocess.run(
        [str(ACTIONS_PYTHON), "-m", "desk", "add-agent", username, "--name", name, "--role", role,
         *(["--supervisor"] if supervisor else [])],
        cwd=ROOT, env=base_env({"DESK_DB": str(db), "DESK_NEW_PASSWORD": password}), check=True,
        capture_output=True, timeout=60, umask=PRIVATE_UMASK,  # a new desk.db is 0600
    )


@dataclass
class Stack:
    """The running assistant: action server, Rasa server and (usually) the web page."""

    actions: Service
    rasa: Service
    token: str
    extra: list[Service] = field(default_factory=list)
    web: Service | None = None
    desk: Service | None = None

    def stop(self) -> None:
        for service in [*self.extra, *([self.desk] if self.desk else []), *([self.web] if self.web else []),
                        self.rasa, self.actions]:
            service.stop()


def web_port_from_env() -> int:
    return int(os.environ.get("WEB_PORT", DEFAULT_WEB_PORT))


def cors_origins(web_port: int | None = None) -> list[str]:
    """Origins allowed to call Rasa from a browser: $RASA_CORS_ORIGINS (space-separated),
    by default the web page's own origins."""
    port = web_port or web_port_from_env()
    value = os.environ.get("RASA_CORS_ORIGINS", f"http://127.0.0.1:{port} http://localhost:{port}")
    return [origin for origin in value.split() if origin]


def desk_settings(desk_port: int) -> dict[str, str]:
    """How the action server and the desk find each other.

    With DESK_WEBHOOK_SECRET set, the desk runs for real (agents created with
    `python -m desk add-agent`); without it, in the desk's clearly marked demo
    mode (agent "ana", fixed demo password and secret, loopback only).
    """
    secret = os.environ.get("DESK_WEBHOOK_SECRET", "")
    settings = {"DESK_URL": f"http://127.0.0.1:{desk_port}", "DESK_WEBHOOK_SECRET": secret}
    if not secret:
        from desk.config import DEMO_WEBHOOK_SECRET

        settings.update(DESK_WEBHOOK_SECRET=DEMO_WEBHOOK_SECRET, DESK_DEMO="1")
    return settings


def private_var() -> Path:
    """var/ as 0700 (created so if missing), and the product's data files in it 0600."""
    private_dir(VAR, tighten=True)
    for name in PRIVATE_FILES:
        path = VAR / name
        if path.is_file() and not path.is_symlink():
            path.chmod(PRIVATE_FILE)
    return VAR


def start_stack(rasa_port: int = 5005, action_port: int = 5055, log_dir: Path = VAR / "logs",
                env: dict[str, str] | None = None, endpoints: Path | None = None,
                web_port: int | None = None, web: bool = True, desk: bool = True,
                desk_port: int | None = None) -> Stack:
    """Action server, Rasa server and, unless turned off, the web page on ``web_port``
    ($WEB_PORT, default 8080) pointing at this Rasa server ($RASA_PUBLIC_URL overrides)
    and the agent desk on ``desk_port`` ($DESK_PORT, default 5070)."""
    private_var()
    token = os.environ.get("RASA_AUTH_TOKEN") or secrets.token_urlsafe(32)
    web_port = web_port or web_port_from_env()
    desk_port = desk_port or int(os.environ.get("DESK_PORT", 5070))
    desk_env = desk_settings(desk_port) if desk else {"DESK_URL": "off"}
    # Secrets of this run, unless the environment sets them: the token Rasa sends to the
    # action server, and the key that signs the website chat's session ids.
    # With the caller's own endpoints file, the action server checks a token only if the
    # caller sets one (that file must then carry it).
    action_token = os.environ.get("ACTION_SERVER_TOKEN") or (secrets.token_urlsafe(32) if endpoints is None else "")
    socket_secret = os.environ.get("SOCKETIO_SESSION_SECRET") or secrets.token_hex(32)
    env = {**desk_env, "SOCKETIO_SESSION_SECRET": socket_secret, **(env or {})}
    if action_token and "ACTION_SERVER_TOKEN" not in env:
        env["ACTION_SERVER_TOKEN"] = action_token
    started: list[Service] = []
    try:
        # Each service is recorded before waiting for it, so an interrupt or a
        # failure while one loads stops it too.
        actions = start_actions(action_port, log_dir, env, wait=False)
        started.append(actions)
        wait_until_ready(actions, "/health", timeout=60)
        if endpoints is None:
            # endpoints.yml with this run's action port and token (the token is never in endpoints.yml).
            endpoints = write_endpoints(
                VAR / "endpoints.run.yml", action_port,
                tracker_store={"type": "addons.tracker_store.ReportingSQLTrackerStore", "dialect": "sqlite",
                               "db": str(VAR / "tracker.db")},
                action_token=env.get("ACTION_SERVER_TOKEN"),
            )
        rasa = start_rasa(rasa_port, endpoints, log_dir, env, auth_token=token,
                          extra_args=["--cors", *cors_origins(web_port)], wait=False)
        started.append(rasa)
        wait_until_ready(rasa, f"/status?token={token}", timeout=900)
        page = None
        if web:
            rasa_url = os.environ.get("RASA_PUBLIC_URL") or f"http://127.0.0.1:{rasa_port}"
            page = start_web(web_port, rasa_url, log_dir, env, wait=False)
            started.append(page)
            wait_until_ready(page, "/health", timeout=30)
        desk_service = None
        if desk:
            desk_service = start_desk(desk_port, f"http://127.0.0.1:{rasa_port}", token, log_dir,
                                      {**env, "DESK_DB": os.environ.get("DESK_DB", str(VAR / "desk.db"))},
                                      wait=False)
            started.append(desk_service)
            wait_until_ready(desk_service, "/login", timeout=30)
    except BaseException:
        # Do not leave half a stack running (e.g. the action server when Rasa fails).
        for service in reversed(started):
            service.stop()
        raise
    return Stack(actions, rasa, token, web=page, desk=desk_service)


def keep_session_secret(path: Path = SOCKETIO_SECRET_FILE) -> str:
    """`make run` / `make serve`: SOCKETIO_SESSION_SECRET from the environment, else the key kept
    in ``path`` (made on the first run), so that a restart keeps the website chat's conversations
    (a customer waiting for an agent keeps the hand-off). Put in the environment of this process."""
    from helpdesk.secret_policy import stored_secret

    value = os.environ.get("SOCKETIO_SESSION_SECRET") or stored_secret(path)
    os.environ["SOCKETIO_SESSION_SECRET"] = value
    return value


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description="Start the assistant on loopback.")
    parser.add_argument("command", choices=["run", "serve"])
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", 5055)))
    parser.add_argument("--web-port", type=int, default=web_port_from_env())
    args = parser.parse_args()
    print(f"[run] starting the action server (:{args.action_port}), Rasa (:{args.rasa_port}) and the web page "
          f"(:{args.web_port}); loading the model takes about 20 seconds…", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the servers too, as Ctrl-C does
    if not os.environ.get("SOCKETIO_SESSION_SECRET"):
        keep_session_secret()
        print(f"[run] website chat sessions signed with the key kept in {SOCKETIO_SECRET_FILE.relative_to(ROOT)} "
              "(restarts keep the conversations)", flush=True)
    try:
        stack = start_stack(args.rasa_port, args.action_port, web_port=args.web_port)
    except KeyboardInterrupt:
        print("[run] interrupted while starting; stopped.", flush=True)
        return 130
    print(f"[run] ready. REST channel: http://127.0.0.1:{args.rasa_port}/webhooks/rest/webhook", flush=True)
    print(f"[run] web chat: open {stack.web.url}/ in a browser", flush=True)
    if stack.desk:
        from desk.config import DEMO_AGENT, DEMO_PASSWORD

        demo = "" if os.environ.get("DESK_WEBHOOK_SECRET") else (
            f" (MODO DEMOSTRACIÓN: agente {DEMO_AGENT['username']}, contraseña {DEMO_PASSWORD})")
        print(f"[run] agent desk: {stack.desk.url}/{demo}", flush=True)
    print(f"[run] logs in {VAR / 'logs'}", flush=True)
    if os.environ.get("ASSISTANT_NOW"):
        print(f"[run] clock fixed: ASSISTANT_NOW={os.environ['ASSISTANT_NOW']} (a naive value is Bogotá time)", flush=True)
    chat = args.command == "run" and sys.stdin.isatty()
    if args.command == "run" and not chat:
        # `nohup make run &`, a script, CI: no terminal to chat in, so it serves as `make serve` does
        print("[run] no terminal to chat in (stdin is not a terminal): serving until stopped (Ctrl-C or kill)",
              flush=True)
    try:
        if chat:
            subprocess.call([sys.executable, str(ROOT / "scripts" / "chat.py"), "--url", stack.rasa.url])
        else:
            while all(s.alive() for s in (stack.rasa, stack.actions, stack.web, stack.desk) if s):
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("[run] stopping…", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

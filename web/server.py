"""Serve the demo support page with the chat widget (standard library, and helpdesk for the hours).

    .venv/actions/bin/python web/server.py

Environment:
    WEB_HOST         where to listen (default 127.0.0.1)
    WEB_PORT         port (default 8080)
    RASA_PUBLIC_URL  the Rasa server as the browser reaches it (default http://127.0.0.1:5005)
    ASSISTANT_SCHEDULE_FILE  the schedule (default schedule/channels.yml), for the agents' hours

Routes: web/public/* as static files, /vendor/socket.io.min.js from
web/node_modules/socket.io-client/dist/ (installed by `npm ci`, never
committed), /config.js with the Rasa URL and the agents' hours the widget's
header shows ("lun–vie 7–19, sáb 8–13", from the schedule file read at start-up),
/health for start-up checks.
"""

from __future__ import annotations

import json
import os
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PUBLIC = HERE / "public"
VENDOR = HERE / "node_modules" / "socket.io-client" / "dist"
# Only these vendor files are exposed: node_modules holds much more than the page needs.
VENDOR_FILES = {"socket.io.min.js", "socket.io.min.js.map"}

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def rasa_public_url() -> str:
    url = os.environ.get("RASA_PUBLIC_URL", "http://127.0.0.1:5005").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SystemExit(f"RASA_PUBLIC_URL must be an http(s) URL, got {url!r}")
    return url


def content_security_policy(rasa_url: str) -> str:
    """No inline script or style; the page may only talk to itself and to Rasa."""
    parts = urlsplit(rasa_url)
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    connect = f"'self' {parts.scheme}://{parts.netloc} {ws_scheme}://{parts.netloc}"
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        f"connect-src {connect}",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])


def agent_hours() -> str:
    """The agents' weekly hours for the widget's header, from the schedule file (helpdesk/handoff.py)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from helpdesk.handoff import agent_hours_short
    from helpdesk.loader import load_schedule, schedule_path_from_env

    return agent_hours_short(load_schedule(schedule_path_from_env()))


class Handler(BaseHTTPRequestHandler):
    server_version = "chat-widget"
    sys_version = ""
    rasa_url = "http://127.0.0.1:5005"
    agent_hours = ""
    csp = content_security_policy(rasa_url)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.respond(send_body=False)

    def respond(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path == "/health":
            return self.send(HTTPStatus.OK, b'{"status": "ok"}', "application/json", send_body)
        if path == "/config.js":
            config = json.dumps({"rasaUrl": self.rasa_url, "socketPath": "/socket.io", "agentHours": self.agent_hours},
                                ensure_ascii=False)
            body = f"window.CHAT_CONFIG = {config};\n".encode()
            return self.send(HTTPStatus.OK, body, TYPES[".js"], send_body)
        if path.startswith("/vendor/"):
            name = path[len("/vendor/"):]
            file = VENDOR / name if name in VENDOR_FILES else None
        else:
            file = self.public_file(path)
        if file is None or not file.is_file():
            hint = b""
            if path.startswith("/vendor/") and not VENDOR.is_dir():
                hint = b" (run `npm ci` in web/, or scripts/setup.sh)"
            return self.send(HTTPStatus.NOT_FOUND, b"Not found" + hint, "text/plain; charset=utf-8", send_body)
        body = file.read_bytes()
        self.send(HTTPStatus.OK, body, TYPES.get(file.suffix, "application/octet-stream"), send_body)

    @staticmethod
    def public_file(path: str) -> Path | None:
        if path.endswith("/"):
            path += "index.html"
        candidate = (PUBLIC / path.lstrip("/")).resolve()
        # resolve() folds "..": anything that lands outside web/public is refused.
        if PUBLIC not in candidate.parents:
            return None
        return candidate

    def send(self, status: HTTPStatus, body: bytes, content_type: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Small files, changed often during development: always revalidate.
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        sys.stderr.write(f"[web] {self.address_string()} {format % args}\n")


def main() -> int:
    host = os.environ.get("WEB_HOST", "127.0.0.1")
    port = int(os.environ.get("WEB_PORT", "8080"))
    Handler.rasa_url = rasa_public_url()
    Handler.csp = content_security_policy(Handler.rasa_url)
    try:
        Handler.agent_hours = agent_hours()
    except Exception as exc:  # noqa: BLE001 - the page still works; the header then names no hours
        print(f"[web] warning: the agents' hours for the chat header could not be read: {exc}", file=sys.stderr)
    if not (VENDOR / "socket.io.min.js").is_file():
        print(f"[web] warning: {VENDOR / 'socket.io.min.js'} is missing; run `npm ci` in web/", file=sys.stderr)
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    print(f"[web] serving http://{host}:{port}/ (Rasa at {Handler.rasa_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

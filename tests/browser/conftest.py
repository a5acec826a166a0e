"""The website chat in a real browser: the whole stack and Debian's Chromium.

One stack per test session, started by tools/stack.py as `make run` starts it:
action server with a fixed clock, Rasa server with the socket.io channel, and
web/server.py serving the page, all on free loopback ports. Each test gets a
fresh browser context, so a fresh localStorage and a fresh conversation.
"""

from __future__ import annotations

import contextlib
import functools
import re
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT
from tools import stack

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

ARTIFACTS = ROOT / "tests" / "artifacts"
# Screenshots for people (the customer's view of a hand-off, the agent's screen…), kept by the tests.
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
NOW = "2026-12-04T10:00"  # a Friday morning: every regular channel is open


class WebStack:
    """The running stack and how to reach it."""

    def __init__(self, tmp: Path):
        action_port, rasa_port, web_port = stack.free_port(), stack.free_port(), stack.free_port()
        self.tracker_db = tmp / "tracker.db"  # the conversations (the desk's morning list reads them)
        action_token = uuid.uuid4().hex  # as make run: the action server checks Rasa's token
        endpoints = stack.write_endpoints(
            tmp / "endpoints.yml", action_port,
            # The tracker store that ships (endpoints.yml), on a file of this run.
            tracker_store={"type": "addons.tracker_store.ReportingSQLTrackerStore", "dialect": "sqlite",
                           "db": str(tmp / "tracker.db")},
            action_token=action_token,
        )
        origins = f"http://127.0.0.1:{web_port} http://localhost:{web_port}"
        with pytest.MonkeyPatch.context() as env:
            # start_stack reads these from the environment; a developer's own values must not leak in.
            env.setenv("RASA_CORS_ORIGINS", origins)
            env.delenv("RASA_PUBLIC_URL", raising=False)
            env.delenv("RASA_AUTH_TOKEN", raising=False)
            self.stack = stack.start_stack(
                rasa_port, action_port, log_dir=tmp / "logs",
                env={"ASSISTANT_NOW": NOW, "ACTION_SERVER_TOKEN": action_token},
                endpoints=endpoints, web_port=web_port, desk=False,
            )
        self.rasa_url = self.stack.rasa.url
        self.page_url = self.stack.web.url + "/"
        self.token = self.stack.token

    def tracker(self, sender: str) -> dict:
        response = requests.get(
            f"{self.rasa_url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def user_texts(self, sender: str) -> list[str]:
        return [e.get("text") for e in self.tracker(sender)["events"] if e["event"] == "user"]

    def stop(self) -> None:
        self.stack.stop()


@pytest.fixture(scope="session", autouse=True)
def fresh_failure_screenshots():
    """Failure screenshots describe this run only."""
    for old in ARTIFACTS.glob("failure-*.png"):
        old.unlink()


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory):
    running = WebStack(tmp_path_factory.mktemp("browser"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/system_deps.sh installs it)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def screenshot_path(name: str) -> Path:
    """var/screenshots/<name> (var/ is 0700: the product's private folder)."""
    from helpdesk.privacy import private_dir

    private_dir(SCREENSHOTS.parent)
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / name


class Chat:
    """The widget on the demo page, driven as a customer does."""

    def __init__(self, page, web_stack: WebStack):
        self.page = page
        self.stack = web_stack
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text} {m.location.get('url', '')}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    @property
    def launcher(self):
        return self.page.locator(".cw-launcher")

    @property
    def panel(self):
        return self.page.locator("#cw-panel")

    @property
    def log(self):
        return self.page.locator(".cw-log")

    @property
    def input(self):
        return self.page.get_by_label("Escriba su mensaje")

    def goto(self) -> Chat:
        self.page.goto(self.stack.page_url)
        expect(self.launcher).to_be_visible()
        return self

    def open(self) -> Chat:
        self.launcher.click()
        expect(self.panel).to_be_visible()
        return self

    def open_with_welcome(self) -> Chat:
        self.goto().open()
        self.wait_for_bot("¿En qué le puedo ayudar?")
        expect(self.quick_replies()).to_have_count(6)
        return self

    def bot_bubbles(self, text: str = ""):
        bubbles = self.log.locator(".cw-msg--bot .cw-bubble")
        return bubbles.filter(has_text=text) if text else bubbles

    def agent_bubbles(self, text: str = ""):
        bubbles = self.log.locator(".cw-msg--agent .cw-bubble")
        return bubbles.filter(has_text=text) if text else bubbles

    def notices(self, text: str = ""):
        """The desk's notices in the log ("Le atiende Ana, asesora de soporte.")."""
        found = self.log.locator(".cw-event")
        return found.filter(has_text=text) if text else found

    def user_bubbles(self):
        return self.log.locator(".cw-msg--user .cw-bubble")

    def quick_replies(self):
        return self.log.locator(".cw-quick button")

    def wait_for_bot(self, text: str, timeout: float = 30_000):
        bubble = self.bot_bubbles(text).last
        expect(bubble).to_be_visible(timeout=timeout)
        return bubble

    def send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def press(self, title: str) -> None:
        self.log.get_by_role("button", name=title, exact=True).click()

    def session_id(self) -> str:
        """The session value the server issued (conversation id + signature), as the widget keeps it."""
        return self.page.evaluate("localStorage.getItem('certichat.session')")

    def conversation_id(self) -> str:
        """The conversation id agents see (the session value without its signature)."""
        return self.session_id().rpartition(".")[0]

    def screenshot(self, name: str) -> Path:
        path = artifact(name)
        self.page.screenshot(path=str(path))
        return path


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)


def new_chat(request, browser, web_stack, **context_options):
    options = {"viewport": {"width": 1280, "height": 800}, "locale": "es-CO", "timezone_id": "America/Bogota"}
    options.update(context_options)
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    chat = Chat(page, web_stack)

    def finish():
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            page.screenshot(path=str(artifact(f"failure-{_safe(request.node.name)}.png")), full_page=True)
        context.close()

    request.addfinalizer(finish)
    return chat


@pytest.fixture
def chat(request, browser, web_stack):
    """The demo page on a desktop browser."""
    return new_chat(request, browser, web_stack)


@pytest.fixture
def phone_chat(request, browser, web_stack):
    """The demo page on a 360 px wide phone."""
    return new_chat(
        request, browser, web_stack,
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2,
    )


def generated_tracker(folder: Path, conversations: int, seed: int) -> Path:
    """A SQLite tracker store with ``conversations`` of November 2026, replicated by
    tools/generate_conversations.py from conversations recorded through the real stack."""
    from datetime import date

    from insights import source
    from tools import generate_conversations

    db = folder / "tracker.db"
    db.touch()
    generate_conversations.generate(source.TrackerSource("sqlite", str(db)), conversations,
                                    date(2026, 11, 1), date(2026, 11, 30), seed=seed)
    return db


# ------------------------------------------------------------------ the agent desk

@contextlib.contextmanager
def desk_beside(web_stack: WebStack, tmp: Path, now: str = NOW, queue_timeout: float = 300,
                extra_env: dict[str, str] | None = None):
    """The desk (its own process, agent "ana"), and the stack's action server restarted on its port
    with DESK_URL and DESK_WEBHOOK_SECRET pointing at it and ASSISTANT_NOW = ``now``; put back as
    it was afterwards, so other tests see the stack they expect."""
    from tests.desk_support import Desk

    actions = web_stack.stack.actions
    action_port = int(actions.url.rsplit(":", 1)[1])
    logs = tmp / "logs"
    running = Desk(tmp / "desk", web_stack.rasa_url, web_stack.token, queue_timeout=queue_timeout,
                   extra_env=extra_env)
    running.start()
    try:
        actions.stop()
        web_stack.stack.actions = stack.start_actions(action_port, logs, {
            "ASSISTANT_NOW": now, "DESK_URL": running.url, "DESK_WEBHOOK_SECRET": running.secret,
        })
        yield running
    finally:
        running.stop()
        web_stack.stack.actions.stop()
        web_stack.stack.actions = stack.start_actions(action_port, logs, {"ASSISTANT_NOW": NOW})


# Records what the desk's alerts do, in the agent's browser: each Notification shown, each tone played.
ALERT_SPY = """
window.__notices = [];
window.__tones = 0;
(function () {
  function Spy(title, options) { window.__notices.push({title: title, body: (options || {}).body || ''}); }
  Spy.permission = 'granted';
  Spy.requestPermission = function () { return Promise.resolve('granted'); };
  window.Notification = Spy;
  var start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function () { window.__tones += 1; return start.apply(this, arguments); };
})();
"""


def new_agent_page(request, browser, name: str = "agent", spy_alerts: bool = False, **context_options):
    """A browser context of its own (its cookies): an agent's desk. ``page.errors`` collects console errors."""
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "es-CO", "timezone_id": "America/Bogota"}
    options.update(context_options)
    context = browser.new_context(**options)
    if spy_alerts:
        context.add_init_script(ALERT_SPY)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.errors = errors

    def finish():
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            page.screenshot(path=str(artifact(f"failure-{_safe(request.node.name)}-{name}.png")), full_page=True)
        context.close()

    request.addfinalizer(finish)
    return page


def sign_in(page, desk, username: str = "ana", password: str | None = None) -> None:
    page.goto(desk.url + "/login")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password or desk.password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Cola de conversaciones")).to_be_visible()


@functools.cache
def model_says(answer_kind: str) -> bool:
    """Whether models/assistant.tar.gz was trained with a domain that words ``answer_kind`` (a
    wording added to domain.yml reaches customers once the model is trained again)."""
    import tarfile

    import yaml

    with tarfile.open(stack.MODEL) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("domain_provider/domain.yml"))
        domain = yaml.safe_load(archive.extractfile(member).read())
    variations = domain.get("responses", {}).get("utter_answer", [])
    return any(c.get("value") == answer_kind for v in variations for c in v.get("condition") or [])

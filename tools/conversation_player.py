"""Play whole conversations through the real stack, each at its own moment.

The support report (``insights/``) reads *when* each message was written from the
tracker store's timestamps, which the Rasa server stamps with its own clock. To
build trackers with known content at known moments (Saturday night, a festivo, a
Friday morning), both servers' clocks are moved per conversation:

* the action server through ``ASSISTANT_NOW_FILE`` (helpdesk/clock.py), as the live
  tests do — it decides the answers;
* the Rasa server through ``tools/clocked_rasa.py``, which starts it with Python's
  wall clock (``time.time``, what Rasa stamps events with) offset by a clock file;
  writing a moment to that file makes Rasa's clock read that moment and run on.

The desk keeps the real clock (its hand-off times are measured by it). Used by the
report's tests (tests/live/test_insights.py, tests/integration/test_insights_postgres.py)
and by ``tools/generate_conversations.py record``. Runs in .venv/actions.
"""

from __future__ import annotations

import queue
import secrets
import time
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from tools import stack
from tools.clocked_rasa import write_clock

BOGOTA = ZoneInfo("America/Bogota")


def epoch(moment: str) -> float:
    """A naive Bogotá moment ("2026-12-05T20:00") in seconds since the epoch."""
    local = datetime.fromisoformat(moment)
    if local.tzinfo is None:
        local = local.replace(tzinfo=BOGOTA)
    return local.timestamp()


def start_clocked_rasa(port: int, endpoints: Path, log_dir: Path, clock_file: Path, env: dict[str, str],
                       auth_token: str, timeout: float = 600) -> stack.Service:
    """tools.stack.start_rasa, through tools.clocked_rasa (the same arguments and token handling)."""
    cmd = [str(stack.RASA_BIN.parent / "python"), "-m", "tools.clocked_rasa", "--clock-file", str(clock_file),
           "run", "--model", str(stack.MODEL), "--port", str(port), "--interface", "127.0.0.1",
           "--endpoints", str(endpoints), "--credentials", str(stack.ROOT / "credentials.yml"), "--enable-api",
           "--cors", *stack.cors_origins()]
    environment = stack.base_env(env)
    environment["RASA_AUTH_TOKEN"] = auth_token
    service = stack._spawn(f"rasa-{port}", cmd, environment, log_dir, f"http://127.0.0.1:{port}")
    try:
        stack.wait_until_ready(service, f"/status?token={auth_token}", timeout=timeout)
    except BaseException:
        service.stop()
        raise
    return service


class SocketCustomer:
    """A website-chat customer over socket.io (as tests/socketio_customer.py, standalone for tools)."""

    def __init__(self, url: str, timeout: float = 30):
        import socketio

        self.inbox: queue.Queue[dict] = queue.Queue()
        confirmed: queue.Queue[str] = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("session_confirm", confirmed.put)
        self.sio.on("bot_uttered", self.inbox.put)
        self.sio.connect(url, transports=["websocket"], socketio_path="/socket.io", wait_timeout=timeout)
        self.sio.emit("session_request", {"session_id": None})
        self.session = confirmed.get(timeout=timeout)
        self.conversation_id = self.session.rpartition(".")[0]

    def say(self, text: str) -> None:
        while not self.inbox.empty():
            self.inbox.get_nowait()
        self.sio.emit("user_uttered", {"message": text, "session_id": self.session})

    def wait_for(self, fragment: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                message = self.inbox.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            seen.append(message.get("text", ""))
            if fragment in message.get("text", ""):
                return message.get("text", "")
        raise AssertionError(f"no message with {fragment!r} in {timeout} s over socket.io; got {seen}")

    def close(self) -> None:
        self.sio.disconnect()


@dataclass
class Step:
    """One customer message and the answer kinds the assistant must give to it (in order).

    ``either``: instead of ``kinds``, exactly one answer that may be any of these (a message
    the NLU cannot place gets "¿Se refiere a …?" or a request to rephrase depending on how
    the model ranks the other intents, which a retraining can change).
    """

    text: str
    kinds: tuple[str, ...]
    wait_for: str | None = None  # socket.io: a fragment of the reply to wait for
    either: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()  # other texts for a message the NLU must not place

    def accepts(self, given: list[str]) -> bool:
        if self.either:
            return len(given) == 1 and given[0] in self.either
        return list(self.kinds) == given


NOT_UNDERSTOOD_ANSWERS = ("rephrase", "did_you_mean_1", "did_you_mean_2", "did_you_mean_3")


def unknown(text: str, *alternatives: str) -> Step:
    """A message the NLU cannot place (nlu_fallback): "¿Se refiere a …?" or "dígalo de otra forma".

    Which gibberish a model cannot place changes with its training ("plorf" once fell
    back, later read as out of scope; vague Spanish such as "lo de siempre" is the surer
    fallback): the first of ``text`` and ``alternatives`` that the
    loaded model does not place is said (``ClockedStack.unplaced``)."""
    return Step(text, (), either=NOT_UNDERSTOOD_ANSWERS, alternatives=alternatives)


@dataclass
class Planned:
    """One conversation of a plan: where, when, what is said, what happens at the desk."""

    name: str
    moment: str  # naive Bogotá ISO
    steps: list[Step]
    channel: str = "rest"  # or "socketio"
    desk: str | None = None  # "take" (an agent takes it, then hands it back) or "expire"
    after_hours: bool = False  # what the plan says about the moment (checked against the report)
    critical_service: str | None = None
    sender: str = ""  # filled when played
    external_kinds: tuple[str, ...] = ()  # answers after a desk trigger (expiry notice)
    played: list[str] | None = None  # the answer kinds the stack gave (checked against the steps)
    intents: list[str] | None = None  # the NLU's intent of each message, as stored

    @property
    def messages(self) -> int:
        return len(self.steps)


def plan() -> list[Planned]:
    """The conversations of the report's tests: every figure has a known count.

    Moments (Bogotá): Friday 2026-12-04 10:xx and Monday 2026-12-07 16:xx are open
    (chat hours too); Saturday 2026-12-05 20:xx, Sunday 2026-12-06 11:xx and the
    festivo Tuesday 2026-12-08 (La Inmaculada Concepción) 10:xx are after hours.
    """
    critical = "se cayó el servicio de firma digital y toda la operación está detenida"
    critical_pii = ("urgente se cayó el estampado cronológico, toda la operación detenida, "
                    "llamen al 3001234567 o escriban a ana.perez@empresa.com.co")
    triage = [
        Step("tengo un problema", ("triage_after_hours",)),
        Step("firma digital", ("triage_after_hours",)),
        Step("no, podemos seguir trabajando", ("triage_after_hours",)),
        Step("no me deja firmar un pdf desde ayer en la tarde", ("normal_closed",)),
    ]
    return [
        Planned("critical-after-sat", "2026-12-05T20:02", [Step(critical, ("critical_only_priority_line",))],
                after_hours=True, critical_service="Firma digital"),
        Planned("critical-after-sun", "2026-12-06T11:04", [Step(critical_pii, ("critical_only_priority_line",))],
                after_hours=True, critical_service="Estampado cronológico"),
        Planned("critical-after-festivo", "2026-12-08T10:06", [Step(critical, ("critical_only_priority_line",))],
                after_hours=True, critical_service="Firma digital"),
        Planned("critical-open-fri", "2026-12-04T10:08", [Step(critical, ("critical_with_open",))],
                critical_service="Firma digital"),
        Planned("critical-open-mon", "2026-12-07T16:10", [Step(critical, ("critical_with_open",))],
                critical_service="Firma digital"),
        Planned("triage-after-sat-1", "2026-12-05T20:12", list(triage), after_hours=True),
        Planned("triage-after-sat-2", "2026-12-05T20:14", list(triage), after_hours=True),
        Planned("triage-open-fri", "2026-12-04T10:16",
                [Step("tengo un problema con el token, no me deja firmar", ("normal_open",))]),
        # Messages the NLU cannot place (nlu_fallback): "blorf snark quux" three times
        # (two spellings), then a second one in a row, and one that gets "¿Se refiere a …?".
        Planned("unknown-sat", "2026-12-05T20:18", [unknown("blorf snark quux", "lo de siempre", "y lo otro?")],
                after_hours=True),
        Planned("unknown-fri", "2026-12-04T10:20", [unknown("blorf snark quux", "lo de siempre", "y lo otro?")]),
        Planned("unknown-twice-sun", "2026-12-06T11:22",
                [unknown("Blorf snark QUUX!", "lo de siempre", "y lo otro?"),
                 unknown("brrr quux", "la cosa esa del coso", "eso que le comenté", "qué opina de eso")],
                after_hours=True),
        Planned("unknown-did-you-mean-sun", "2026-12-06T11:24",
                [unknown("plorf", "plorf snark", "brrr zzt quux", "mmm qwop flarn", "zzt flarn qwop",
                         # vague Spanish falls back where a model reads gibberish as out of scope
                         "lo de siempre", "y lo otro?", "la cosa esa del coso", "eso que le comenté",
                         "qué opina de eso")],
                after_hours=True),
        # Understood as out of scope (a rule answers it): not a message the assistant missed.
        Planned("out-of-scope-sat", "2026-12-05T20:25", [Step("xkcd qwerty zzz", ())], after_hours=True),
        Planned("pqrsa-fri", "2026-12-04T10:26", [Step("quiero poner una queja", ("pqrsa",))]),
        Planned("pqrsa-sat", "2026-12-05T20:28", [Step("tengo un reclamo por un cobro", ("pqrsa",))], after_hours=True),
        Planned("hours-saturdays-fri", "2026-12-04T10:30", [Step("¿atienden los sábados?", ("hours_weekday",))]),
        Planned("hours-festivo-sat", "2026-12-05T20:32", [
            Step("¿atienden el 8 de diciembre?", ("hours_date_closed",))], after_hours=True),
        Planned("escalation-mon", "2026-12-07T16:34", [
            Step("quiero hablar con un supervisor", ("escalation_supervisor",)),
            Step("ya hablé con el supervisor y nada", ("escalation_coordinator",))]),
        Planned("handoff-taken-1", "2026-12-04T10:36", [
            Step("quiero hablar con un asesor", ("handoff_question",), "qué necesita"),
            Step("no puedo firmar las facturas electrónicas desde ayer", ("handoff_queued",), "Le comunico con un asesor")],
            channel="socketio", desk="take"),
        Planned("handoff-taken-2", "2026-12-04T10:40", [
            Step("quiero hablar con un asesor", ("handoff_question",), "qué necesita"),
            Step("necesito renovar el certificado de firma", ("handoff_queued",), "Le comunico con un asesor")],
            channel="socketio", desk="take"),
        Planned("handoff-expired", "2026-12-04T10:44", [
            Step("quiero hablar con un asesor", ("handoff_question",), "qué necesita"),
            Step("tengo una duda con la factura del mes", ("handoff_queued",), "Le comunico con un asesor")],
            channel="socketio", desk="expire", external_kinds=("handoff_timeout_open",)),
    ]


def expected(planned: list[Planned]) -> dict:
    """What the report must say about a played plan (its own bookkeeping, not the report's code).

    The answers are the plan's, or, once checked against it (``Planned.played``), those given.
    """
    kinds: Counter = Counter()
    for p in planned:
        if p.played is not None:
            kinds.update(p.played)
            continue
        for step in p.steps:
            kinds.update(step.kinds)
        kinds.update(p.external_kinds)
    return {
        "conversations": len(planned),
        "messages": sum(p.messages for p in planned),
        "messages_after_hours": sum(p.messages for p in planned if p.after_hours),
        "kinds": kinds,
    }


class ClockedStack:
    """Action server + Rasa (clock moved by tools/clocked_rasa.py) + optionally the desk, on loopback."""

    def __init__(self, tmp: Path, tracker_store: dict | None = None, endpoints: Path | None = None,
                 rasa_env: dict[str, str] | None = None, desk: bool = True, queue_timeout: float = 120):
        self.tmp = Path(tmp)
        self.logs = self.tmp / "logs"
        self.token = secrets.token_urlsafe(24)
        self.action_port, self.rasa_port = stack.free_port(), stack.free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.action_clock = self.tmp / "assistant-now"
        self.rasa_clock = self.tmp / "rasa-clock"
        self.tracker_db = self.tmp / "tracker.db"
        self.tracker_store = tracker_store or {
            "type": "addons.tracker_store.ReportingSQLTrackerStore", "dialect": "sqlite", "db": str(self.tracker_db)}
        self.endpoints = endpoints
        self.rasa_env = dict(rasa_env or {})
        self.secret = secrets.token_urlsafe(24)
        self.action_token = secrets.token_urlsafe(32)  # ACTION_SERVER_TOKEN: Rasa sends it, the action server checks it
        self.use_desk = desk
        self.queue_timeout = queue_timeout
        self.desk_db = self.tmp / "desk" / "desk.db"
        self.desk_password = secrets.token_urlsafe(18)
        self.desk_port = stack.free_port()
        self.desk_url = f"http://127.0.0.1:{self.desk_port}"
        self.actions: stack.Service | None = None
        self.rasa: stack.Service | None = None
        self.desk: stack.Service | None = None
        self.moment: str | None = None

    # ------------------------------------------------------------------ life
    def start(self, moment: str = "2026-12-04T10:00") -> ClockedStack:
        self.at(moment)
        try:
            if self.use_desk:
                stack.add_desk_agent(self.desk_db, "ana", "Ana", "asesora de soporte", self.desk_password)
                self.start_desk(self.queue_timeout)
                self.keep_on_duty()
            self.actions = stack.start_actions(self.action_port, self.logs, {
                "ASSISTANT_NOW": moment, "ASSISTANT_NOW_FILE": str(self.action_clock),
                "DESK_URL": self.desk_url if self.use_desk else "off", "DESK_WEBHOOK_SECRET": self.secret,
                "ACTION_SERVER_TOKEN": self.action_token,
            })
            endpoints = self.endpoints or stack.write_endpoints(
                self.tmp / "endpoints.yml", self.action_port, tracker_store=self.tracker_store,
                action_token=self.action_token)
            env = {"SANIC_WORKERS": "1", **self.rasa_env}
            if self.endpoints is not None:  # e.g. deploy/endpoints.scale-out.yml: ${ACTION_SERVER_URL}, ${…_TOKEN}
                env.setdefault("ACTION_SERVER_URL", f"http://127.0.0.1:{self.action_port}/webhook")
                env.setdefault("ACTION_SERVER_TOKEN", self.action_token)
            self.rasa = start_clocked_rasa(self.rasa_port, endpoints, self.logs, self.rasa_clock, env, self.token)
        except BaseException:
            self.stop()
            raise
        return self

    def start_desk(self, queue_timeout: float) -> None:
        if self.desk is not None:
            self.desk.stop()
        self.queue_timeout = queue_timeout
        self.desk = stack.start_desk(self.desk_port, self.rasa_url, self.token, self.logs, {
            "DESK_DB": str(self.desk_db), "DESK_WEBHOOK_SECRET": self.secret,
            "DESK_QUEUE_TIMEOUT": str(queue_timeout)})

    def keep_on_duty(self, every: float = 20.0) -> None:
        """Ana signed in and seen by the desk every ``every`` seconds, as her open queue page
        does: the bot queues a customer only while an agent is on duty (GET /api/presence)."""
        import re
        import threading

        http = requests.Session()
        form = http.get(self.desk_url + "/login", timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        response = http.post(self.desk_url + "/login", timeout=30, data={
            "username": "ana", "password": self.desk_password, "csrf_token": token})
        if response.status_code >= 400:
            raise RuntimeError(f"the desk refused Ana's sign-in: {response.status_code}")
        self._on_duty = threading.Event()

        def seen() -> None:
            while not self._on_duty.wait(every):
                try:
                    http.get(self.desk_url + "/api/desk/queue", timeout=10)
                except requests.RequestException:
                    pass

        threading.Thread(target=seen, daemon=True).start()

    def stop(self) -> None:
        if getattr(self, "_on_duty", None) is not None:
            self._on_duty.set()
        for service in (self.rasa, self.actions, self.desk):
            if service is not None:
                service.stop()

    # ------------------------------------------------------------------ clock
    def at(self, moment: str) -> None:
        """Both clocks to ``moment`` (naive = Bogotá): the action server's stays there, Rasa's runs on."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.action_clock.write_text(moment, encoding="utf-8")
        write_clock(self.rasa_clock, epoch(moment))
        self.moment = moment

    # ------------------------------------------------------------------ talk
    def unplaced(self, step: Step) -> Step:
        """The step with the first of its texts the loaded model does not place (nlu_fallback)."""
        if not step.alternatives:
            return step
        for text in (step.text, *step.alternatives):
            parsed = requests.post(f"{self.rasa_url}/model/parse", params={"token": self.token},
                                   json={"text": text}, timeout=30).json()
            if parsed["intent"]["name"] == "nlu_fallback":
                return replace(step, text=text)
        return step

    def say(self, sender: str, text: str) -> list[dict]:
        response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                 timeout=90)
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.rasa_url}/conversations/{requests.utils.quote(sender, safe='')}/tracker",
                                params={"token": self.token}, timeout=30)
        response.raise_for_status()
        return response.json()

    def answer_kinds(self, sender: str) -> list[str]:
        return [e["value"] for e in self.tracker(sender)["events"]
                if e.get("event") == "slot" and e.get("name") == "answer_kind" and e.get("value")]

    def play(self, planned: Planned) -> Planned:
        """Play one conversation at its moment; the desk part too (take, or wait for the expiry)."""
        self.at(planned.moment)
        planned.steps = [self.unplaced(step) for step in planned.steps]
        if planned.channel == "rest":
            planned.sender = f"insights-{planned.name}-{uuid.uuid4().hex[:8]}"
            for step in planned.steps:
                self.say(planned.sender, step.text)
            return planned
        customer = SocketCustomer(self.rasa_url)
        try:
            planned.sender = customer.conversation_id
            for step in planned.steps:
                customer.say(step.text)
                if step.wait_for:
                    customer.wait_for(step.wait_for)
            if planned.desk == "take":
                self._take(planned.sender)
                customer.wait_for("Le atiende Ana")
            elif planned.desk == "expire":
                customer.wait_for("Ningún asesor pudo tomar su caso a tiempo", timeout=self.queue_timeout + 60)
        finally:
            customer.close()
        return planned

    def _take(self, conversation_id: str) -> None:
        """Ana signs in to the desk and takes the conversation (as tests/desk_support.Agent does)."""
        import re

        http = requests.Session()
        form = http.get(self.desk_url + "/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        page = http.post(self.desk_url + "/login", timeout=30, data={
            "username": "ana", "password": self.desk_password, "csrf_token": token}).text
        csrf = re.search(r'<meta name="csrf-token" content="([^"]*)">', page).group(1)
        deadline = time.monotonic() + 30
        row = None
        while time.monotonic() < deadline and row is None:
            queue_rows = http.get(self.desk_url + "/api/desk/queue", timeout=10).json()["handoffs"]
            row = next((h for h in queue_rows if h["conversation_id"] == conversation_id), None)
            time.sleep(0.1)
        if row is None:
            raise AssertionError(f"the hand-off of {conversation_id} never reached the desk")
        response = http.post(f"{self.desk_url}/handoffs/{row['id']}/take", data={"csrf_token": csrf},
                             headers={"Accept": "application/json"}, timeout=30, allow_redirects=False)
        if response.status_code != 200:
            raise AssertionError(f"taking hand-off {row['id']}: {response.status_code} {response.text[:300]}")


def play_all(clocked: ClockedStack, planned: list[Planned], expire_timeout: float = 4) -> list[Planned]:
    """Play a plan: everything but the expiring hand-offs first, then those with a short queue timeout."""
    normal = [p for p in planned if p.desk != "expire"]
    expiring = [p for p in planned if p.desk == "expire"]
    for p in normal:
        clocked.play(p)
    if expiring:
        previous = clocked.queue_timeout
        clocked.start_desk(expire_timeout)
        for p in expiring:
            clocked.play(p)
        clocked.start_desk(previous)
    return planned


def dump(clocked: ClockedStack, planned: list[Planned]) -> list[dict]:
    """The played conversations as the tracker stores them (every event, all sessions)."""
    out = []
    for p in planned:
        response = requests.get(
            f"{clocked.rasa_url}/conversations/{requests.utils.quote(p.sender, safe='')}/tracker",
            params={"token": clocked.token, "include_events": "ALL"}, timeout=30)
        response.raise_for_status()
        out.append({"name": p.name, "moment": p.moment, "after_hours": p.after_hours, "channel": p.channel,
                    "events": response.json()["events"]})
    return out


__all__ = ["ClockedStack", "Planned", "Step", "plan", "expected", "play_all", "dump"]

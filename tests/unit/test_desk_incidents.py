"""Known incidents in the desk (issue 21), without a server: the store (declare, update, close, who
and when), the alert rule and its setting, the on-call level, the on-call webhook (signed,
retried, no customer data). tests/unit/test_desk_incidents_api.py runs the desk process."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desk import oncall
from desk.config import ConfigError
from desk.incident_settings import IncidentSettings
from desk.incidents import AlertRule, IncidentError, IncidentStore
from desk.store import Store
from helpdesk import incidents as bot_incidents
from helpdesk.desk_client import REQUEST_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, ReplayGuard, verify

NOW = 1_796_400_000.0  # a fixed desk clock (Unix seconds): 2026-12-04 in Bogotá
MIN = 60
RULE = AlertRule(3, 15 * MIN)
ONCALL_SECRET = "oncall-" + "k7Qx9mZp2Lw4Rt8Vb1Nc6Hd3Jf5Gs0Ya"
BOT_SECRET = "bot-secret-" + "Za9Yb8Xc7Wd6Ve5Uf4Tg3Sh2Ri1Qj0Pk"


@pytest.fixture
def people(tmp_path):
    store = Store(tmp_path / "desk.db")
    carla = store.add_agent("carla", "Carla", "supervisora de soporte", "scrypt$x", access="supervisor")
    ana = store.add_agent("ana", "Ana", "asesora de soporte", "scrypt$x")
    dario = store.add_agent("dario", "Darío", "asesor de guardia", "scrypt$x")
    incidents = IncidentStore(tmp_path / "desk.db")
    incidents.set_oncall(dario.id, True)
    yield incidents, carla, ana, dario
    incidents.close()
    store.close()


def report(store, n: int, service="firma_digital", critical=True, at: float = NOW):
    return store.record_report(f"web-{n}", service, critical, "2026-12-04T10:00:00-05:00", RULE, now=at)


# ------------------------------------------------------------------ the rule and its setting


@pytest.mark.parametrize("value,rule", [
    ("3/15m", AlertRule(3, 900)), ("5/1h", AlertRule(5, 3600)), ("10/600s", AlertRule(10, 600)),
    (" 3 / 15 min ", AlertRule(3, 900)), ("1/1m", AlertRule(1, 60)), ("off", None),
])
def test_the_alert_rule_is_read_from_its_setting(value, rule):
    assert AlertRule.parse(value) == rule


@pytest.mark.parametrize("value", ["3/15", "tres/15m", "3 en 15m", "0/15m", "3/0m", "3/30s", "3/25h", "3/2d", "",
                                   "3/15m; rm -rf /"])
def test_a_threshold_that_is_not_one_names_the_setting(value):
    with pytest.raises(ValueError, match="DESK_INCIDENT_ALERT"):
        AlertRule.parse(value)


def test_the_settings_are_checked_at_start():
    assert IncidentSettings.from_env({}).rule == AlertRule(3, 900)  # the default: 3 in 15 minutes
    assert IncidentSettings.from_env({"DESK_INCIDENT_ALERT": "off"}).rule is None
    good = {"DESK_ONCALL_WEBHOOK_URL": "https://paging.example.co/hook", "DESK_ONCALL_WEBHOOK_SECRET": ONCALL_SECRET,
            "DESK_WEBHOOK_SECRET": BOT_SECRET}
    assert IncidentSettings.from_env(good).oncall_url == "https://paging.example.co/hook"
    refused = {
        "DESK_INCIDENT_ALERT": ({"DESK_INCIDENT_ALERT": "3/15"}),
        "DESK_ONCALL_WEBHOOK_SECRET is required": {**good, "DESK_ONCALL_WEBHOOK_SECRET": ""},
        "DESK_ONCALL_WEBHOOK_SECRET is too short": {**good, "DESK_ONCALL_WEBHOOK_SECRET": "short-secret"},
        "DESK_ONCALL_WEBHOOK_SECRET is a published demo value": {**good, "DESK_ONCALL_WEBHOOK_SECRET": "changeme"},
        "must differ from DESK_WEBHOOK_SECRET": {**good, "DESK_ONCALL_WEBHOOK_SECRET": BOT_SECRET},
        "DESK_ONCALL_WEBHOOK_URL must be an http(s) URL": {**good, "DESK_ONCALL_WEBHOOK_URL": "ftp://paging/x"},
        "must not carry a user or password": {**good, "DESK_ONCALL_WEBHOOK_URL": "https://u:p@paging.example.co/"},
        "DESK_INCIDENT_ALERT is off": {**good, "DESK_INCIDENT_ALERT": "off"},
    }
    for message, environ in refused.items():
        with pytest.raises(ConfigError) as error:
            IncidentSettings.from_env(environ)
        assert message in str(error.value), (message, str(error.value))
        assert ONCALL_SECRET not in str(error.value) and BOT_SECRET not in str(error.value)


# ------------------------------------------------------------------ declare, update, close


def test_an_incident_is_declared_updated_and_closed_with_who_and_when(people):
    store, carla, _, dario = people
    since = NOW - 20 * MIN
    opened = store.open_incident("estampado_cronologico", since, "  Guarde los documentos\u202e y estámpelos luego. ",
                                 "hacia las 3:00 p. m.", carla, now=NOW)
    assert (opened.status, opened.opened_by, opened.opened_at) == ("open", "Carla", NOW)
    assert opened.message == "Guarde los documentos y estámpelos luego."  # spaces joined, bidi control out
    # As the bot reads it: the contract of GET /api/incidents/active, parsed by the bot's own code.
    seen = bot_incidents.parse([opened.as_bot_json()])[0]
    assert (seen.id, seen.service, seen.since.timestamp(), seen.estimate) == (opened.id, "estampado_cronologico",
                                                                              since, "hacia las 3:00 p. m.")
    assert seen.since.utcoffset().total_seconds() == -5 * 3600 and seen.update == ""

    updated = store.add_update(opened.id, "El proveedor de hora reinicia el servicio.", dario, estimate="",
                               now=NOW + 5 * MIN)
    assert updated.latest_update == "El proveedor de hora reinicia el servicio." and updated.estimate == ""
    assert bot_incidents.parse([updated.as_bot_json()])[0].update == "El proveedor de hora reinicia el servicio."
    closed = store.close_incident(opened.id, carla, "Restablecido por el proveedor.", now=NOW + 40 * MIN)
    assert (closed.status, closed.closed_by, closed.closed_at) == ("closed", "Carla", NOW + 40 * MIN)
    assert store.open_incidents() == []
    history = [(c.action, c.by, c.at) for c in store.changes(opened.id)]
    assert history == [("opened", "Carla", NOW), ("updated", "Darío", NOW + 5 * MIN),
                       ("closed", "Carla", NOW + 40 * MIN)]
    assert store.changes(opened.id)[1].detail["estimate"] == {"before": "hacia las 3:00 p. m.", "after": ""}
    with pytest.raises(IncidentError, match="ya estaba cerrado"):
        store.close_incident(opened.id, dario, now=NOW + 41 * MIN)
    with pytest.raises(IncidentError, match="cerrado"):
        store.add_update(opened.id, "otra", dario, now=NOW + 42 * MIN)
    assert [i.id for i in store.recent_incidents(NOW)] == [opened.id]


@pytest.mark.parametrize("service,since,message,estimate,field", [
    ("", NOW, "Guarde los documentos.", "", "service"),
    ("estampado", NOW, "Guarde los documentos.", "", "service"),
    ("firma_digital", NOW + 3600, "Guarde los documentos.", "", "since"),
    ("firma_digital", NOW - 31 * 24 * 3600, "Guarde los documentos.", "", "since"),
    ("firma_digital", NOW, "   ", "", "message"),
    ("firma_digital", NOW, "x" * 501, "", "message"),
    ("firma_digital", NOW, "Guarde los documentos.", "y" * 121, "estimate"),
])
def test_a_declaration_says_which_field_is_wrong(people, service, since, message, estimate, field):
    store, carla, _, _ = people
    with pytest.raises(IncidentError) as error:
        store.open_incident(service, since, message, estimate, carla, now=NOW)
    assert error.value.field == field
    assert store.open_incidents() == []


def test_supervisors_and_on_call_manage_agents_read(people):
    store, carla, ana, dario = people
    assert store.can_manage(carla) and store.can_manage(dario) and not store.can_manage(ana)
    store.set_oncall(dario.id, False)
    assert not store.can_manage(dario)


# ------------------------------------------------------------------ detection


def test_three_critical_reports_about_one_service_in_the_window_raise_one_alert(people):
    store, *_ = people
    assert not report(store, 1, critical=False).raised  # not critical: not counted
    assert not report(store, 2, service="estampado_cronologico").raised  # another service
    assert not report(store, 3, service=None).raised  # no service named: cannot be counted for one
    assert not report(store, 4, at=NOW - 16 * MIN).raised  # outside the window by the time of the third
    first = report(store, 5, at=NOW)
    second = report(store, 6, at=NOW + 5 * MIN)
    assert not first.raised and not second.raised and first.alert is None
    third = report(store, 7, at=NOW + 10 * MIN)
    assert third.raised and third.alert.status == "open" and third.alert.report_count == 3
    assert third.alert.first_report_at == NOW and third.alert.raised_at == NOW + 10 * MIN
    assert [r.conversation_id for r in store.reports_of_alert(third.alert.id)] == ["web-5", "web-6", "web-7"]
    # The same open alert: a fourth report joins it; no second alert, no second call to the on-call person.
    fourth = report(store, 8, at=NOW + 11 * MIN)
    assert not fourth.raised and fourth.alert.id == third.alert.id and fourth.alert.report_count == 4
    assert [a.id for a in store.open_alerts()] == [third.alert.id]


def test_reports_spread_beyond_the_window_raise_nothing(people):
    store, *_ = people
    assert not any(report(store, n, at=NOW + n * 8 * MIN).raised for n in range(6))
    assert store.open_alerts() == []


def test_declaring_from_the_alert_takes_in_its_reports_and_gives_the_lead_time(people):
    store, _, _, dario = people
    for n, minute in enumerate((0, 3, 6)):
        outcome = report(store, n, at=NOW + minute * MIN)
    alert = outcome.alert
    incident = store.open_incident("firma_digital", NOW - 2 * MIN, "Firme más tarde.", "", dario, alert_id=alert.id,
                                   now=NOW + 10 * MIN)
    assert store.alert(alert.id).status == "declared" and store.alert(alert.id).incident_id == incident.id
    assert store.open_alerts() == []
    assert [r.conversation_id for r in store.reports_of_incident(incident.id)] == ["web-0", "web-1", "web-2"]
    assert store.lead_time(incident) == {"first_report": NOW, "alert": NOW + 6 * MIN, "declared": NOW + 10 * MIN}
    # While it is open, a report of that service (or naming none: the only open incident) is attached to it.
    assert report(store, 10, critical=False, at=NOW + 12 * MIN).incident_id == incident.id
    assert report(store, 11, service=None, at=NOW + 13 * MIN).incident_id == incident.id
    assert report(store, 12, service="estampado_cronologico", at=NOW + 14 * MIN).incident_id is None
    assert "alert_raised" in [c.action for c in store.changes(incident.id)]


def test_an_alert_while_an_incident_of_its_service_is_open_is_attached_to_it(people):
    store, carla, *_ = people
    incident = store.open_incident("ambos", NOW - 30 * MIN, "Espere unos minutos.", "", carla, now=NOW - 20 * MIN)
    outcomes = [report(store, n, service="estampado_cronologico", at=NOW + n * MIN) for n in range(3)]
    attached = outcomes[-1].alert
    assert not any(o.raised for o in outcomes)  # nothing to propose: the incident is declared already
    assert (attached.status, attached.incident_id) == ("attached", incident.id)
    assert store.open_alerts() == []
    assert len(store.reports_of_incident(incident.id)) == 3
    assert store.lead_time(incident)["first_report"] is None  # declared before any report


def test_an_incident_declared_without_the_alert_still_takes_the_open_alert_of_its_service(people):
    store, carla, *_ = people
    alert = [report(store, n, at=NOW + n * MIN) for n in range(3)][-1].alert
    incident = store.open_incident("firma_digital", NOW, "Firme más tarde.", "", carla, now=NOW + 5 * MIN)
    assert store.alert(alert.id).status == "declared" and store.alert(alert.id).incident_id == incident.id


def test_a_dismissed_alert_lets_a_new_count_start(people):
    store, carla, *_ = people
    alert = [report(store, n, at=NOW + n * MIN) for n in range(3)][-1].alert
    assert store.dismiss_alert(alert.id, carla, now=NOW + 4 * MIN)
    assert not store.dismiss_alert(alert.id, carla, now=NOW + 5 * MIN)  # already dismissed
    assert not report(store, 10, at=NOW + 6 * MIN).raised  # the three behind the dismissed alert are not counted again
    assert not report(store, 11, at=NOW + 7 * MIN).raised
    again = report(store, 12, at=NOW + 8 * MIN)
    assert again.raised and again.alert.id != alert.id and again.alert.report_count == 3


def test_two_stores_on_one_file_raise_one_alert(people, tmp_path):
    """Two desk processes on one database (or the CLI beside the desk): the count and the insert
    are one transaction, so the third report raises the alert once."""
    store, *_ = people
    other = IncidentStore(tmp_path / "desk.db")
    try:
        report(store, 1, at=NOW)
        report(other, 2, at=NOW + MIN)
        raised = [report(s, n, at=NOW + 2 * MIN).raised for s, n in ((store, 3), (other, 4))]
        assert raised == [True, False] and len(other.open_alerts()) == 1
    finally:
        other.close()


# ------------------------------------------------------------------ the on-call webhook


class Receiver:
    """A local on-call webhook: checks each call's HMAC with the secret, answers ``statuses`` in turn."""

    def __init__(self, secret: str, statuses=(200,)):
        self.secret = secret
        self.statuses = list(statuses)
        self.calls: list[dict] = []
        self.guard = ReplayGuard()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                valid = verify(outer.secret, self.headers.get(TIMESTAMP_HEADER), body,
                               self.headers.get(SIGNATURE_HEADER) or "", request_id=self.headers.get(REQUEST_ID_HEADER),
                               replay=outer.guard)
                outer.calls.append({"valid": valid, "body": json.loads(body),
                                    "request_id": self.headers.get(REQUEST_ID_HEADER)})
                status = outer.statuses.pop(0) if len(outer.statuses) > 1 else outer.statuses[0]
                self.send_response(status if valid else 401)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_on_call_webhook_is_signed_retried_on_5xx_and_names_no_customer(people):
    store, *_ = people
    outcome = [report(store, n, at=NOW + n * MIN) for n in range(3)][-1]
    body = oncall.alert_body(outcome.alert, store.reports_of_alert(outcome.alert.id))
    assert (body["service"], body["critical_reports"], body["threshold"], body["window_seconds"]) == (
        "firma_digital", 3, 3, 900)
    assert body["declare_path"] == f"/incidentes/nuevo?alerta={outcome.alert.id}"
    assert "web-0" not in json.dumps(body) and body["reports"][0]["conversation"].startswith("conv#")
    receiver = Receiver(ONCALL_SECRET, statuses=(503, 200))
    try:
        delivered, error = oncall.post_alert(receiver.url, ONCALL_SECRET, body, sleep=lambda s: None)
        assert (delivered, error) == (True, "")
        assert [c["valid"] for c in receiver.calls] == [True, True]  # a 503, then accepted
        assert receiver.calls[0]["request_id"] != receiver.calls[1]["request_id"]  # a new nonce per attempt
        assert receiver.calls[1]["body"] == body
        # Signed with another secret, the receiver refuses it (401) and the desk does not insist.
        delivered, error = oncall.post_alert(receiver.url, "another-" + ONCALL_SECRET, body, sleep=lambda s: None)
        assert (delivered, error, len(receiver.calls)) == (False, "HTTP 401", 3)
    finally:
        receiver.close()
    delivered, error = oncall.post_alert("http://127.0.0.1:9/hook", ONCALL_SECRET, body, attempts=2, timeout=1,
                                         sleep=lambda s: None)
    assert not delivered and error

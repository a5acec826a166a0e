"""Known incidents on the running desk process (issue 21): the bot's two signed endpoints, who may
declare, update and close (supervisors and on-call; agents read), CSRF, the alert raised by
three critical reports and received signed by a local on-call webhook, the start-up checks,
and two action-server-like processes that agree on a declaration and a closing within seconds."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
import uuid

import pytest

from tests.desk_support import Agent, running_desk, wait_for
from tests.support import run_coroutine
from tests.unit.test_desk_incidents import ONCALL_SECRET, Receiver
from tests.unit.test_desk_supervisor import desk_cli
from tools import stack

pytestmark = pytest.mark.slow  # starts the desk server (make test-fast leaves these out)

CARLA = ("carla", "clave-carla-" + uuid.uuid4().hex)
DARIO = ("dario", "clave-dario-" + uuid.uuid4().hex)
AT = "2026-12-04T10:00:00-05:00"


def signed_json(desk, method: str, path: str, data=None, **kwargs):
    body = b"" if data is None else (data if isinstance(data, bytes) else json.dumps(data).encode("utf-8"))
    return desk.signed(method, path, body, **kwargs)


def problem(conversation_id: str, service="firma_digital", critical=True, at=AT) -> dict:
    return {"conversation_id": conversation_id, "service": service, "critical": critical, "at": at}


def as_json(agent: Agent, path: str, **fields: str):
    return agent.http.post(agent.desk.url + path, data={"csrf_token": agent.csrf, **fields}, timeout=10,
                           headers={"Accept": "application/json"}, allow_redirects=False)


def declare(agent: Agent, **fields: str):
    values = {"service": "estampado_cronologico", "since": bogota_now_input(),
              "message": "Guarde los documentos y estámpelos cuando se restablezca."}
    values.update(fields)
    return as_json(agent, "/incidentes", **values)


def bogota_now_input() -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("America/Bogota")).strftime("%Y-%m-%dT%H:%M")


def add_people(desk) -> None:
    stack.add_desk_agent(desk.db, CARLA[0], "Carla", "supervisora de soporte", CARLA[1], supervisor=True)
    stack.add_desk_agent(desk.db, DARIO[0], "Darío", "asesor de soporte", DARIO[1])


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    with running_desk(tmp_path_factory.mktemp("incidents")) as (desk, rasa):
        add_people(desk)
        yield desk, rasa


@pytest.fixture
def desk(running):
    return running[0]


def signed_in(desk, who=None) -> Agent:
    agent = Agent(desk)
    response = agent.login(*(who or ()))
    assert response.status_code == 200 and agent.csrf, response.text[:300]
    return agent


def close_all(desk) -> None:
    carla = signed_in(desk, CARLA)
    for incident in signed_json(desk, "GET", "/api/incidents/active").json()["incidents"]:
        as_json(carla, f"/incidentes/{incident['id']}/cerrar")


# ------------------------------------------------------------------ the bot's endpoints


def test_the_bot_endpoints_need_the_signature(desk):
    for method, path, data in (("GET", "/api/incidents/active", None),
                               ("POST", "/api/incident-reports", problem("web-firma"))):
        assert signed_json(desk, method, path, data, secret="otro-secreto-" + "x" * 30).status_code == 401
        assert signed_json(desk, method, path, data, signature="").status_code == 401
        assert signed_json(desk, method, path, data, timestamp=str(int(time.time()) - 400)).status_code == 401
        assert signed_json(desk, method, path, data, timestamp="nan").status_code == 401
        replayed = uuid.uuid4().hex
        assert signed_json(desk, method, path, data, request_id=replayed).status_code in (200, 201)
        assert signed_json(desk, method, path, data, request_id=replayed).status_code == 401  # once only
    assert signed_json(desk, "GET", "/api/incidents/active").json() == {"incidents": []}
    recorded = signed_json(desk, "POST", "/api/incident-reports", problem("web-x", critical=False))
    assert recorded.status_code == 201 and recorded.json()["status"] == "recorded"


@pytest.mark.parametrize("body", [
    b"no es json", b"[]", json.dumps(problem("")).encode(), json.dumps(problem("x" * 201)).encode(),
    json.dumps(problem("web-1", service="<b>firma</b>")).encode(),
    json.dumps({**problem("web-1"), "critical": "sí"}).encode(),
    json.dumps(problem("web-1", at="2026-12-04T10:00:00")).encode(),  # no offset
    json.dumps(problem("web-1", at="ayer")).encode(),
])
def test_a_report_that_is_not_one_gets_400(desk, body):
    response = signed_json(desk, "POST", "/api/incident-reports", body)
    assert response.status_code == 400 and response.json()["error"] == "invalid report"


# ------------------------------------------------------------------ who may do what


def test_only_supervisors_and_on_call_declare_update_and_close(desk):
    ana = signed_in(desk)
    listing = ana.http.get(desk.url + "/incidentes", timeout=10)
    assert listing.status_code == 200 and 'id="read-only"' in listing.text and "/incidentes/nuevo" not in listing.text
    assert 'href="/incidentes"' in listing.text  # the top bar's link, for every agent
    assert ana.http.get(desk.url + "/incidentes/nuevo", timeout=10).status_code == 403
    refused = declare(ana)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert signed_json(desk, "GET", "/api/incidents/active").json() == {"incidents": []}

    # Darío becomes on call ("guardia"): the same session may declare at once, and update.
    dario = signed_in(desk, DARIO)
    assert declare(dario).status_code == 403
    made = desk_cli(desk.db, "set-access", DARIO[0], "guardia")
    assert made.returncode == 0 and "acceso de guardia" in made.stdout, made.stderr
    declared = declare(dario, service="estampado_cronologico", since=bogota_now_input(), estimate="hacia las 3 p. m.")
    assert declared.status_code == 201, declared.text
    incident = declared.json()["incident"]
    assert incident["service"] == "estampado_cronologico" and incident["estimate"] == "hacia las 3 p. m."
    active = signed_json(desk, "GET", "/api/incidents/active").json()["incidents"]
    assert [i["id"] for i in active] == [incident["id"]]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?-05:00", active[0]["since"])
    assert as_json(ana, f"/incidentes/{incident['id']}/actualizar", text="x").status_code == 403
    assert as_json(ana, f"/incidentes/{incident['id']}/cerrar").status_code == 403
    updated = as_json(dario, f"/incidentes/{incident['id']}/actualizar", text="El proveedor reinicia el servicio.",
                      estimate="hacia las 4 p. m.")
    assert updated.status_code == 200
    active = signed_json(desk, "GET", "/api/incidents/active").json()["incidents"][0]
    assert (active["update"], active["estimate"]) == ("El proveedor reinicia el servicio.", "hacia las 4 p. m.")

    # Agents read the incident (no forms); the supervisor closes it; back to agent, Darío may not any more.
    page = ana.http.get(f"{desk.url}/incidentes/{incident['id']}", timeout=10).text
    assert "El proveedor reinicia el servicio." in page and 'id="update-form"' not in page and 'id="read-only"' in page
    assert "Ya conocemos una falla en el estampado cronológico" in page  # what the assistant says, from domain.yml
    assert desk_cli(desk.db, "set-access", DARIO[0], "agent").returncode == 0
    assert as_json(dario, f"/incidentes/{incident['id']}/cerrar").status_code == 403
    carla = signed_in(desk, CARLA)
    forged = carla.http.post(f"{desk.url}/incidentes/{incident['id']}/cerrar", data={"note": "x"}, timeout=10,
                             headers={"Accept": "application/json"})
    assert forged.status_code == 403 and forged.json()["error"] == "csrf"  # no CSRF token
    assert as_json(carla, f"/incidentes/{incident['id']}/cerrar", note="Restablecido.").status_code == 200
    assert signed_json(desk, "GET", "/api/incidents/active").json() == {"incidents": []}
    assert as_json(carla, f"/incidentes/{incident['id']}/cerrar").status_code == 409
    history = carla.http.get(f"{desk.url}/incidentes/{incident['id']}", timeout=10).text
    rows = re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td><td>([^<]+)", history)
    assert [(who, what.split(":")[0]) for who, what in rows] == [
        ("Darío", "Declaró el incidente"), ("Darío", "Publicó una actualización"), ("Carla", "Cerró el incidente")]


def test_without_a_session_nothing_is_shown(desk):
    import requests

    page = requests.get(desk.url + "/incidentes", timeout=10, allow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert requests.get(desk.url + "/api/desk/incidents", timeout=10).status_code == 401
    assert requests.post(desk.url + "/incidentes", data={"service": "ambos"}, timeout=10,
                         allow_redirects=False).status_code in (303, 401)


def test_the_form_says_what_is_wrong_next_to_each_field(desk):
    carla = signed_in(desk, CARLA)
    form = carla.http.get(desk.url + "/incidentes/nuevo", timeout=10).text
    assert re.search(r'id="incident-since" name="since" value="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"', form)  # now, editable
    for value, label in (("firma_digital", "Firma digital"), ("estampado_cronologico", "Estampado cronológico"),
                         ("ambos", "Ambos")):
        assert f'<option value="{value}">{label}</option>' in form
    wrong = carla.http.post(desk.url + "/incidentes", timeout=10, data={
        "csrf_token": carla.csrf, "service": "", "since": "ayer", "message": " ", "estimate": ""})
    assert wrong.status_code == 400
    assert 'role="alert"' in wrong.text and wrong.text.count('aria-invalid="true"') == 3
    assert 'aria-describedby="since-help since-error"' in wrong.text
    future = carla.http.post(desk.url + "/incidentes", timeout=10, data={
        "csrf_token": carla.csrf, "service": "ambos", "since": "2099-01-01T10:00", "message": "Espere."})
    assert future.status_code == 400 and "posterior a ahora" in future.text
    assert 'value="Espere."' not in future.text and ">Espere.</textarea>" in future.text  # what was typed stays


# ------------------------------------------------------------------ detection


@pytest.fixture
def watched(tmp_path):
    """A desk of its own (nothing counted yet) whose alerts go to a local on-call webhook."""
    receiver = Receiver(ONCALL_SECRET)
    env = {"DESK_ONCALL_WEBHOOK_URL": receiver.url, "DESK_ONCALL_WEBHOOK_SECRET": ONCALL_SECRET,
           "DESK_INCIDENT_ALERT": "3/15m"}
    try:
        with running_desk(tmp_path, extra_env=env) as (desk, _):
            add_people(desk)
            yield desk, receiver
    finally:
        receiver.close()


def test_three_critical_reports_raise_one_alert_that_the_on_call_webhook_receives_signed(watched):
    desk, receiver = watched
    carla, ana = signed_in(desk, CARLA), signed_in(desk)
    before = len(carla.http.get(desk.url + "/api/desk/incidents", timeout=10).json()["alerts"])
    outcomes = [signed_json(desk, "POST", "/api/incident-reports", problem(f"web-firma-{n}")).json()
                for n in range(3)]
    assert [o["alert_raised"] for o in outcomes] == [False, False, True]
    alert_id = outcomes[-1]["alert_id"]
    call = wait_for(lambda: receiver.calls, timeout=10, message="the on-call webhook")[0]
    assert call["valid"]  # verified with DESK_ONCALL_WEBHOOK_SECRET by helpdesk.desk_client.verify
    assert call["body"]["alert_id"] == alert_id and call["body"]["critical_reports"] == 3
    assert call["body"]["service"] == "firma_digital" and "web-firma-0" not in json.dumps(call["body"])
    fourth = signed_json(desk, "POST", "/api/incident-reports", problem("web-firma-3")).json()
    assert fourth["alert_id"] == alert_id and not fourth["alert_raised"]
    time.sleep(0.5)
    assert len(receiver.calls) == 1  # the same open alert is not sent twice

    # Supervisors and on-call see it on every page's banner (JSON for incidents.js); agents do not.
    banner = carla.http.get(desk.url + "/api/desk/incidents", timeout=10).json()
    assert len(banner["alerts"]) == before + 1 and banner["alerts"][-1]["declare_href"].endswith(f"alerta={alert_id}")
    assert ana.http.get(desk.url + "/api/desk/incidents", timeout=10).json()["alerts"] == []
    listing = carla.http.get(desk.url + "/incidentes", timeout=10).text
    assert f'data-alert-id="{alert_id}"' in listing and "Aviso enviado a guardia: " in listing
    # One click pre-fills the form: the service and the first report's time, with the reports behind it.
    form = carla.http.get(f"{desk.url}/incidentes/nuevo?alerta={alert_id}", timeout=10).text
    assert '<option value="firma_digital" selected>' in form and form.count(">web-firma-") == 4
    since = re.search(r'name="since" value="([^"]+)"', form).group(1)
    declared = declare(carla, service="firma_digital", since=since, alerta=str(alert_id),
                       message="Firme más tarde; sus documentos no se pierden.")
    assert declared.status_code == 201
    incident_id = declared.json()["incident"]["id"]
    assert carla.http.get(desk.url + "/api/desk/incidents", timeout=10).json()["alerts"] == banner["alerts"][:-1]
    page = carla.http.get(f"{desk.url}/incidentes/{incident_id}", timeout=10).text
    assert "Reportes de clientes recibidos (4)" in page and "Primer reporte: " in page and "alerta" in page
    # While it is open, a critical report of that service is attached to it; no new alert, no call.
    during = signed_json(desk, "POST", "/api/incident-reports", problem("web-firma-4")).json()
    assert during["incident_id"] == incident_id and not during["alert_raised"]
    assert as_json(carla, f"/incidentes/{incident_id}/cerrar").status_code == 200


def test_an_unreachable_on_call_webhook_is_said_on_the_page(tmp_path):
    env = {"DESK_ONCALL_WEBHOOK_URL": "http://127.0.0.1:9/hook", "DESK_ONCALL_WEBHOOK_SECRET": ONCALL_SECRET,
           "DESK_INCIDENT_ALERT": "2/5m"}
    with running_desk(tmp_path, extra_env=env) as (desk, _):
        stack.add_desk_agent(desk.db, CARLA[0], "Carla", "supervisora", CARLA[1], supervisor=True)
        outcomes = [signed_json(desk, "POST", "/api/incident-reports", problem(f"web-{n}", "estampado_cronologico"))
                    for n in range(2)]
        assert outcomes[-1].json()["alert_raised"]
        carla = signed_in(desk, CARLA)
        wait_for(lambda: "No se pudo avisar a guardia" in carla.http.get(desk.url + "/incidentes", timeout=10).text,
                 timeout=20, interval=0.5, message="the failed call on the page")
        assert "on-call webhook failed" in desk.log()


# ------------------------------------------------------------------ start-up checks


@pytest.mark.parametrize("env,named", [
    ({"DESK_INCIDENT_ALERT": "3/15"}, "DESK_INCIDENT_ALERT"),
    ({"DESK_INCIDENT_ALERT": "0/15m"}, "DESK_INCIDENT_ALERT"),
    ({"DESK_ONCALL_WEBHOOK_URL": "https://paging.example.co/hook"}, "DESK_ONCALL_WEBHOOK_SECRET"),
    ({"DESK_ONCALL_WEBHOOK_URL": "https://paging.example.co/hook", "DESK_ONCALL_WEBHOOK_SECRET": "corto"},
     "DESK_ONCALL_WEBHOOK_SECRET"),
    ({"DESK_ONCALL_WEBHOOK_URL": "paging.example.co", "DESK_ONCALL_WEBHOOK_SECRET": ONCALL_SECRET},
     "DESK_ONCALL_WEBHOOK_URL"),
])
def test_the_desk_does_not_start_with_an_incident_setting_it_cannot_use(tmp_path, env, named):
    environ = stack.base_env({"DESK_DB": str(tmp_path / "desk.db"), "DESK_WEBHOOK_SECRET": "w" + uuid.uuid4().hex,
                              "RASA_AUTH_TOKEN": "r" + uuid.uuid4().hex, "DESK_PORT": str(stack.free_port()),
                              "DESK_ONCALL_WEBHOOK_URL": "", "DESK_ONCALL_WEBHOOK_SECRET": "", **env})
    started = subprocess.run([str(stack.ACTIONS_PYTHON), "-m", "desk"], cwd=stack.ROOT, env=environ,
                             capture_output=True, text=True, timeout=60)
    assert started.returncode == 2, started.stderr[-500:]
    assert started.stderr.startswith("The agent desk cannot start: ") and named in started.stderr
    assert ONCALL_SECRET not in started.stderr and "Traceback" not in started.stderr


# ------------------------------------------------------------------ across instances

CLIENT = """
import asyncio, json, sys, time
from helpdesk.desk_client import DeskClient
client = DeskClient(sys.argv[1], sys.argv[2])
while True:
    found = asyncio.run(client.active_incidents())
    print(json.dumps({"t": time.time(), "ids": [i.id for i in found], "update": [i.update for i in found]}), flush=True)
    time.sleep(0.25)
"""


class ActionServerLike:
    """A separate process that reads the open incidents as the action server does (DeskClient,
    its own 5-second cache), and says what it sees four times a second."""

    def __init__(self, desk):
        self.process = subprocess.Popen([str(stack.ACTIONS_PYTHON), "-c", CLIENT, desk.url, desk.secret], cwd=stack.ROOT,
                                        env=stack.base_env({"PYTHONPATH": str(stack.ROOT)}), stdout=subprocess.PIPE,
                                        text=True)
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.seen.append(json.loads(line))

    def sees(self, condition, since: float) -> float | None:
        """When it first saw ``condition`` true after ``since``."""
        return next((s["t"] for s in self.seen if s["t"] >= since and condition(s)), None)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


def test_two_action_servers_agree_on_a_declaration_and_a_closing_within_seconds(desk):
    from helpdesk.desk_client import INCIDENT_CACHE_SECONDS

    close_all(desk)
    carla = signed_in(desk, CARLA)
    pair = [ActionServerLike(desk), ActionServerLike(desk)]
    try:
        wait_for(lambda: all(p.seen for p in pair), timeout=20, message="both clients reading")
        declared_at = time.time()
        incident_id = declare(carla, service="ambos", since=bogota_now_input(),
                              message="Espere unos minutos.").json()["incident"]["id"]
        seen = [wait_for(lambda p=p: p.sees(lambda s: incident_id in s["ids"], declared_at), timeout=15,
                         interval=0.1, message="the declaration") for p in pair]
        assert max(seen) - declared_at <= INCIDENT_CACHE_SECONDS + 1.5, [t - declared_at for t in seen]
        updated_at = time.time()
        as_json(carla, f"/incidentes/{incident_id}/actualizar", text="Ya casi.")
        seen = [wait_for(lambda p=p: p.sees(lambda s: "Ya casi." in s["update"], updated_at), timeout=15,
                         interval=0.1, message="the update") for p in pair]
        assert max(seen) - updated_at <= INCIDENT_CACHE_SECONDS + 1.5
        closed_at = time.time()
        as_json(carla, f"/incidentes/{incident_id}/cerrar")
        seen = [wait_for(lambda p=p: p.sees(lambda s: incident_id not in s["ids"], closed_at), timeout=15,
                         interval=0.1, message="the closing") for p in pair]
        assert max(seen) - closed_at <= INCIDENT_CACHE_SECONDS + 1.5, [t - closed_at for t in seen]
    finally:
        for p in pair:
            p.stop()


def test_one_client_with_its_cache_cleared_reads_the_change_at_once(desk):
    import helpdesk.desk_client as desk_client

    close_all(desk)
    carla = signed_in(desk, CARLA)
    client = desk_client.DeskClient(desk.url, desk.secret)
    desk_client._INCIDENTS.clear()
    assert run_coroutine(client.active_incidents()) == ()
    incident_id = declare(carla, since=bogota_now_input()).json()["incident"]["id"]
    desk_client._INCIDENTS.clear()
    assert [i.id for i in run_coroutine(client.active_incidents())] == [incident_id]
    as_json(carla, f"/incidentes/{incident_id}/cerrar")
    desk_client._INCIDENTS.clear()
    assert run_coroutine(client.active_incidents()) == ()
    desk_client._INCIDENTS.clear()

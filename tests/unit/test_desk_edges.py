"""Edges of the desk (issue 19, point 7), on the real desk process with a fake Rasa.

- Every malformed or out-of-range date of /supervision/informe answers 400 with a Spanish
  message that says what is wrong, never 500.
- /static/ and other directory-like static paths answer 404, and the log has no traceback.
- Bidi control characters in customer text never reach a page or the JSON agents and
  supervisors read: the text is shown in the order it was written.
"""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import time
import uuid
from datetime import date

import pytest
import requests

from desk.readable import BIDI_CONTROLS, neutralise
from desk.routes.reports import RangeError, report_range
from tests.desk_support import Agent, packet, running_desk
from tools import stack
from tools.generate_conversations import SQLITE_SCHEMA

pytestmark = pytest.mark.slow  # starts the desk server

TODAY = "2026-12-05"
SUPERVISOR = ("carla", "Carla", "supervisora de soporte", "carla-password-1")
# Reversed in the browser when the controls act: "pagar 0001$" shows as "$1000 ragap".
BIDI_TEXT = "factura \u202epagar 0001$\u202c con \u2067NIT\u2069 \u200fok\u200e \u202a\u202b\u202d\u2066\u2068x"
BIDI_SHOWN = "factura pagar 0001$ con NIT ok x"


def tracker_with_customer_text(path, conversation_id: str) -> None:
    """A tracker store (Rasa's events table) with one conversation of 2026-12-04 whose
    customer wrote BIDI_TEXT twice: once understood, once not."""
    moment = 1796400000.0  # 2026-12-04, 10:40 in Bogotá
    rows = []
    for n, intent in enumerate(("ask_hours", "nlu_fallback")):
        stamp = moment + 10 * n
        rows.append(("user", stamp, intent, None, {
            "event": "user", "timestamp": stamp, "text": BIDI_TEXT, "input_channel": "socketio",
            "message_id": uuid.uuid4().hex, "parse_data": {
                "text": BIDI_TEXT, "intent": {"name": intent, "confidence": 0.3 if n else 0.9},
                "entities": [], "intent_ranking": [{"name": intent, "confidence": 0.3 if n else 0.9}]}}))
        rows.append(("bot", stamp + 1, None, None, {"event": "bot", "timestamp": stamp + 1,
                                                    "text": "Con gusto le ayudo.", "data": {}}))
    with sqlite3.connect(path) as db:
        db.executescript(SQLITE_SCHEMA)
        db.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       [(conversation_id, kind, stamp, intent, action, json.dumps(data)) for kind, stamp, intent,
                        action, data in rows])


@pytest.fixture(scope="module")
def running(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("edges")
    conversation = "web-" + uuid.uuid4().hex
    tracker_with_customer_text(tmp / "tracker.db", conversation)
    env = {"ASSISTANT_NOW": f"{TODAY}T10:00", "DESK_TRACKER_STORE": f"sqlite:///{tmp / 'tracker.db'}"}
    with running_desk(tmp, extra_env=env) as (desk, rasa):
        stack.add_desk_agent(desk.db, *SUPERVISOR, supervisor=True)
        desk.conversation = conversation
        yield desk, rasa


@pytest.fixture(scope="module")
def supervisor(running):
    person = Agent(running[0])
    assert person.login(SUPERVISOR[0], SUPERVISOR[3]).status_code == 200
    return person


# ------------------------------------------------------------------- the report's dates

@pytest.mark.parametrize("query,message", [
    ("desde=0001-01-01", "La fecha inicial (01/01/0001) es anterior al 01/01/2000"),
    ("hasta=9999-12-31", "La fecha final (31/12/9999) es posterior a hoy (05/12/2026)"),
    ("desde=0001-01-01&hasta=0001-01-05", "La fecha final (05/01/0001) es anterior al 01/01/2000"),
    ("hasta=0001-01-03", "La fecha final (03/01/0001) es anterior al 01/01/2000"),
    ("desde=9999-12-30&hasta=9999-12-31", "La fecha final (31/12/9999) es posterior a hoy"),
    ("desde=2026-12-06", "La fecha inicial (06/12/2026) es posterior a hoy (05/12/2026)"),
    ("desde=06/12/2026", "La fecha inicial (06/12/2026) es posterior a hoy (05/12/2026)"),  # as the form sends it
    ("desde=2026-02-30", "La fecha inicial «2026-02-30» no existe en el calendario."),
    ("hasta=2026-13-01", "La fecha final «2026-13-01» no existe en el calendario."),
    ("desde=30/02/2026", "La fecha inicial «30/02/2026» no existe en el calendario."),
    ("desde=11/30/2026", "La fecha inicial «11/30/2026» no existe en el calendario."),  # mm/dd is not read
    ("desde=abc", "La fecha inicial «abc» no es una fecha como 05/12/2026 (día/mes/año)."),
    ("desde=1/11/26", "«1/11/26» no es una fecha como"),
    ("desde=2026-1-5", "«2026-1-5» no es una fecha como"),
    ("desde=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-11-01", "no es una fecha como"),  # full-width digits
    ("desde=2026-11-01T00:00", "no es una fecha como"),
    ("desde=-2026-11-01", "no es una fecha como"),
    ("desde=2026-11-01%00", "no es una fecha como"),
    pytest.param("desde=" + "9" * 5000, "«" + "9" * 40 + "…» no es una fecha como", id="5000-digits"),
    ("desde=2026-12-05&hasta=2026-12-01", "La fecha final (01/12/2026) es anterior a la inicial (05/12/2026)."),
    ("desde=2020-01-01&hasta=2026-12-01", "El informe abarca como máximo 366 días"),
])
def test_every_malformed_or_out_of_range_date_answers_400_in_spanish(running, supervisor, query, message):
    desk = running[0]
    for path in ("/supervision/informe", "/supervision/informe/no_entendidos.nlu.yml"):
        response = supervisor.http.get(f"{desk.url}{path}?{query}", timeout=30)
        assert response.status_code == 400, (path, response.status_code)
        assert "Fechas no válidas" in response.text and message in response.text, response.text[-600:]
    assert "Traceback" not in desk.log() and "Exception occurred" not in desk.log()


def test_a_valid_range_still_gives_the_report(running, supervisor):
    desk = running[0]
    response = supervisor.http.get(f"{desk.url}/supervision/informe?desde=2026-12-01&hasta={TODAY}", timeout=60)
    assert response.status_code == 200 and "Informe para supervisores" in response.text
    default = supervisor.http.get(f"{desk.url}/supervision/informe", timeout=60)
    assert default.status_code == 200 and "29/11/2026 a 05/12/2026" in default.text


def test_the_report_range_function():
    today = date(2026, 12, 5)
    assert report_range({}, today) == (date(2026, 11, 29), today)
    assert report_range({"hasta": "2000-01-03"}, today) == (date(2000, 1, 1), date(2000, 1, 3))
    assert report_range({"desde": "2026-01-01", "hasta": "2026-12-05"}, today) == (date(2026, 1, 1), today)
    assert report_range({"desde": " 2026-12-05 "}, today) == (today, today)
    assert report_range({"desde": "1/11/2026", "hasta": "30/11/2026"}, today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert report_range({"desde": "01/11/2026", "hasta": "2026-11-30"}, today) == (date(2026, 11, 1), date(2026, 11, 30))
    with pytest.raises(RangeError):
        report_range({"desde": "2025-12-04"}, today)  # 367 days


# --------------------------------------------------------------------------- static

@pytest.mark.parametrize("path", [
    "/static/", "/static//", "/static/.", "/static/..", "/static/%2e%2e/", "/static/nope/", "/static/desk.css/",
    "/static/../desk/config.py", "/static/%2e%2e/desk/config.py", "/static/..%2fdesk%2fconfig.py",
    "/static/sub/dir/", "/static/desk.css%00.js", "/static", "/supervision/static/", "/supervision/static/x/",
])
def test_directory_like_static_paths_answer_404_without_a_traceback(running, path):
    desk = running[0]
    connection = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=10)  # the path as written, dots too
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        status, body = response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    assert status == 404, (path, status)
    assert "from __future__" not in body and "def " not in body and "favicon.svg</" not in body  # no file, no listing
    log = desk.log()
    assert "Traceback" not in log and "Exception occurred" not in log, log[-2000:]


@pytest.mark.parametrize("name,content_type", [
    ("desk.css", "text/css"), ("desk.js", "text/javascript"), ("favicon.svg", "image/svg+xml"),
])
def test_the_three_static_files_are_served(running, name, content_type):
    desk = running[0]
    response = requests.get(f"{desk.url}/static/{name}", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(content_type)
    assert response.content == (stack.ROOT / "desk" / "static" / name).read_bytes()
    assert requests.head(f"{desk.url}/static/{name}", timeout=10).status_code == 200


# ----------------------------------------------------------------------------- bidi

def no_bidi(text: str) -> bool:
    return not any(c in text for c in BIDI_CONTROLS) and not re.search(r"&#(8234|8235|8236|8237|8238|8294|8295|"
                                                                        r"8296|8297|8206|8207|x202[a-e]|x206[6-9]|"
                                                                        r"x200[ef]);", text, re.I)


def test_neutralise_keeps_the_text_in_the_order_it_was_written():
    assert neutralise(BIDI_TEXT) == BIDI_SHOWN
    assert neutralise("línea 1\nlínea 2\tfin\x00\x1b[31m\x85") == "línea 1\nlínea 2\tfin[31m"
    assert neutralise("ñandú, 10:30 a. m.") == "ñandú, 10:30 a. m."


def test_bidi_controls_never_reach_what_agents_and_supervisors_read(running, supervisor):
    desk, rasa = running
    conversation = "web-" + uuid.uuid4().hex
    sent = packet(conversation, description=BIDI_TEXT, reason_text=BIDI_TEXT, service=BIDI_TEXT,
                  slots={BIDI_TEXT: BIDI_TEXT},
                  transcript=[{"from": "cliente", "text": BIDI_TEXT, "timestamp": time.time() - 5}])
    response = desk.post_packet(sent)
    assert response.status_code in (200, 201), response.text
    handoff_id = response.json()["handoff_id"]
    rasa.trackers[conversation] = [{"event": "user", "text": BIDI_TEXT, "timestamp": time.time() + 1}]
    agent = Agent(desk)
    assert agent.login().status_code == 200
    assert agent.take(handoff_id).status_code == 200
    reads = {
        "queue page": agent.http.get(desk.url + "/", timeout=10),
        "conversation page": agent.page(handoff_id),
        "queue JSON": agent.http.get(desk.url + "/api/desk/queue", timeout=10),
        "conversation JSON": agent.http.get(f"{desk.url}/api/desk/handoffs/{handoff_id}", timeout=30),
        "supervision page": supervisor.http.get(desk.url + "/supervision", timeout=10),
        "supervision JSON": supervisor.http.get(desk.url + "/supervision", timeout=10,
                                                headers={"Accept": "application/json"}),
        "transcript page": supervisor.http.get(f"{desk.url}/supervision/conversacion?id={desk.conversation}",
                                               timeout=30),
        "report page": supervisor.http.get(f"{desk.url}/supervision/informe?desde=2026-12-01&hasta={TODAY}",
                                           timeout=60),
    }
    for what, read in reads.items():
        assert read.status_code == 200, (what, read.status_code, read.text[-300:])
        assert no_bidi(read.text), what
    for what in ("conversation page", "transcript page"):
        assert BIDI_SHOWN.replace("$", "") in reads[what].text.replace("$", ""), what
    live = reads["conversation JSON"].json()
    assert BIDI_SHOWN in [line["text"] for line in live["transcript"]]
    assert live["packet"]["description"] == BIDI_SHOWN

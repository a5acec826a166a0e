"""The agent's screen (issue 20, point 3) on the real desk process with a fake Rasa: the hours
context and the SLA, the transcript once, canned replies, internal notes that never reach the
customer, a closing reason from a short list, and the SLA countdown of each waiting row."""

import re
import sqlite3
import subprocess
import time
import uuid

import pytest

from desk import canned
from desk.closing import CLOSE_REASONS
from desk.config import ConfigError
from tests.conftest import ROOT
from tests.desk_support import Agent, packet, running_desk
from tools import stack

pytestmark = pytest.mark.slow  # starts the desk server (make test-fast leaves these out)

HOURS = {"in_hours": True, "text": "En horario de asesores: el chat atiende hasta las 7:00 p. m."}


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    with running_desk(tmp_path_factory.mktemp("agent-screen"), queue_timeout=180) as (desk, rasa):
        yield desk, rasa


@pytest.fixture
def desk(running):
    return running[0]


@pytest.fixture
def rasa(running):
    return running[1]


@pytest.fixture
def agent(desk):
    a = Agent(desk)
    assert a.login().status_code == 200
    return a


def queued(desk, rasa, **changes):
    cid = uuid.uuid4().hex
    rasa.trackers[cid] = [{"event": "session_started", "timestamp": time.time() - 10}]
    body = desk.post_packet(packet(cid, **changes))
    assert body.status_code == 201, body.text
    return cid, body.json()["handoff_id"]


def test_the_packet_shows_the_hours_context_and_the_time_left(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa, hours=HOURS)
    page = agent.page(handoff_id).text
    assert re.search(r'<dd id="handoff-hours">En horario de asesores: el chat atiende hasta las 7:00 p\. m\.</dd>', page)
    assert re.search(r'<dd id="handoff-sla"><span class="countdown" data-deadline="[\d.]+">quedan 2 min \d\d s</span>'
                     r' <span class="muted">\(plazo: 3 min 00 s\)</span></dd>', page), page
    data = agent.handoff(handoff_id)
    assert data["packet"]["hours"] == {**HOURS, "reopens": None}
    received = data["handoff"]["received_at"]
    assert data["handoff"]["deadline"] == pytest.approx(received + 180)
    assert 170 <= data["handoff"]["seconds_left"] <= 180
    agent.take(handoff_id)
    assert re.search(r'<dd id="handoff-sla">tomada en \d+ s \(a tiempo\)', agent.page(handoff_id).text)


@pytest.mark.parametrize("hours", [
    {"in_hours": "sí", "text": "x"}, {"in_hours": True}, {"in_hours": True, "text": "x" * 501}, "fuera",
    {"in_hours": False, "text": "x", "reopens": 7},
])
def test_a_bad_hours_context_is_refused(desk, hours):
    response = desk.post_packet(packet(uuid.uuid4().hex, hours=hours))
    assert response.status_code == 400 and "hours" in response.json()["detail"]


def test_each_waiting_row_counts_its_sla_down(desk, rasa, agent):
    _, handoff_id = queued(desk, rasa)
    row = next(h for h in agent.queue() if h["id"] == handoff_id)
    assert row["deadline"] == pytest.approx(row["received_at"] + 180) and 0 < row["seconds_left"] <= 180
    assert row["sla_text"].startswith("quedan ")
    page = agent.http.get(desk.url + "/", timeout=10).text
    assert re.search(rf'data-handoff-id="{handoff_id}">.*?<td class="sla"><span class="countdown[^"]*" '
                     r'data-deadline="[\d.]+">quedan \d min \d\d s</span></td>', page)
    assert "Tiempo para atender" in page and "Plazo para tomar cada conversación: 3 min 00 s" in page


def test_the_transcript_before_the_handoff_is_shown_once(desk, rasa, agent):
    cid = uuid.uuid4().hex
    t0 = time.time() - 30
    before = [{"from": "cliente", "text": "quiero hablar con un asesor", "timestamp": t0},
              {"from": "asistente", "text": "¿qué necesita, en una frase?", "timestamp": t0 + 1},
              {"from": "cliente", "text": "renovar la firma", "timestamp": t0 + 2}]
    rasa.trackers[cid] = [{"event": "session_started", "timestamp": t0 - 1},
                          {"event": "user", "text": "quiero hablar con un asesor", "timestamp": t0},
                          {"event": "bot", "text": "¿qué necesita, en una frase?", "timestamp": t0 + 1},
                          {"event": "user", "text": "renovar la firma", "timestamp": t0 + 2},
                          {"event": "bot", "text": "Listo. Le comunico con un asesor de soporte.", "timestamp": t0 + 3}]
    handoff_id = desk.post_packet(packet(cid, transcript=before)).json()["handoff_id"]
    live = [(line["from"], line["text"]) for line in agent.handoff(handoff_id)["transcript"]]
    assert live == [("asistente", "Listo. Le comunico con un asesor de soporte.")]
    page = agent.page(handoff_id).text
    for line in before:
        assert page.count(line["text"]) == 1, line["text"]
    assert page.count('role="log"') == 1 and 'id="live-transcript"' in page
    assert "Transferida a la mesa a las" in page


def test_canned_replies_fill_in_the_agents_name_and_are_only_offered_to_who_attends(desk, rasa, agent):
    _, handoff_id = queued(desk, rasa)
    assert 'id="canned-reply"' not in agent.page(handoff_id).text  # not taken yet: nothing to reply
    agent.take(handoff_id)
    page = agent.page(handoff_id).text
    assert '<label for="canned-reply">Respuestas guardadas</label>' in page
    assert ('<option value="Buenos días, le habla Ana, asesora de soporte. Ya leí lo que le contó al asistente. '
            '¿Me confirma el nombre de su empresa y su NIT?">Saludo</option>') in page
    assert "{agent_name}" not in page


def test_internal_notes_stay_in_the_desk(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    secret_note = "Cliente molesto; ya llamó dos veces. " + uuid.uuid4().hex
    response = agent.note(handoff_id, secret_note)
    assert response.status_code == 200 and response.json()["note"]["text"] == secret_note
    assert response.json()["note"]["agent"] == "Ana"
    agent.take(handoff_id)
    agent.reply(handoff_id, "Hola, ya reviso.")
    agent.note(handoff_id, "Segunda nota")
    assert [n["text"] for n in agent.handoff(handoff_id)["notes"]] == [secret_note, "Segunda nota"]
    page = agent.page(handoff_id).text
    assert secret_note in page and "Solo las ve el equipo de soporte; nunca se envían al cliente." in page
    # Nothing of a note reached Rasa (so the customer), in any call.
    assert all(secret_note not in str(call) and "Segunda nota" not in str(call) for call in rasa.calls)
    assert agent.note(handoff_id, "   ").status_code == 400
    assert agent.note(handoff_id, "x" * 2001).status_code == 400
    assert agent.note(10**9, "nota").status_code == 404


def test_closing_needs_a_reason_from_the_short_list(desk, rasa, agent):
    cid, handoff_id = queued(desk, rasa)
    agent.take(handoff_id)
    page = agent.page(handoff_id).text
    for value, label in CLOSE_REASONS.items():
        assert f'<option value="{value}">{label}</option>' in page
    for reason in ("", "porque sí"):
        refused = agent.close(handoff_id, reason=reason)
        assert refused.status_code == 400 and refused.json()["code"] == "motivo"
    assert desk.status(cid).json()["status"] == "taken"
    assert agent.close(handoff_id, reason="referred").status_code == 200
    row = next(h for h in agent.queue() if h["id"] == handoff_id)
    assert row["close_reason"] == "referred"
    assert row["close_reason_label"] == "Remitido a otro canal (línea, correo o PQRSA)"
    assert "Remitido a otro canal (línea, correo o PQRSA)" in agent.page(handoff_id).text
    with sqlite3.connect(desk.db) as db:
        assert db.execute("SELECT close_reason FROM handoffs WHERE id = ?", (handoff_id,)).fetchone() == ("referred",)


def test_the_first_reply_is_recorded_for_the_response_time(desk, rasa, agent):
    _, handoff_id = queued(desk, rasa)
    agent.take(handoff_id)
    before = time.time()
    agent.reply(handoff_id, "uno")
    agent.reply(handoff_id, "dos")
    with sqlite3.connect(desk.db) as db:
        (first,) = db.execute("SELECT first_reply_at FROM handoffs WHERE id = ?", (handoff_id,)).fetchone()
    assert before - 1 <= first <= time.time()


# ---------------------------------------------------------------- the canned replies file

def write(tmp_path, text):
    path = tmp_path / "respuestas.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text,message", [
    ("replies: []\n", "replies: must be a list with at least one reply"),
    ("otra: 1\n", "must have a 'replies:' list"),
    ("replies:\n  - title: Hola\n", "replies[1].text: missing"),
    ("replies:\n  - text: Hola\n", "replies[1].title: missing"),
    ("replies:\n  - {title: A, text: x}\n  - {title: a, text: y}\n", "replies[2].title: 'a' is also the title of replies[1]"),
    ("replies:\n  - {title: A, text: 'Hola {nombre}'}\n", "replies[1].text: uses {nombre}; the desk fills only {agent_name}, {agent_role}"),
    (f"replies:\n  - {{title: A, text: '{'x' * 2001}'}}\n", "replies[1].text: 2001 characters; at most 2000"),
    (f"replies:\n  - {{title: '{'t' * 61}', text: x}}\n", "replies[1].title: 61 characters; at most 60"),
    ("replies:\n  - {title: A, text: x, color: red}\n", "replies[1]: unknown field color"),
    ("replies: [\n", "is not valid YAML"),
])
def test_a_bad_canned_replies_file_is_named_with_the_reply_and_field(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        canned.load(write(tmp_path, text))
    assert message in str(error.value)
    assert str(tmp_path / "respuestas.yml") in str(error.value)


def test_the_shipped_canned_replies_are_valid():
    replies = canned.load(canned.DEFAULT_FILE)
    assert len(replies) >= 5 and all(r.title and r.text for r in replies)


def test_the_desk_does_not_start_with_a_bad_canned_replies_file(tmp_path):
    bad = write(tmp_path, "replies:\n  - title: Saludo\n")
    env = stack.base_env({"DESK_PORT": str(stack.free_port()), "DESK_DB": str(tmp_path / "desk.db"),
                          "DESK_WEBHOOK_SECRET": uuid.uuid4().hex, "RASA_AUTH_TOKEN": uuid.uuid4().hex,
                          "DESK_CANNED_REPLIES": str(bad)})
    result = subprocess.run([str(stack.ACTIONS_PYTHON), "-m", "desk"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert f"The agent desk cannot start: {bad}: replies[1].text: missing." in result.stderr
    check = subprocess.run([str(stack.ACTIONS_PYTHON), "-m", "desk", "check-replies"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 2 and "replies[1].text: missing" in check.stderr
    env.pop("DESK_CANNED_REPLIES")
    good = subprocess.run([str(stack.ACTIONS_PYTHON), "-m", "desk", "check-replies"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert good.returncode == 0 and "canned replies, valid." in good.stdout

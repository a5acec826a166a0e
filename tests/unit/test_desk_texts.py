"""The desk's texts to the customer come from domain.yml (desk/texts.py).

The real domain must hold every response the desk says, with only the variables
the desk fills; a domain without one stops the desk at start-up; and what an
agent's take, hand-back and close post to Rasa is the domain's text (a changed
copy of the domain in a temp dir changes what the customer reads).
"""

import re
import secrets
import subprocess
import time
import uuid

import pytest
import yaml

from desk.config import Config, ConfigError
from desk.store import Agent
from desk.texts import RESPONSES, DeskTexts, fill
from tests.conftest import ROOT
from tests.desk_support import Agent as DeskAgent
from tests.desk_support import packet, running_desk
from tools import stack

DOMAIN = ROOT / "domain.yml"
ANA = Agent(1, "ana", "Ana", "asesora de soporte")
NEEDED = ("utter_desk_taken", "utter_desk_returned", "utter_desk_closed")
GOOD_SECRETS = {"RASA_AUTH_TOKEN": secrets.token_urlsafe(32), "DESK_WEBHOOK_SECRET": secrets.token_urlsafe(32)}


def domain_with(tmp_path, **responses):
    """A copy of the real domain with some of the desk's responses replaced (None: removed)."""
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    for name, variants in responses.items():
        if variants is None:
            domain["responses"].pop(name)
        else:
            domain["responses"][name] = variants
    path = tmp_path / "domain.yml"
    path.write_text(yaml.safe_dump(domain, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------- the real domain

def test_the_desk_needs_exactly_these_responses():
    assert tuple(RESPONSES) == NEEDED


def test_the_real_domain_has_every_response_the_desk_says_with_only_its_variables():
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    for name in NEEDED:
        assert responses.get(name), f"domain.yml has no {name}"
        for variant in responses[name]:
            assert set(variant) == {"text"}, (name, variant)
            assert set(re.findall(r"{([^{}]*)}", variant["text"])) <= {"agent_name", "agent_role"}, (name, variant)
    texts = DeskTexts.load(DOMAIN)
    assert texts.variants["utter_desk_taken"] == tuple(v["text"] for v in responses["utter_desk_taken"])


def test_the_real_domains_texts_filled_for_ana():
    texts = DeskTexts.load(DOMAIN)
    assert texts.taken(ANA) == "Le atiende Ana, asesora de soporte."
    assert texts.returned(ANA) == ("Ana le devolvió la conversación al asistente virtual. "
                                   "¿En qué más le puedo ayudar?")
    assert texts.closed(ANA) == "La conversación con el asesor terminó. Gracias por escribirnos."


def test_the_configuration_points_at_the_projects_domain_by_default():
    base = GOOD_SECRETS
    assert Config.from_env(base).domain_file == DOMAIN
    assert Config.from_env({**base, "DESK_DOMAIN_FILE": "var/otro.yml"}).domain_file == ROOT / "var" / "otro.yml"
    assert Config.from_env({**base, "DESK_DOMAIN_FILE": "/tmp/d.yml"}).domain_file.as_posix() == "/tmp/d.yml"


# ------------------------------------------------------------- filling and checks

def test_variables_are_filled_like_slots_and_values_are_inserted_as_they_are():
    assert fill("{agent_name} ({agent_role}) y {agent_name}", {"agent_name": "Ana", "agent_role": "x"}) == \
        "Ana (x) y Ana"
    odd = Agent(2, "beto", "{agent_role} Beto", "asesor {0}")
    assert fill("Le atiende {agent_name}, {agent_role}.", {"agent_name": odd.name, "agent_role": odd.role}) == \
        "Le atiende {agent_role} Beto, asesor {0}."


def test_one_of_the_variants_is_said(tmp_path):
    path = domain_with(tmp_path, utter_desk_closed=[{"text": "Adiós, {agent_name}."}, {"text": "Hasta luego."}])
    texts = DeskTexts.load(path)
    said = {texts.closed(ANA) for _ in range(200)}
    assert said == {"Adiós, Ana.", "Hasta luego."}


@pytest.mark.parametrize("name", NEEDED)
def test_a_domain_without_one_of_the_responses_is_refused(tmp_path, name):
    path = domain_with(tmp_path, **{name: None})
    with pytest.raises(ConfigError, match=re.escape(f"{path}: responses.{name} is missing")):
        DeskTexts.load(path)


@pytest.mark.parametrize("variants,message", [
    ([{"text": "Le atiende {agent_name}, {agent_email}."}], "uses {agent_email}; the desk fills only"),
    ([{"text": "Le atiende {name}."}], "uses {name}"),
    ([{"text": "Le atiende {agent_name!r}."}], "uses {agent_name!r}"),
    ([{"text": "Le atiende {agent_name}."}, {"text": "Hola {cedula}"}], "variant 2, uses {cedula}"),
    ([{"text": "Le atiende {agent_name}.", "buttons": [{"title": "Sí", "payload": "/affirm"}]}],
     "has buttons: the desk sends text only"),
    ([{"image": "logo.png"}], "variant 1, has no text"),
    ([{"text": "   "}], "has no text"),
    ([], "must be a list of variants"),
    ("Le atiende {agent_name}.", "must be a list of variants"),
])
def test_a_response_the_desk_cannot_say_is_refused(tmp_path, variants, message):
    path = domain_with(tmp_path, utter_desk_taken=variants)
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        DeskTexts.load(path)
    assert "responses.utter_desk_taken" in str(error.value)


def test_an_unreadable_domain_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        DeskTexts.load(tmp_path / "no-existe.yml")
    broken = tmp_path / "roto.yml"
    broken.write_text("responses: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        DeskTexts.load(broken)
    empty = tmp_path / "vacio.yml"
    empty.write_text("version: '3.1'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no 'responses:' section"):
        DeskTexts.load(empty)


# ------------------------------------------------------------- the desk process

@pytest.mark.slow
def test_the_desk_does_not_start_without_its_responses(tmp_path):
    path = domain_with(tmp_path, utter_desk_returned=None)
    env = stack.base_env({**GOOD_SECRETS, "DESK_DB": str(tmp_path / "d.db"),
                          "DESK_DOMAIN_FILE": str(path), "DESK_PORT": str(stack.free_port())})
    result = subprocess.run([str(stack.ACTIONS_PYTHON), "-m", "desk"], cwd=stack.ROOT, capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.returncode == 2
    assert "The agent desk cannot start:" in result.stderr and "responses.utter_desk_returned is missing" in result.stderr


@pytest.mark.slow
def test_take_return_and_close_carry_the_domains_text(tmp_path):
    path = domain_with(
        tmp_path,
        utter_desk_taken=[{"text": "Hola, soy {agent_name} ({agent_role}) y le acompaño desde ahora."}],
        utter_desk_returned=[{"text": "{agent_name} terminó; el asistente sigue con usted."}],
        utter_desk_closed=[{"text": "Gracias, {agent_name} cerró la conversación."}],
    )
    with running_desk(tmp_path, extra_env={"DESK_DOMAIN_FILE": str(path)}) as (desk, rasa):
        agent = DeskAgent(desk)
        assert agent.login().status_code == 200
        events = {}
        for finish in ("return", "close"):
            cid = uuid.uuid4().hex
            rasa.trackers[cid] = [{"event": "session_started", "timestamp": time.time() - 10}]
            handoff_id = desk.post_packet(packet(cid)).json()["handoff_id"]
            assert agent.take(handoff_id).status_code == 200
            assert agent.act(handoff_id, finish, reason="resolved").status_code == 200
            posted = [c["body"] for c in rasa.calls_for(cid) if c["what"] == "tracker/events"]
            events["take"], events[finish] = posted[0], posted[1]
    texts = {name: [e.get("text") for e in posted if e["event"] == "bot"] for name, posted in events.items()}
    assert texts == {"take": ["Hola, soy Ana (asesora de soporte) y le acompaño desde ahora."],
                     "return": ["Ana terminó; el asistente sigue con usted."],
                     "close": ["Gracias, Ana cerró la conversación."]}
    # What the widget shows (the custom payload) carries the same text.
    assert [e["data"]["custom"]["data"]["text"] for e in events["take"] if e["event"] == "bot"] == texts["take"]
    assert [e["event"] for e in events["return"]] == ["resume", "bot"]
    assert [e["event"] for e in events["close"]] == ["bot", "resume"]

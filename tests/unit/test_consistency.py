"""The published page is the only source of contact data; the core stays plain Python."""

import ast
import re

import yaml

from tests.conftest import ROOT

SEED = (ROOT.parent / "shared" / "seed" / "canales-de-atencion.txt")
PHONE = re.compile(r"\(\d{2,3}\)\s?\d[\d ]{5,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"https?://[^\s\"'<>)]+[^\s\"'<>).,;:]")
EXTENSION = re.compile(r"\b1\d{3}\b")


def seed_text() -> str:
    if SEED.exists():
        return SEED.read_text(encoding="utf-8")
    # The seed lives outside the repository; a copy is kept for clean clones.
    return (ROOT / "docs" / "canales-de-atencion.txt").read_text(encoding="utf-8")


def normalise_phone(value: str) -> str:
    return re.sub(r"\D", "", value)


def contact_data(text: str):
    # Loopback addresses are the system's own services, not contact data.
    urls = {u for u in URL.findall(text) if not u.startswith(("http://127.0.0.1", "http://localhost"))}
    return (
        {normalise_phone(p) for p in PHONE.findall(text)},
        set(EMAIL.findall(text)),
        urls,
    )


SOURCES = ["domain.yml", "schedule/channels.yml", "README.md"]


def test_the_seed_copy_matches_the_published_page():
    copy = (ROOT / "docs" / "canales-de-atencion.txt").read_text(encoding="utf-8")
    if SEED.exists():
        assert copy == SEED.read_text(encoding="utf-8")


def test_no_contact_data_is_invented():
    seed_phones, seed_emails, seed_urls = contact_data(seed_text())
    seed_digits = normalise_phone(seed_text())
    for name in SOURCES + [str(p.relative_to(ROOT)) for p in (ROOT / "actions").glob("*.py")] \
            + [str(p.relative_to(ROOT)) for p in (ROOT / "helpdesk").glob("*.py")]:
        path = ROOT / name
        if not path.exists():
            continue
        phones, emails, urls = contact_data(path.read_text(encoding="utf-8"))
        assert phones <= seed_phones | {p for p in phones if p in seed_digits}, (name, phones - seed_phones)
        assert emails <= seed_emails, (name, emails - seed_emails)
        assert urls <= seed_urls, (name, urls - seed_urls)


def test_extensions_are_the_published_ones(schedule):
    published = {"1104", "1108", "1102", "1101"}
    for level in schedule.escalation_levels.values():
        for contact in level.contacts:
            assert set(contact.extensions) <= published


def test_static_texts_agree_with_the_schedule_file(schedule):
    """The texts shown when the action server is down carry the same facts as the YAML."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    statics = {}
    for variation in domain["responses"]["utter_answer"]:
        conditions = {c["name"]: c["value"] for c in variation.get("condition") or []}
        if conditions.get("answer_ready") is not True:
            statics[conditions.get("request_family", "general")] = variation["text"]
    line = schedule.channel("support_line").contacts[0]
    assert f"{line.value}, {line.instructions}" in statics["general"]
    assert schedule.channel("email").contacts[0].value in statics["general"]
    assert schedule.channel("chat").contacts[0].value in statics["general"]
    assert schedule.channel("priority_line").contacts[0].value in statics["critical"]
    for level in ("supervisor", "coordinator"):
        assert schedule.escalation_level(level).contacts[0].value in statics["escalation"]
    assert "de lunes a viernes de 7:00 a. m. a 7:00 p. m. y los sábados de 8:00 a. m. a 1:00 p. m." in statics["general"]
    assert "de lunes a viernes de 7:00 a. m. a 5:00 p. m. y los sábados de 8:00 a. m. a 1:00 p. m." in statics["general"]


def test_the_24_7_number_appears_only_in_critical_wording():
    """Written out only in the static answer for a critical incident; elsewhere it comes from the action."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variations in domain["responses"].items():
        for variation in variations:
            if "318 717 49 37" in variation.get("text", ""):
                conditions = {c["name"]: c["value"] for c in variation.get("condition") or []}
                assert (name, conditions) == ("utter_answer", {"answer_ready": False, "request_family": "critical"})


def test_the_core_never_imports_rasa():
    for path in (ROOT / "helpdesk").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("rasa", "rasa_sdk"), f"{path.name} imports {name}"


def test_actions_never_speak_directly():
    """Actions return slot events; the rules say the responses (see domain.yml)."""
    for path in (ROOT / "actions").glob("*.py"):
        assert "utter_message" not in path.read_text(encoding="utf-8"), path.name


def test_the_support_line_has_one_name_in_every_answer():
    # "la línea de soporte" everywhere; "mesa de ayuda" only inside the published e-mail addresses.
    for path in [ROOT / "domain.yml", *sorted((ROOT / "helpdesk").glob("*.py"))]:
        text = path.read_text(encoding="utf-8").replace("mesadeayuda@", "")
        assert "mesa de ayuda" not in text.lower(), path

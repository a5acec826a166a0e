"""The published page is the only source of contact data; the core stays plain Python."""

import ast
import re

import yaml

from helpdesk.spanish import format_contact, format_contacts, format_weekly_hours
from tests.conftest import ROOT

SEED = (ROOT.parent / "shared" / "seed" / "canales-de-atencion.txt")
SEED_COPY = ROOT / "docs" / "canales-de-atencion.txt"
# Phone numbers as people write them: "(601) 7442727", "(57) 318 717 49 37", "+57 601 744 2727",
# "+576017442727" (tel: links).
PHONE = re.compile(r"\(\d{2,3}\)\s?\d[\d ]{5,}\d|\+\s?57[\s\d-]{7,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"https?://[^\s\"'<>)`]+[^\s\"'<>).,;:`]")
EXTENSION = re.compile(r"\b1\d{3}\b")


def seed_text() -> str:
    """The published page: the seed when this checkout sits beside it, else the copy kept in
    docs/ for clean clones. Without either the test fails: it must never pass for lack of a source."""
    for path in (SEED, SEED_COPY):
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise AssertionError(f"neither {SEED} nor {SEED_COPY} exists: nothing to check the contact data against")


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


def published_digits(seed: str) -> set[str]:
    """Every published number as digits, with and without Colombia's country code (57)."""
    phones = {normalise_phone(p) for p in PHONE.findall(seed)}
    return phones | {"57" + p for p in phones} | {p[2:] for p in phones if p.startswith("57")}


# Every file a customer, an agent or a supervisor can see, and the code that writes their texts.
SCANNED = ["README.md", "domain.yml", "schedule/channels.yml", "schedule/phrases.yml", "credentials.yml", "endpoints.yml"]
SCANNED_TREES = {"actions": ("*.py",), "helpdesk": ("*.py",), "desk": ("*.py", "*.js", "*.css", "*.html", "*.yml"),
                 "web": ("*.py", "*.js", "*.html", "*.css"), "docs": ("*.md",), "data": ("*.yml",),
                 "deploy": ("*",), "tools": ("*.py",), "addons": ("*.py",), "insights": ("*.py", "*.html", "*.js")}


# Examples of what customers type (fake numbers and addresses): in the code that masks them out of
# the supervisors' report, and in the simulated customers that feed it. Nobody is shown them as
# contact data.
CUSTOMER_INPUT_EXAMPLES = {"helpdesk/privacy.py", "tools/conversation_player.py"}


def scanned_files() -> list:
    files = [ROOT / name for name in SCANNED]
    for tree, patterns in SCANNED_TREES.items():
        for pattern in patterns:
            files += [p for p in (ROOT / tree).rglob(pattern)
                      if p.is_file() and "node_modules" not in p.parts and "__pycache__" not in p.parts]
    return sorted(f for f in set(files) if str(f.relative_to(ROOT)) not in CUSTOMER_INPUT_EXAMPLES)


def test_the_seed_copy_matches_the_published_page():
    assert SEED_COPY.exists(), "docs/canales-de-atencion.txt (the copy for clean clones) is missing"
    if SEED.exists():
        assert SEED_COPY.read_text(encoding="utf-8") == SEED.read_text(encoding="utf-8")


def test_no_contact_data_is_invented():
    seed = seed_text()
    _, seed_emails, seed_urls = contact_data(seed)
    allowed_digits = published_digits(seed)
    files = scanned_files()
    assert len(files) > 40 and all(f.exists() for f in files[:5]), files  # the scan found the tree
    found_any, problems = False, []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        phones, emails, urls = contact_data(text)
        found_any |= bool(phones or emails)
        name = str(path.relative_to(ROOT))
        # templates in code (http://%s:%d) and the deployment's own services are not contact data
        urls = {u for u in urls if not re.search(r"[%{$]", u) and not is_internal_url(u)}
        for kind, extra in (("phone", phones - allowed_digits), ("e-mail", emails - seed_emails),
                            ("url", urls - seed_urls - NON_CONTACT_URLS)):
            problems += [(name, kind, value) for value in sorted(extra)]
    assert problems == []
    assert found_any


# Links that are not contact data: a specification and a tool named in the docs.
NON_CONTACT_URLS = {"http://www.w3.org/2000/svg", "https://helm.rasa.com"}


def is_internal_url(url: str) -> bool:
    """A service of the deployment itself (docs/deployment.md): "http://actions:5055/webhook",
    a Kubernetes "….svc" name, or the reserved example domains."""
    host = re.sub(r"^https?://", "", url).split("/")[0].split(":")[0]
    return "." not in host or host.endswith(".svc") or host.split(".")[-2] == "example" or host.startswith("example.")


def test_the_scan_catches_an_invented_number_written_any_way():
    seed = seed_text()
    allowed = published_digits(seed)
    assert not is_internal_url("http://chat.certicamara.com/otro") and not is_internal_url("https://www.ejemplo.co")
    for invented in ["(601) 7449999", "+57 601 744 9999", "+573001234567", "(57) 318 717 49 99"]:
        phones, _, _ = contact_data(f"Llame al {invented}.")
        assert phones and not phones <= allowed, invented
    for published in ["(601) 7442727", "+57 601 744 2727", "tel:+573187174937", "(57) 318 717 49 37"]:
        phones, _, _ = contact_data(published)
        assert phones and phones <= allowed, published


def test_extensions_are_the_published_ones(schedule):
    published = set(EXTENSION.findall(seed_text()))
    assert {"1104", "1108", "1102", "1101"} <= published
    for level in schedule.escalation_levels.values():
        for contact in level.contacts:
            assert set(contact.extensions) <= published


def _responses():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variations in domain["responses"].items():
        for variation in variations:
            conditions = {c["name"]: c["value"] for c in variation.get("condition") or []}
            texts = [variation.get("text") or ""] + [b["title"] for b in variation.get("buttons") or []]
            yield name, conditions, " ".join(texts)


def _all_contacts(schedule):
    for channel in schedule.channels.values():
        yield from channel.contacts
    for level in schedule.escalation_levels.values():
        yield from level.contacts


def test_every_number_in_a_response_is_written_as_channels_yml_writes_it(schedule):
    """Every phone number in any response of domain.yml comes with the dialling instructions or
    extensions channels.yml gives for it (an option or extension that changed is caught here)."""
    written = {}
    for contact in _all_contacts(schedule):
        written.setdefault(normalise_phone(contact.value), []).append(format_contact(contact))
    checked = 0
    for name, conditions, text in _responses():
        for match in PHONE.finditer(text):
            forms = written.get(normalise_phone(match.group()))
            assert forms, (name, conditions, match.group())
            tail = text[match.start():]
            longest = max((f for f in forms if tail.startswith(f)), key=len, default=None)
            assert longest is not None, (name, conditions, tail[:80], forms)
            rest = tail[len(longest):]
            assert not re.match(r",?\s*(opci[oó]n|extensi[oó]n|ext\.)", rest), (name, conditions, tail[:90])
            checked += 1
        for email in EMAIL.findall(text):
            assert any(c.value == email for c in _all_contacts(schedule)), (name, email)
    assert checked >= 6


def test_static_texts_carry_what_channels_yml_says_for_each_request(schedule):
    """The answers given when the action server is down (one per request family, and the PQRSA
    one for a question about that channel) carry each channel's contacts and hours as
    channels.yml gives them, written the way the live answers write them."""
    statics = {}
    for name, conditions, text in _responses():
        if name == "utter_answer" and conditions.get("answer_ready") is not True:
            key = conditions.get("request_family", "general")
            if "asked_channel" in conditions:
                key = f"{key}+{conditions['asked_channel']}"
            statics[key] = text
    assert set(statics) == {"general", "critical", "pqrsa", "escalation", "human", "general+pqrsa"}, statics
    ch = schedule.channel
    level = schedule.escalation_level
    expected = {
        "general": [format_contact(ch("support_line").contacts[0]), ch("chat").contacts[0].value,
                    ch("email").contacts[0].value, format_weekly_hours(ch("support_line")),
                    format_weekly_hours(ch("chat")), format_weekly_hours(ch("email"))],
        "critical": [format_contact(ch("priority_line").contacts[0]), "las 24 horas, todos los días",
                     format_contact(ch("support_line").contacts[0])],
        "pqrsa": [format_contacts(ch("pqrsa").contacts), format_weekly_hours(ch("pqrsa"))],
        "general+pqrsa": [format_contacts(ch("pqrsa").contacts), format_weekly_hours(ch("pqrsa"))],
        "escalation": [format_contacts(level("supervisor").contacts), format_contacts(level("coordinator").contacts)],
        "human": [ch("chat").contacts[0].value, format_contact(ch("support_line").contacts[0]),
                  format_weekly_hours(ch("chat"))],
    }
    for family, fragments in expected.items():
        for fragment in fragments:
            assert fragment in statics[family], (family, fragment, statics[family])
    # the 24/7 line only where the request is critical
    priority = normalise_phone(ch("priority_line").contacts[0].value)
    for family, text in statics.items():
        assert (priority in normalise_phone(text)) == (family == "critical"), family


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
    """Actions return slot events; the rules say the responses (see domain.yml). The one
    exception is ``say_before``: the earlier answers of a message that asked several
    things, rendered from domain.yml's own ``utter_answer`` variations."""
    for path in (ROOT / "actions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "runtime.py":
            assert text.count("utter_message") == 1 and "rendered = render(answer, domain)" in text
        else:
            assert "utter_message" not in text, path.name


def test_the_support_line_has_one_name_in_every_answer():
    # "la línea de soporte" everywhere; "mesa de ayuda" only inside the published e-mail addresses.
    for path in [ROOT / "domain.yml", ROOT / "schedule" / "phrases.yml", *sorted((ROOT / "helpdesk").glob("*.py"))]:
        text = path.read_text(encoding="utf-8").replace("mesadeayuda@", "")
        assert "mesa de ayuda" not in text.lower(), path


def test_one_catalogue_of_answer_kinds_ties_the_code_the_domain_and_the_report():
    """helpdesk/catalogue.py lists every answer kind once, with its Spanish label for the
    support report; domain.yml words each of them; the code gives no other kind."""
    import re

    from helpdesk.catalogue import ANSWER_KINDS, ANSWER_LABELS
    from insights import report

    variations = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]["utter_answer"]
    worded = {c["value"] for v in variations for c in v.get("condition") or [] if c.get("name") == "answer_kind"}
    # Two kinds open a guided question and are worded by its own responses: handoff_question
    # (utter_request_question) and triage_after_hours (utter_triage_intro).
    assert worded == set(ANSWER_KINDS) - {"handoff_question", "triage_after_hours"}
    assert report.ANSWER_LABELS is ANSWER_LABELS and all(ANSWER_LABELS[k] for k in ANSWER_KINDS)
    given = set()
    for path in [*(ROOT / "helpdesk").glob("*.py"), *(ROOT / "actions").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        given |= set(re.findall(r'Answer\(\s*"([a-z_0-9]+)"', text))
        given |= {m for m in re.findall(r'kind = "([a-z_0-9]+)"', text)}
    # "not_understood_twice" is the core's signal that actions/unclear.py turns into one of
    # the not_understood_twice_* / not_understood_handoff kinds (it is never worded itself).
    assert given - {"not_understood_twice"} <= set(ANSWER_KINDS), given - set(ANSWER_KINDS)


def test_one_catalogue_of_intent_labels_ties_the_domain_and_the_report():
    """helpdesk/catalogue.py gives every intent of domain.yml (and Rasa's nlu_fallback) one
    Spanish label, none other; the report labels intents with it and has no list of its own."""
    from helpdesk.catalogue import INTENT_LABELS, INTENTS, intent_label
    from insights import report

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(INTENTS) == set(domain["intents"]) | {"nlu_fallback"}, set(INTENTS) ^ (set(domain["intents"])
                                                                                      | {"nlu_fallback"})
    labels = [INTENT_LABELS[i] for i in INTENTS]
    assert all(label.strip() for label in labels) and len(set(labels)) == len(labels)  # one meaning, one label
    assert not any("_" in label for label in labels)  # Spanish words, not ids
    assert report.INTENT_LABELS is INTENT_LABELS and not hasattr(report, "REQUEST_INTENT_LABELS")
    assert intent_label("ask_contact+ask_opening_hours") == "Pide datos de contacto + Pregunta por horarios"
    assert intent_label("a_newer_intent") == "a_newer_intent" and intent_label("") == "Sin intención"

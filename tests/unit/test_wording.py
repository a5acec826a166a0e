"""Customers read Spanish written in data, never in Python; every hour comes from the schedule.

Whole answers are worded in ``domain.yml``; the pieces the core composes from the schedule
are the templates of ``schedule/phrases.yml`` (helpdesk/phrases.py, docs/wording.md). The
guard below reads every string literal of ``helpdesk/*.py`` and ``actions/*.py`` and fails
on one that looks like Spanish for customers; ``tools/wording_snapshot.py`` proves that
moving the words into data changed no answer, and keeps proving it.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass

import pytest

from helpdesk.phrases import TEMPLATES, load_phrases
from tests.conftest import ROOT
from tools import wording_snapshot

CODE = sorted([*(ROOT / "helpdesk").glob("*.py"), *(ROOT / "actions").glob("*.py")])

# Words of Spanish sentences that are not English words: two of them in one literal, or one in
# an f-string (a sentence being built), is Spanish being written.
SPANISH_WORDS = frozenset("""
    de la el que y en los las del para con se su sus al lo es por un una le hoy mañana ayer ahora
    hasta desde sin puede atiende atienden abre abren está hay horario atención canal línea correo
    excepto festivo festivos todos días horas cuando nuevo
""".split())
# Output words that are a sentence's part on their own ("abre" if one else "abren").
SPANISH_OUTPUT_WORDS = frozenset({"atiende", "atienden", "abre", "abren", "hoy", "mañana", "ayer"})
SPANISH_ONLY_LETTERS = re.compile(r"[áéíóúñ¿¡]", re.IGNORECASE)
LETTER_SPACE_LETTER = re.compile(r"[^\W\d_]\s+[^\W\d_]")
WORD = re.compile(r"[^\W\d_]+")

# Spanish for the support team, not for customers: the labels of the report and the agent's
# packet (their own catalogue), the packet the desk shows an agent. Each entry is a module and
# the top-level names (constants, functions) whose literals are allowed.
STAFF_FACING = {
    "helpdesk/catalogue.py": {"*"},
    "helpdesk/handoff.py": {"REASONS", "COLLECTED_SLOTS", "payload_text", "transcript", "priority_of",
                            "build_packet", "hours_context", "_show"},
}
# Words the code reads in the customers' messages (they are not written to anyone).
READ_VOCABULARY = {
    "helpdesk/dates.py": {"HOLIDAY_WORDS"},
}
# Calls whose string arguments are for operators or are patterns, not for customers.
OPERATOR_CALLS = {"debug", "info", "warning", "error", "exception", "critical", "print"}
PATTERN_CALLS = {"compile", "search", "match", "fullmatch", "sub", "findall", "finditer", "split"}


def looks_like_spanish(text: str, built: bool) -> bool:
    """Whether a literal's text reads as Spanish for people (``built``: an f-string's fixed parts)."""
    words = [w.lower() for w in WORD.findall(text)]
    spanish = [w for w in words if w in SPANISH_WORDS]
    spaced = LETTER_SPACE_LETTER.search(text) is not None
    if len(spanish) >= 2 and spaced:
        return True
    if built and spanish:
        return True
    if spaced and SPANISH_ONLY_LETTERS.search(text):
        return True
    return len(words) == 1 and words[0] in SPANISH_OUTPUT_WORDS


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    owner: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.owner}): {self.text[:90]!r}"


def _text_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else " {} "
                       for v in node.values)
    return None


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def not_for_customers(tree: ast.AST) -> set[int]:
    """The literals of ``tree`` no customer reads: docstrings; log, print and exception messages
    (for operators); regular expressions; words the code compares the customer's text with
    (reading, not writing); dict keys (lookups)."""
    skipped: set[int] = set()

    def skip(node: ast.AST) -> None:
        skipped.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _text_of(body[0].value) is not None:
                skip(body[0])
        elif isinstance(node, ast.Raise) and node.exc is not None:
            skip(node.exc)
        elif isinstance(node, ast.Call) and _call_name(node) in OPERATOR_CALLS | PATTERN_CALLS:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                skip(arg)
        elif isinstance(node, ast.Compare):
            skip(node)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    skip(key)
        elif isinstance(node, ast.JoinedStr):
            for part in node.values:
                skipped.add(id(part))  # read as a whole
    return skipped


def spanish_literals(source: str, path: str = "<code>") -> list[Finding]:
    """The string literals of ``source`` that look like Spanish for customers (not those of
    ``not_for_customers``, nor the staff-facing names of ``STAFF_FACING``)."""
    tree = ast.parse(source)
    skipped = not_for_customers(tree)
    allowed = STAFF_FACING.get(path, set()) | READ_VOCABULARY.get(path, set())
    findings = []
    for top in tree.body:
        owner = _owner(top)
        if "*" in allowed or owner in allowed:
            continue
        for node in ast.walk(top):
            text = _text_of(node)
            if text is None or id(node) in skipped:
                continue
            if looks_like_spanish(text, isinstance(node, ast.JoinedStr)):
                findings.append(Finding(path, node.lineno, owner, text))
    return findings


def _owner(node: ast.stmt) -> str:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return "(module)"


def test_no_python_code_writes_spanish_for_customers():
    findings = []
    for path in CODE:
        rel = path.relative_to(ROOT).as_posix()
        findings += spanish_literals(path.read_text(encoding="utf-8"), rel)
    assert not findings, ("Customer-facing Spanish in Python: word it in domain.yml or schedule/phrases.yml "
                          "(docs/wording.md):\n" + "\n".join(map(str, findings)))


# What the code wrote before the wording moved to data (helpdesk/answers.py, spanish.py,
# triage.py, dialogue.py, handoff.py, incidents.py at commit 431b38a), and what it must not
# mistake for it.
WRITTEN_BEFORE = [
    'CLOSED_AGAIN = "Como le comenté, ahora no hay atención."',
    'def f(reason):\n    return f"Hoy es {reason} y no hay atención."',
    'def f(): return "Los sábados se atiende hasta la 1:00 p. m.; ahora no hay atención."',
    'def f(verb, parts): return es.sentence(f"Ahora {verb}: {parts}")',
    'def f(n): verb = "abre" if n == 1 else "abren"',
    'def f(clock): return f"hoy {clock}"',
    'def f(text):\n    text += ", excepto festivos"',
    'OPTION_TITLES = {"ask_open_now": "¿Me pueden atender ahora?", "ask_price": "Precios y tarifas"}',
    'def f(m): return "alrededor de un minuto" if m == 1 else f"unos {m} minutos"',
    'def f(u): return es.sentence(f"Última actualización: {u}")',
    'LABELS = {"estampado_cronologico": "Estampado cronológico"}',
    'def f(s): return f"el servicio ({s})"',
]
NOT_FOR_CUSTOMERS = [
    '"""Docstring: "hoy a las 7:00 a. m." y "mañana miércoles a las 7:00 a. m."."""',
    'def f():\n    """Hoy es domingo y no hay atención."""',
    'logger.info("Schedule loaded from %s: la línea de soporte y el chat", path)',
    'raise ValueError(f"no utter_answer variation for {kind} in domain.yml")',
    'PAST = re.compile(r"\\b(?:se me vencio|se vencio|escribi|llame)\\b")',
    'def f(suffix): return suffix in ("de la tarde", "de la noche")',
    'ALIASES = {"dia de la raza": ("raza",), "todos los santos": ("todos",)}',
    'def f(key): return say(f"did_you_mean.{key}")',
    'def f(a, b): return f"{a}, {b}"',
    'KINDS = {"support_line": "phone", "email": "email"}',
    'MESSAGE = "must be a list of channel ids, got {value}."',
]


@pytest.mark.parametrize("source", WRITTEN_BEFORE)
def test_the_guard_catches_what_the_code_wrote_before(source):
    assert spanish_literals(source), source


@pytest.mark.parametrize("source", NOT_FOR_CUSTOMERS)
def test_the_guard_leaves_docstrings_logs_patterns_and_identifiers_alone(source):
    assert not spanish_literals(source), source


def test_staff_facing_spanish_is_named_one_by_one():
    """The packet the desk shows an agent is Spanish for the staff; the allowance is by name,
    so a customer's sentence added to the same module is still caught."""
    source = (ROOT / "helpdesk" / "handoff.py").read_text(encoding="utf-8")
    assert not spanish_literals(source, "helpdesk/handoff.py")
    assert spanish_literals(source, "helpdesk/elsewhere.py")  # REASONS, the transcript's markers…
    assert spanish_literals(source + '\n\ndef wait():\n    return "Un asesor le atenderá pronto"\n',
                            "helpdesk/handoff.py")


# ------------------------------------------------------------ hours

# A time of day as people or the schedule write it: "1:00 p. m.", "7 a. m.", "19:00", "12 m."
# (not a UTC offset, "+00:00").
CLOCK_TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:[ap]\.\s?m\.|m\.)|(?<![+\-\d])\d{1,2}:\d{2}\b")


def hard_coded_hours(source: str) -> list[str]:
    """Times of day written in a literal customers could read (``not_for_customers``), and a
    moment's hour or minute compared with a number ("local.hour >= 12"): hours that belong
    to the schedule."""
    tree = ast.parse(source)
    skipped = not_for_customers(tree)
    found = []
    for node in ast.walk(tree):
        text = _text_of(node)
        if text is not None and id(node) not in skipped and CLOCK_TIME.search(text):
            found.append(f"line {node.lineno}: {text[:60]!r}")
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr in ("hour", "minute") for s in sides) and any(
                    isinstance(s, ast.Constant) and isinstance(s.value, int) for s in sides):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_every_hour_comes_from_the_schedule():
    found = []
    for path in CODE:
        found += [f"{path.relative_to(ROOT)} {f}" for f in hard_coded_hours(path.read_text(encoding="utf-8"))]
    assert not found, "hours written in the code instead of read from schedule/channels.yml:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    'def f(): return "Los sábados se atiende hasta la 1:00 p. m.; ahora no hay atención."',
    "def f(local):\n    return local.weekday() == 5 and local.hour >= 12",
    'CLOSING = "19:00"',
])
def test_the_hours_check_catches_a_written_hour(source):
    assert hard_coded_hours(source)


def test_the_phrases_write_no_hour():
    """Only the way a time is written ("{hour}:{minute} a. m.", "12:00 m.") is in the phrases;
    the hours themselves come from channels.yml."""
    phrases = load_phrases(ROOT / "schedule" / "phrases.yml")
    for key, template in phrases.templates.items():
        if not key.startswith("time."):
            assert not CLOCK_TIME.search(template), (key, template)


# ------------------------------------------------------------ the same answers


def test_every_phrase_is_used_by_the_code():
    """No phrase a supervisor edits in vain: each key is named in the code (whole, or by the
    prefix the code completes with an id: "did_you_mean." + intent)."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in CODE)
    unused = [key for key in TEMPLATES
              if f'"{key}"' not in code and f"'{key}'" not in code
              and f'"{key.rsplit(".", 1)[0]}.{{' not in code and f"'{key.rsplit('.', 1)[0]}.' +" not in code]
    assert not unused, unused


def test_the_answers_read_as_the_snapshot():
    """Every answer of the quick set (tools/wording_snapshot.py) reads as tests/wording/answers.txt.

    After an intended change of wording or hours (domain.yml, schedule/phrases.yml,
    schedule/channels.yml, the code): ``make wording-snapshot`` and read the diff.
    """
    expected = wording_snapshot.SNAPSHOT.read_text(encoding="utf-8").splitlines()
    actual = list(wording_snapshot.lines(full=False))
    if actual != expected:
        diff = list(difflib.unified_diff(expected, actual, "tests/wording/answers.txt", "now", n=0, lineterm=""))
        pytest.fail(f"{sum(1 for d in diff if d.startswith('+') and not d.startswith('+++'))} answers changed "
                    "(if intended: make wording-snapshot, and read the diff):\n" + "\n".join(diff[:40]))


def test_the_snapshot_covers_every_answer_kind_worded_from_data():
    """The quick set reaches the answers whose wording the core composes."""
    kinds = {line.split("\t")[1] for line in wording_snapshot.SNAPSHOT.read_text(encoding="utf-8").splitlines()
             if "\t" in line}
    for kind in ("contact", "hours_week", "hours_weekday", "hours_date", "hours_date_closed", "hours_holiday",
                 "open_now", "closed_now", "normal_open", "normal_closed", "triage_after_hours", "pqrsa",
                 "escalation_levels", "escalation_supervisor", "did_you_mean_3", "human_unavailable",
                 "chat_here_closed", "price_unknown_closed", "case_status_unknown_open"):
        assert kind in kinds, kind

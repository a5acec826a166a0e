"""Files of the report: report.html with its two scripts, one CSV per figure, the NLU draft.

``write(report, out_dir)`` writes them all and returns their paths. The CSV files are
UTF-8 with a BOM (spreadsheets in Spanish open them with the accents right), one per
:class:`insights.report.Table`, named after it (``volumen_por_dia.csv``…).

``nlu_draft(report)`` is the not-understood messages as a Rasa NLU file to label: each
group of messages sits under ``intent: por_etiquetar``, with the NLU's likeliest intent
as a comment. A person replaces ``por_etiquetar`` with an intent of domain.yml (or deletes
the entry) and adds the file to ``data/nlu/``; ``rasa data validate`` then loads it
(tests/live/test_insights.py labels an export that way and runs it).

What customers typed is masked (``helpdesk.privacy.mask``, in ``insights.report``) and, in
each file, made safe for the program that opens it: every CSV cell through
``helpdesk.privacy.csv_cell`` (no spreadsheet formula, no NUL); every example of the NLU
draft on one line without control, format or bidi characters, with Rasa's entity markup
(``[x](y)``, ``[x]{…}``, ``[x][…]``) broken by a space, so the draft always loads and
carries no annotation (tests/unit/test_report_files.py). The folder is created 0700 and
every file 0600 (``helpdesk.privacy.private_dir`` / ``open_private``).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from helpdesk.privacy import csv_row, normalise, open_private, printable, private_dir, write_private
from insights import html as report_html
from insights.report import Report
from insights.source import ROOT

UNLABELLED = "por_etiquetar"
# "]" followed by "(", "{" or "[": Rasa reads "[text](entity)", "[text]{json}", "[text][list]" as
# an entity annotation in an example.
_ENTITY_MARKUP = re.compile(r"\](?=[({\[])")


def write_csv(report: Report, out_dir: Path) -> list[Path]:
    paths = []
    for table in report.tables.values():
        path = out_dir / f"{table.name}.csv"
        with open_private(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(csv_row(table.columns))
            writer.writerows(csv_row(row) for row in table.rows)
        paths.append(path)
    return paths


def _example(text: str) -> str:
    """One line of an examples block that Rasa reads back as exactly this text and no entity.

    NFKC ("（" is "("); one line (line breaks, controls and separators are spaces; format and bidi
    characters go);
    "]" never touches "(", "{" or "[" (an annotation); a backslash never comes before "u"/"U"
    (Rasa decodes ``\\uXXXX`` in a file that is all ASCII).
    """
    line = _ENTITY_MARKUP.sub("] ", printable(normalise(text)))
    return line.replace("\\u", "\\ u").replace("\\U", "\\ U")


def _comment(text: str) -> str:
    """An intent name in a comment: letters, digits, "_", "-" and "." only."""
    return re.sub(r"[^\w.\-]", "", printable(text))


def nlu_draft(report: Report) -> str:
    """The not-understood messages as a Rasa 3 NLU file with every example under ``por_etiquetar``."""
    by_guess: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for item in report.not_understood:
        line = _example(item.text)
        if not line or line.startswith("/") or line.lower() in seen:
            continue
        seen.add(line.lower())
        by_guess[item.intent_guess or ""].append(line)
    out = [
        'version: "3.1"',
        f"# Mensajes que el asistente no entendió del {report.start.isoformat()} al {report.end.isoformat()}",
        "# (datos personales enmascarados: [correo], [teléfono], [documento]).",
        f"# Para cada bloque: cambie «{UNLABELLED}» por la intención correcta de domain.yml, quite",
        "# los ejemplos que no sirvan y agregue el archivo a data/nlu/. Luego: rasa data validate.",
        "nlu:",
    ]
    if not by_guess:
        out[-1] = "nlu: []"
    for guess, lines in sorted(by_guess.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(f"  - intent: {UNLABELLED}  # intención más probable según el modelo: {_comment(guess) or 'ninguna'}")
        out.append("    examples: |")
        out.extend(f"      - {line}" for line in lines)
    return "\n".join(out) + "\n"


def write(report: Report, out_dir: Path | str) -> list[Path]:
    """Every file of the report into ``out_dir``: folders created 0700 (the project's var/ ones
    made 0700 if they existed), files 0600."""
    out = Path(out_dir)
    if not report_html.CHART_JS.exists():
        raise FileNotFoundError(f"{report_html.CHART_JS} is missing: run make setup (npm ci in web/)")
    var = (ROOT / "var").resolve()
    in_var = out.resolve() == var or var in out.resolve().parents
    if in_var:
        private_dir(var, tighten=True)
    private_dir(out, tighten=in_var)
    write_private(out / "chart.umd.js", report_html.CHART_JS.read_bytes())
    write_private(out / "report-charts.js", report_html.CHARTS_JS.read_bytes())
    page = write_private(out / "report.html", report_html.render(report))
    nlu = write_private(out / "no_entendidos.nlu.yml", nlu_draft(report))
    return [page, out / "chart.umd.js", out / "report-charts.js", nlu, *write_csv(report, out)]

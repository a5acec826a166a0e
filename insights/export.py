"""Files of the report: report.html with its two scripts, one CSV per figure, the NLU draft.

``write(report, out_dir)`` writes them all and returns their paths. The CSV files are
UTF-8 with a BOM (spreadsheets in Spanish open them with the accents right), one per
:class:`insights.report.Table`, named after it (``volumen_por_dia.csv``…).

``nlu_draft(report)`` is the not-understood messages as a Rasa NLU file to label: each
group of messages sits under ``intent: por_etiquetar``, with the NLU's likeliest intent
as a comment. A person replaces ``por_etiquetar`` with an intent of domain.yml (or deletes
the entry) and adds the file to ``data/nlu/``; ``rasa data validate`` then loads it
(tests/live/test_insights.py labels an export that way and runs it).
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path

from insights import html as report_html
from insights.report import Report

UNLABELLED = "por_etiquetar"


def write_csv(report: Report, out_dir: Path) -> list[Path]:
    paths = []
    for table in report.tables.values():
        path = out_dir / f"{table.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
        paths.append(path)
    return paths


def _example(text: str) -> str:
    """One line of an examples block: no line breaks; masks never touch (``][`` reads as Rasa markup)."""
    line = " ".join(text.split()).replace("][", "] [")
    return line


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
        out.append(f"  - intent: {UNLABELLED}  # intención más probable según el modelo: {guess or 'ninguna'}")
        out.append("    examples: |")
        out.extend(f"      - {line}" for line in lines)
    return "\n".join(out) + "\n"


def write(report: Report, out_dir: Path | str) -> list[Path]:
    """Every file of the report into ``out_dir`` (created)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not report_html.CHART_JS.exists():
        raise FileNotFoundError(f"{report_html.CHART_JS} is missing: run make setup (npm ci in web/)")
    shutil.copyfile(report_html.CHART_JS, out / "chart.umd.js")
    shutil.copyfile(report_html.CHARTS_JS, out / "report-charts.js")
    page = out / "report.html"
    page.write_text(report_html.render(report), encoding="utf-8")
    nlu = out / "no_entendidos.nlu.yml"
    nlu.write_text(nlu_draft(report), encoding="utf-8")
    return [page, out / "chart.umd.js", out / "report-charts.js", nlu, *write_csv(report, out)]

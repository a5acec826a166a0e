"""The support team's report over the conversations in Rasa's tracker store.

* ``insights.report.build(source, start, end) -> Report`` — every figure (README,
  "Informe para supervisores / Support insights"); ``insights.report.transcript`` —
  one conversation by id.
* ``insights.html.render(report, chart_js_src=…)`` — the page; ``insights.export.write``
  — report.html, its scripts, one CSV per figure and the NLU draft.
* ``insights.source`` — the tracker store of endpoints.yml, opened read-only.
* ``insights.masking.mask`` — e-mails, phones and document numbers out of customers' text.
* ``python -m insights`` — ``make report``; ``python -m insights.retention`` — ``make retention``,
  the only command that writes (it deletes old conversations).

Runs in .venv/actions (the desk's environment); never imports rasa.
"""

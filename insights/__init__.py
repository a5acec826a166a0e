"""The support team's report over the conversations in Rasa's tracker store.

* ``insights.report.build(source, start, end) -> Report`` — every figure (docs/report.md); ``insights.report.transcript`` —
  one conversation by id.
* ``insights.html.render(report, chart_js_src=…)`` — the page; ``insights.export.write``
  — report.html, its scripts, one CSV per figure and the NLU draft.
* ``insights.source`` — the tracker store of endpoints.yml, opened read-only.
* ``insights.traffic`` — which conversations are test traffic (``REPORT_TEST_SENDERS``), left out by default.
* customers' text is masked with ``helpdesk.privacy.mask`` (the product's one masking function:
  e-mails, phones, document numbers), and every file is written 0600 with CSV cells that start no
  formula and an NLU draft that always loads (``insights.export``).
* ``python -m insights`` — ``make report``; ``python -m insights.retention`` — ``make retention``,
  the only command that writes (it deletes old conversations).

Runs in .venv/actions (the desk's environment); never imports rasa.
"""

"""The supervisors' report beyond low confidence: what went wrong, containment, the desk's times,
per-agent figures, the previous period, test traffic and readable transcripts.

Every tracker here is written by hand (tests/report_trackers.py) in the shape Rasa stores it, so
each definition of docs/report.md is checked on a conversation that reads as its specification.
"""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from insights import report, source
from insights.traffic import DEFAULT_PREFIXES, TestTraffic, TrafficError, parse_prefixes, prefixes_from_env
from tests.conftest import ROOT
from tests.report_trackers import Tracker, Turn, handoff, moment

DAY = date(2026, 11, 10)  # a Tuesday: the channels are open from 7:00
ALL = TestTraffic(prefixes=DEFAULT_PREFIXES, include=True)
LINE = {"priority_contact": "(57) 318 717 49 37"}
HOURS = "Los sábados la línea de soporte, el chat y el correo atienden de 8:00 a. m. a 1:00 p. m."
DID_YOU_MEAN = ("No estoy seguro de haberle entendido. ¿Se refiere a «Horarios»?",
                [("Sí", "/affirm"), ("No", "/deny")])


def ask(text: str, intent: str = "ask_opening_hours", kinds=("hours_week",), **extra) -> Turn:
    return Turn(text, intent, list(kinds), bot=[(HOURS, [])], **extra)


def missed(text: str, kinds=("rephrase",), **extra) -> Turn:
    return Turn(text, "nlu_fallback", list(kinds), bot=[("Disculpe, no le entendí.", [])], **extra)


def build(tmp_path, conversations: dict[str, tuple[str, list[Turn]]], start: date = DAY, end: date = DAY,
          desk_db=None, traffic: TestTraffic = ALL, **kwargs) -> report.Report:
    tracker = Tracker(tmp_path / "tracker.db")
    for sender, (when, turns) in conversations.items():
        tracker.conversation(sender, when, turns)
    tracker.close()
    return report.build(source.TrackerSource("sqlite", str(tmp_path / "tracker.db")), start, end,
                        desk_db=desk_db, traffic=traffic, **kwargs)


def signals(built: report.Report, kind: str) -> list[report.Signal]:
    return [s for s in built.signals if s.kind == kind]


# ------------------------------------------------------------------ signals of a misunderstanding


def test_a_customer_who_says_nearly_the_same_again_within_two_turns_is_a_rephrase(tmp_path):
    built = build(tmp_path, {
        "a-rephrase": ("2026-11-10T10:00", [ask("no puedo firmar el documento pdf"),
                                            ask("No puedo firmar el documento en PDF!!")]),
        "b-two-turns-later": ("2026-11-10T10:10", [ask("necesito renovar mi certificado digital"),
                                                   ask("cuál es el correo", "ask_contact", ["contact"]),
                                                   ask("necesito renovar el certificado digital")]),
        "c-three-turns-later": ("2026-11-10T10:20", [ask("necesito renovar mi certificado digital"),
                                                     ask("cuál es el correo", "ask_contact", ["contact"]),
                                                     ask("y el teléfono de soporte", "ask_contact", ["contact"]),
                                                     ask("necesito renovar mi certificado digital")]),
        "d-short-answers": ("2026-11-10T10:30", [Turn("firma digital", "inform", ["triage_after_hours"]),
                                                 Turn("firma digital", "inform", ["normal_open"])]),
        "e-different": ("2026-11-10T10:40", [ask("cuál es el horario de atención"),
                                             ask("cómo instalo el certificado en mi equipo", "request_support",
                                                 ["support_open"])]),
    })
    found = signals(built, "rephrase")
    assert [s.conversation_id for s in found] == ["a-rephrase", "b-two-turns-later"]
    first = found[0]
    assert first.text == "No puedo firmar el documento en PDF!!" and first.earlier_text == "no puedo firmar el documento pdf"
    assert first.answer_before == ("hours_week",)
    row = report.Table(**vars(built.table("senal_rephrase"))).as_dicts()[0]
    assert row["Antes"] == "Había escrito: «no puedo firmar el documento pdf». Respuesta: Horario de la semana"


def test_two_fallbacks_in_a_row_and_not_with_an_answer_between(tmp_path):
    built = build(tmp_path, {
        "twice": ("2026-11-10T10:00", [missed("blorf snark"), missed("quux quux", ["not_understood_twice_open"]),
                                       ask("horario")]),
        "apart": ("2026-11-10T11:00", [missed("blorf"), ask("horario"), missed("quux")]),
        "unclear-reply": ("2026-11-10T12:00", [missed("blorf", [], actions=["action_default_fallback"]),
                                               missed("zzz", [], actions=["utter_did_not_understand"]),
                                               ask("horario")]),
    })
    found = signals(built, "two_fallbacks")
    assert [(s.conversation_id, s.text, s.earlier_text) for s in found] == [
        ("twice", "quux quux", "blorf snark"), ("unclear-reply", "zzz", "blorf")]


def test_a_request_for_a_person_right_after_an_answer(tmp_path):
    person = Turn("quiero hablar con un asesor", "request_human", ["handoff_question"])
    built = build(tmp_path, {
        "after-answer": ("2026-11-10T10:00", [ask("a qué hora abren"), person]),
        "first-message": ("2026-11-10T10:10", [person]),
        "after-fallback": ("2026-11-10T10:20", [missed("blorf"), person]),
        "after-courtesy": ("2026-11-10T10:30", [Turn("gracias", "thank", ["anything_else"]), person]),
        "later": ("2026-11-10T10:40", [ask("a qué hora abren"), Turn("gracias", "thank", ["acknowledge"]), person]),
        "two-questions": ("2026-11-10T10:50", [ask("el correo", "ask_contact", ["contact"]),
                                               Turn("horario y un asesor", "ask_opening_hours+request_human",
                                                    ["hours_week", "handoff_question"])]),
    })
    found = signals(built, "person_after_answer")
    assert [s.conversation_id for s in found] == ["after-answer", "two-questions"]
    assert found[0].answer_before == ("hours_week",)


def test_a_conversation_that_ends_right_after_a_fallback(tmp_path):
    tracker = Tracker(tmp_path / "tracker.db")
    tracker.conversation("left", "2026-11-10T10:00", [ask("horario"), missed("blorf snark quux")])
    tracker.conversation("went-on", "2026-11-10T10:10", [missed("blorf"), ask("horario")])
    tracker.conversation("handed", "2026-11-10T10:20", [missed("blorf"), missed("zzz", ["not_understood_handoff"])])
    # The last message of the day was not understood, but the customer wrote again the next day.
    tracker.conversation("next-day", "2026-11-10T23:59", [missed("blorf", after=120), ask("horario")])
    tracker.conversation("after-trigger", "2026-11-10T11:00", [
        missed("blorf"), Turn("EXTERNAL: request_human", "request_human", ["handoff_timeout_open"])])
    tracker.close()
    built = report.build(source.TrackerSource("sqlite", str(tmp_path / "tracker.db")), DAY, DAY, traffic=ALL)
    found = signals(built, "ended_after_fallback")
    assert sorted(s.conversation_id for s in found) == ["after-trigger", "left"]
    left = next(s for s in found if s.conversation_id == "left")
    assert left.text == "blorf snark quux" and left.answer_before == ("rephrase",)
    assert left.moment.strftime("%H:%M") == "10:00"


def test_nobody_answers_after_the_24_7_line_was_given(tmp_path):
    nobody = Turn("llamé y nadie contesta", "report_no_answer", ["no_answer_critical"])
    built = build(tmp_path, {
        "after-line": ("2026-11-10T22:00", [Turn("se cayó todo", "report_critical_incident",
                                                 ["critical_only_priority_line"], slots=LINE),
                                            ask("y mañana a qué hora abren"), nobody]),
        "line-in-topic": ("2026-11-10T22:10", [Turn("el número de la línea 24 horas", "ask_contact",
                                                    ["contact_priority_line"],
                                                    slots={"topic": '{"channels": ["priority_line"]}'}), nobody]),
        "no-line": ("2026-11-10T22:20", [ask("horario"), Turn("nadie contesta", "report_no_answer", ["no_answer_closed"])]),
    })
    assert [s.conversation_id for s in signals(built, "no_answer_after_line")] == ["after-line", "line-in-topic"]


def test_the_signals_summary_counts_each_group_and_links_its_conversations(tmp_path):
    built = build(tmp_path, {
        "one": ("2026-11-10T10:00", [missed("blorf"), missed("quux")]),
        "two": ("2026-11-10T10:10", [missed("plorf")]),
        "fine": ("2026-11-10T10:20", [ask("horario")]),
    })
    rows = {row["Señal"]: row for row in built.table("senales").as_dicts()}
    assert rows["Dos «no le entendí» seguidos"]["Veces"] == 1
    assert rows["Se fue después de un «no le entendí»"]["Veces"] == 2
    assert rows["Se fue después de un «no le entendí»"]["% de las conversaciones"] == 66.7
    assert built.summary["signals"] == 3 and built.summary["signal_conversations"] == 2
    assert {"one", "two"} <= set(built.transcripts)  # each group with its transcripts
    assert [r["Conversación"] for r in built.table("senal_ended_after_fallback").as_dicts()] == ["one", "two"]


# ------------------------------------------------------------------ containment and the desk


def test_containment_puts_each_conversation_in_one_group(tmp_path):
    person = Turn("quiero un asesor", "request_human", ["human_unavailable"])
    built = build(tmp_path, {
        "solved-1": ("2026-11-10T10:00", [ask("horario")]),
        "solved-2": ("2026-11-10T10:05", [missed("blorf"), ask("horario")]),
        "queued": ("2026-11-10T10:10", [Turn("un asesor", "request_human", ["handoff_question"]),
                                        Turn("no puedo firmar", "inform", ["handoff_queued"])]),
        "asked": ("2026-11-10T10:15", [person]),
        "left": ("2026-11-10T10:20", [missed("blorf")]),
    })
    rows = {row["Conversaciones"]: row for row in built.table("contencion").as_dicts()}
    assert [r["Cuántas"] for r in rows.values()] == [2, 1, 1, 1]
    assert rows["Resueltas por el asistente, sin un asesor"]["%"] == 40.0
    assert built.summary["containment_rate"] == 40.0 and built.summary["contained"] == 2


def test_hand_off_times_and_per_agent_figures_from_the_desk(tmp_path):
    desk_db = tmp_path / "desk.db"
    t0 = moment("2026-11-10T10:00")
    tracker = Tracker(tmp_path / "tracker.db")
    for sender, start in (("h-ana-1", t0), ("h-ana-2", t0 + 3600), ("h-luis", t0 + 7200), ("h-expired", t0 + 9000)):
        tracker.conversation(sender, start, [Turn("quiero un asesor", "request_human", ["handoff_question"]),
                                             Turn("no puedo firmar", "inform", ["handoff_queued"])])
    # Ana takes the first after 30 s, writes at 90 s and 150 s, closes at 600 s.
    tracker.agent_message("h-ana-1", t0 + 40 + 90, "Ana", "Hola, reviso su caso")
    tracker.agent_message("h-ana-1", t0 + 40 + 150, "Ana", "Listo")
    tracker.agent_message("h-ana-2", t0 + 3600 + 40 + 50, "Ana", "Hola")
    tracker.agent_message("h-luis", t0 + 7200 + 40 + 200, "Luis", "Buenas tardes")
    tracker.agent_message("h-luis", t0 - 500, "Luis", "a message of an earlier hand-off")
    tracker.close()
    base = t0 + 40
    handoff(desk_db, "h-ana-1", base, status="closed", agent=(1, "Ana"), taken=base + 30, ended=base + 600)
    handoff(desk_db, "h-ana-2", base + 3600, status="returned", agent=(1, "Ana"), taken=base + 3610,
            ended=base + 3600 + 300)
    handoff(desk_db, "h-luis", base + 7200, status="taken", agent=(2, "Luis"), taken=base + 7290)
    handoff(desk_db, "h-expired", base + 9000, status="expired", ended=base + 9180)
    built = report.build(source.TrackerSource("sqlite", str(tmp_path / "tracker.db")), DAY, DAY,
                         desk_db=desk_db, traffic=ALL)
    measures = {r["Medida"]: r["Valor"] for r in built.table("transferencias").as_dicts()}
    assert measures["Enviadas al escritorio de asesores"] == 4 and measures["Tomadas por un asesor"] == 3
    assert measures["Mediana de espera hasta que un asesor la tomó (s)"] == 30.0  # 30, 10, 90
    assert measures["Con respuesta escrita de un asesor"] == 3
    assert measures["Mediana de primera respuesta escrita de un asesor (s)"] == 90.0  # 90, 50, 200
    assert measures["Mediana de resolución (s)"] == 450.0  # closed 600, returned 300; taken and expired have none
    agents = {r["Asesor"]: r for r in built.table("asesores").as_dicts()}
    assert agents["Ana"] == {"Asesor": "Ana", "Tomadas": 2, "Cerradas": 1, "Devueltas al asistente": 1,
                             "Aún abiertas": 0, "Mensajes escritos": 3, "Mediana hasta tomarla (s)": 20.0,
                             "Mediana de primera respuesta (s)": 70.0, "Mediana de resolución (s)": 450.0}
    assert agents["Luis"]["Tomadas"] == 1 and agents["Luis"]["Aún abiertas"] == 1
    assert agents["Luis"]["Mensajes escritos"] == 1 and agents["Luis"]["Mediana de resolución (s)"] == ""
    assert built.summary["first_response_median"] == 90.0 and built.summary["resolution_median"] == 450.0
    # the agents' messages are in the transcripts, with their names
    lines = built.transcripts["h-ana-1"].lines
    assert [(line.who, line.agent, line.text) for line in lines if line.who == "asesor"] == [
        ("asesor", "Ana", "Hola, reviso su caso"), ("asesor", "Ana", "Listo")]


def test_the_previous_period_has_the_same_length_just_before(tmp_path):
    built = build(tmp_path, {
        "now-1": ("2026-11-10T10:00", [ask("horario")]),
        "now-2": ("2026-11-11T10:00", [missed("blorf")]),
        "before-1": ("2026-11-08T10:00", [ask("horario")]),
        "before-2": ("2026-11-09T10:00", [ask("horario")]),
        "before-3": ("2026-11-09T11:00", [ask("horario")]),
        "too-early": ("2026-11-07T10:00", [ask("horario")]),
    }, start=date(2026, 11, 10), end=date(2026, 11, 11))
    assert (built.previous_start, built.previous_end) == (date(2026, 11, 8), date(2026, 11, 9))
    assert built.previous["conversations"] == 3 and built.summary["conversations"] == 2
    rows = {r["Medida"]: r for r in built.table("comparacion").as_dicts()}
    assert rows["Conversaciones"] == {"Medida": "Conversaciones", "Periodo actual": 2, "Periodo anterior": 3,
                                      "Diferencia": -1}
    assert rows["Tasa de contención: resueltas sin un asesor (%)"]["Periodo anterior"] == 100.0
    assert rows["Tasa de contención: resueltas sin un asesor (%)"]["Periodo actual"] == 50.0
    assert "08/11/2026 a 09/11/2026" in built.table("comparacion").note
    assert report.previous_range(date(2026, 11, 1), date(2026, 11, 30)) == (date(2026, 10, 2), date(2026, 10, 31))


# ------------------------------------------------------------------ test traffic


def test_test_traffic_is_left_out_by_default_counted_and_taken_in_on_request(tmp_path):
    desk_db = tmp_path / "desk.db"
    conversations = {
        "web-customer": ("2026-11-10T10:00", [ask("horario")]),
        "test-live-1": ("2026-11-10T10:05", [Turn("se cayó todo", "report_critical_incident",
                                                  ["critical_with_open"], slots=LINE)]),
        "bench-a-1": ("2026-11-10T10:06", [missed("blorf"), ask("horario")]),
        "probe-1": ("2026-11-10T10:07", [ask("horario")]),
    }
    handoff(desk_db, "test-live-1", moment("2026-11-10T10:05"), status="expired")
    default = build(tmp_path, conversations, desk_db=desk_db, traffic=TestTraffic.from_env(environ={}))
    assert default.summary["conversations"] == 2  # web-customer and probe-1 (not a default prefix)
    assert default.summary["test_conversations"] == 2 and default.summary["test_messages"] == 3
    assert default.summary["critical"] == 0 and default.summary["handoffs"] == 0
    assert not any(cid.startswith(("test-", "bench-")) for cid in default.transcripts)
    everything = report.build(source.TrackerSource("sqlite", str(tmp_path / "tracker.db")), DAY, DAY,
                              desk_db=desk_db, traffic=TestTraffic(DEFAULT_PREFIXES, include=True))
    assert everything.summary["conversations"] == 4 and everything.summary["critical"] == 1
    assert everything.summary["handoffs"] == 1
    mine = report.build(source.TrackerSource("sqlite", str(tmp_path / "tracker.db")), DAY, DAY,
                        traffic=TestTraffic.from_env(environ={"REPORT_TEST_SENDERS": "probe-, test-"}))
    assert mine.summary["conversations"] == 2 and mine.summary["test_conversations"] == 2


@pytest.mark.parametrize("value, expected", [
    ("test-,bench-", ("test-", "bench-")),
    (" test-  probe:uptime, it- ", ("test-", "probe:uptime", "it-")),
    ("", ()),
    ("test-,test-", ("test-",)),
])
def test_the_test_prefixes_setting(value, expected):
    assert parse_prefixes(value) == expected
    assert prefixes_from_env({"REPORT_TEST_SENDERS": value}) == expected
    assert prefixes_from_env({}) == DEFAULT_PREFIXES


@pytest.mark.parametrize("value", ["-", "*", "a", "test- ; bench-", "tést-", "x" * 80, "test-,/"])
def test_a_prefix_that_would_hide_real_customers_or_is_mistyped_is_refused(value):
    with pytest.raises(TrafficError, match="REPORT_TEST_SENDERS"):
        parse_prefixes(value)


def test_the_report_command_refuses_an_invalid_setting_at_start(tmp_path):
    run = subprocess.run(
        [str(ROOT / ".venv" / "actions" / "bin" / "python"), "-m", "insights", "--from", "2026-11-10", "--to",
         "2026-11-10", "--out", str(tmp_path / "out"), "--tracker-store", f"sqlite:///{tmp_path}/none.db"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "REPORT_TEST_SENDERS": "test-,*"})
    assert run.returncode == 2 and "REPORT_TEST_SENDERS" in run.stderr and "'*'" in run.stderr
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ readable


def test_intents_and_answers_carry_the_catalogue_labels(tmp_path):
    built = build(tmp_path, {"a": ("2026-11-10T10:00", [ask("horario"), missed("blorf"),
                                                        Turn("el correo y el horario", "ask_contact+ask_opening_hours",
                                                             ["contact", "hours_week"])])})
    intents = {r["Intención"]: r["Descripción"] for r in built.table("intenciones").as_dicts()}
    assert intents == {"ask_opening_hours": "Pregunta por horarios", "nlu_fallback": "No entendido (confianza baja)",
                       "ask_contact+ask_opening_hours": "Pide datos de contacto + Pregunta por horarios"}
    answers = {r["Respuesta"]: r["Descripción"] for r in built.table("respuestas").as_dicts()}
    assert answers["hours_week"] == "Horario de la semana" and answers["rephrase"] == "Pide reformular"
    shown = [heading for _, heading in built.table("intenciones").shown]
    assert shown[0] == "Intención" and built.table("intenciones").shown[0][0] == "Descripción"


def test_transcripts_show_the_options_offered_and_the_title_of_the_button_pressed(tmp_path):
    built = build(tmp_path, {"buttons": ("2026-11-10T10:00", [
        Turn("/greet", "greet", ["help_prompt"], bot=[("¿En qué le puedo ayudar?", [("Horarios", "/ask_opening_hours"),
                                                                                 ("Hablar con un asesor", "/request_human")])]),
        Turn("horaro", "nlu_fallback", ["did_you_mean_1"], bot=[DID_YOU_MEAN, ("Elija una opción.", [])]),
        Turn("/deny", "deny", ["rephrase"], bot=[("Disculpe, no le entendí.", [])]),
        Turn("/affirm", "affirm", ["anything_else"]),
    ])}, max_transcripts=10)
    built_lines = report.transcript(source.TrackerSource("sqlite", str(tmp_path / "tracker.db")), "buttons").lines
    said = [(line.who, line.text, line.options) for line in built_lines]
    assert said == [
        ("cliente", "(abrió el chat)", ()),
        ("asistente", "¿En qué le puedo ayudar?", ("Horarios", "Hablar con un asesor")),
        ("cliente", "horaro", ()),
        ("asistente", DID_YOU_MEAN[0], ("Sí", "No")),
        ("asistente", "Elija una opción.", ()),
        ("cliente", "(eligió: No)", ()),  # the button two messages back, not "/deny"
        ("asistente", "Disculpe, no le entendí.", ()),
        ("cliente", "(eligió: Responde que sí)", ()),  # no button offered: the intent's Spanish label
    ]
    assert not any("/deny" in line.text or "/affirm" in line.text for line in built.transcripts["buttons"].lines)


def test_the_page_reads_in_spanish_and_shows_no_server_path(tmp_path):
    from insights import html as report_html

    built = build(tmp_path, {"web-a": ("2026-11-10T10:00", [ask("horario"), missed("blorf")]),
                             "test-b": ("2026-11-10T10:05", [ask("horario")])},
                  traffic=TestTraffic.from_env(environ={}))
    page = report_html.render(built)
    assert "Informe para supervisores: 10/11/2026 a 10/11/2026" in page
    assert str(tmp_path) not in page and "tracker.db" not in page and "(SQLite)" in page
    assert "Se excluyó 1 conversación de prueba (1 mensaje)" in page and "--include-test-traffic" in page
    assert "<td>Pregunta por horarios</td>" in page and "<td>10/11/2026</td>" in page
    data = report_html.chart_data(built)
    assert all(spec["axes"]["x"] and spec["axes"]["y"] and spec["values"] for spec in data.values())
    assert data["chart-intents"]["labels"][0] in ("Pregunta por horarios", "No entendido (confianza baja)")
    assert report_html.duration(90) == "1 min 30 s" and report_html.duration(-65) == "−1 min 05 s"
    assert report_html.duration(3720) == "1 h 02 min" and report_html.duration("") == ""
    form = report_html.range_form("/supervision/informe", date(2026, 11, 1), date(2026, 11, 30),
                                  [("Este mes", "/x", True)])
    assert 'value="01/11/2026"' in form and 'placeholder="dd/mm/aaaa"' in form
    assert '<label for="f-desde">Desde</label>' in form and 'aria-current="page"' in form


def test_the_desk_refuses_to_start_with_an_invalid_test_traffic_setting(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DESK_DB": str(tmp_path / "desk.db"), "DESK_PORT": "9",
           "DESK_WEBHOOK_SECRET": "d" * 16 + "e" * 16 + "0123456789abcdef", "RASA_AUTH_TOKEN": "0123456789abcdefghijklmnopqrstuv",
           "REPORT_TEST_SENDERS": "test-, -"}
    run = subprocess.run([str(ROOT / ".venv" / "actions" / "bin" / "python"), "-m", "desk", "serve"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 2, run.stderr[-2000:]
    assert "The agent desk cannot start: REPORT_TEST_SENDERS: '-' is not a conversation-id prefix" in run.stderr

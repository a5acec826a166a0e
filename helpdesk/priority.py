"""Is a message a priority-1 (critical) incident? The classifier decides; structure modifies.

The 24/7 line is for incidents that stop the customer's operation *now*. Whether a message
describes such a stop is what the intent classifier (addons/linear_intent.py, trained on examples from many
authors) is best at: it reads "ni un usuario logra firmar" or "la nómina de hoy no sale"
as ``report_critical_incident`` without a list of phrases. Its reading is the primary
signal (:func:`critical_score`).

Rules handle only what a classifier of single messages cannot see, each from the lexicon
(``data/nlu/lexicon.yml``), never from a phrase written for one sentence:

====================  ===============================================  ==================
modifier              what it sees                                     effect
====================  ===============================================  ==================
hypothetical          "¿qué hago si algún día se cae?"                 not an incident:
                                                                       the procedure
resolved              "ya funciona", "se restableció"                  not open: no
past                  "ayer", "la semana pasada", with nothing         not open: no
                      ongoing ("desde", "todavía", "hoy")              decision
future                "estamos planeando salir a producción el         not now: no
                      próximo mes", with nothing ongoing               decision
calm                  "no es urgente", "puede esperar", "solo a mí"    not critical
                      (unless negated: "no es solo a mí")
third party           "el portal de la DIAN", "el banco", with none    not ours: no
                      of our services named                            decision
====================  ===============================================  ==================

A reply to "¿El problema detiene su operación?" (``reply=True``) is asymmetric, because
the two mistakes do not cost the same: it is a **no** only when the customer said so —
an explicit no that stands alone ("no", "no, solo a mí"), or a calm statement — and a
**yes** when it starts with an explicit yes or the classifier reads a stop. Anything else
(a "no" that opens a sentence describing the failure, "no sé", "ok") is undecided, so the
question is asked again (``helpdesk/questions.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpdesk.lexicon import lexicon
from helpdesk.text import word_spans, words

CRITICAL_INTENT = "report_critical_incident"
PROBLEM_INTENTS = ("report_problem", CRITICAL_INTENT)
# The classifier's confidence in a critical incident above which it decides; the values
# were chosen on the project's own priority table and dev file and are measured on
# paraphrases and held-out sentences nobody tuned to (docs/understanding.md).
CRITICAL_MIN_SCORE = 0.6
CRITICAL_MIN_SCORE_WHEN_FIRST = 0.3  # ... or this much, first, when the text names a stop or an outage
SERVICES = ("firma_digital", "estampado_cronologico")
# A message shorter than this ("urgente", "todo caído") does not describe a stopped operation
# on its own: the classifier alone does not make it critical (a reply to the critical
# question still can: "sí").
MIN_WORDS_TO_REPORT = 3
# A reply to "¿detiene su operación?" that the classifier reads as a yes this surely is a yes.
REPLY_AFFIRM_MIN = 0.8


@dataclass(frozen=True)
class Understanding:
    """What the NLU said about one message: its intent, confidence and ranking."""

    intent: str = ""
    confidence: float = 0.0
    ranking: tuple[tuple[str, float], ...] = ()

    def score(self, name: str) -> float:
        """The confidence of ``name`` alone or inside a two-question label ("a+b")."""
        best = 0.0
        for intent, confidence in self.ranking or ((self.intent, self.confidence),):
            if name in (intent or "").split("+"):
                best = max(best, confidence)
        return best

    def first(self) -> str:
        """The top intent the classifier itself gave (nlu_fallback skipped)."""
        for intent, _ in self.ranking or ((self.intent, self.confidence),):
            if intent != "nlu_fallback":
                return intent or ""
        return ""


@dataclass(frozen=True)
class PriorityReading:
    """What a message says about priority.

    ``critical``: True (the operation is stopped now), False (the customer says it is not,
    or it works again) or None (no decision). ``modifier`` names the structural rule that
    changed the classifier's reading, if any; ``hypothetical`` marks a question about what
    to do *if* something fails; ``failing`` a report that something does not work.
    """

    critical: bool | None
    modifier: str | None = None
    hypothetical: bool = False
    failing: bool = False


def critical_score(nlu: Understanding) -> float:
    return nlu.score(CRITICAL_INTENT)


def classifier_says_critical(nlu: Understanding, only_a_question: bool = False, names_a_stop: bool = True) -> bool:
    """The classifier reads a critical incident: confidently, or as its first guess when the
    text names a stop or an outage — never as a mere guess for a message that is only a
    question ("¿y hoy no hay nadie?") or names none (a long letter read 55/45): those are
    asked, not decided."""
    score = critical_score(nlu)
    first = nlu.first()
    return score >= CRITICAL_MIN_SCORE or (
        not only_a_question and names_a_stop and score >= CRITICAL_MIN_SCORE_WHEN_FIRST
        and CRITICAL_INTENT in first.split("+")
    )


def asks(text: str) -> bool:
    """The text asks or requests something ("?" or a request word: helpdesk.clauses.is_question)."""
    from helpdesk.clauses import is_question

    return is_question(text)


def only_a_question(text: str) -> bool:
    """One sentence that ends with a question mark, and nothing told before its question:
    "¿y hoy no hay nadie?" is only a question; "el estampado no responde, ningún documento
    queda sellado, ¿qué hacemos?" tells a failure (a piece before the question, cut at a
    comma or "¿", that tells one) and asks what to do about it."""
    body = text.strip()
    if not body.endswith("?") or any(ch in ".!;\n" for ch in body.rstrip("?").strip("¿")):
        return False
    told = re.split(r"[,¿]", body.rstrip("?"))[:-1]
    return not any(len(words(piece)) >= MIN_WORDS_TO_REPORT and tells_a_failure(piece) for piece in told)


def _negated_within(text: str, spans: list[tuple[str, int, int]], start: int, negators: set[str], reach: int = 2) -> bool:
    """A negator among the ``reach`` words before word ``start``, with no punctuation between."""
    tokens = [w for w, _, _ in spans]
    return any(tokens[i] in negators and not any(ch in ",.;:!?" for ch in text[spans[i][2]:spans[start][1]])
               for i in range(max(0, start - reach), start))


def _calm(text: str) -> bool:
    """A calm statement that is not itself negated — "no es solo a mí" is not calm, while
    "no, solo a mí" is (a negation's scope ends at punctuation) — or a stop that is
    negated: "no está caído", "la operación no está detenida" — or the service said to work
    in a message that tells no failure besides."""
    lex = lexicon()
    spans = word_spans(text)
    tokens = [w for w, _, _ in spans]
    negators = {p[0] for p in lex.tables["negator"] if len(p) == 1}
    if any(_negated_within(text, spans, hit.start, negators) for hit in lex.find("stop_state", tokens)):
        return True
    for hit in lex.find("calm", tokens):
        if hit.phrase[0] not in negators and _negated_within(text, spans, hit.start, negators):
            continue
        return True
    for hit in lex.find("works_fine", tokens):
        rest = [t for i, t in enumerate(tokens) if not hit.start <= i < hit.end]
        if not _negated_within(text, spans, hit.start, negators) and not tells_a_failure(" ".join(rest)):
            return True  # "… en producción desde ayer y anda perfecto"
    return False


def names_a_failure(text: str, asked: bool = False) -> bool:
    """The text names a stop or an outage (lexicon tables stop_state, outage_words) or, when
    not ``asked`` as a question, one of our services: "¿está funcionando el estampado?"
    asks; "¿está caído el estampado? no podemos facturar" reports."""
    lex = lexicon()
    tokens = words(text)
    failure = lex.has("stop_state", tokens) or lex.has("outage_words", tokens)
    return failure or not asked and bool(lex.values_in(SERVICES, tokens))


def tells_a_failure(text: str) -> bool:
    """Any sign that something fails: a stop or an outage named, or a negation ("ninguno
    puede firmar", "no abre"). A request for information with none ("les solicitamos
    informarnos si atienden el 24, pues tesorería requiere firmar ese día") reports nothing."""
    return names_a_failure(text, asked=True) or lexicon().has("failure_signs", words(text))


def modifiers(text: str) -> dict[str, bool]:
    """The structural facts of a message (each from a lexicon table)."""
    lex = lexicon()
    tokens = words(text)
    ours = bool(lex.values_in(SERVICES, tokens))
    return {
        "hypothetical": lex.has("hypothetical", tokens),
        "resolved": lex.has("resolved", tokens),
        "past": lex.has("past", tokens) and not lex.has("ongoing", tokens),
        "future": lex.has("future", tokens) and not lex.has("ongoing", tokens),
        "calm": _calm(text),
        "third_party": lex.has("third_party", tokens) and not ours,
    }


def read_priority(text: str, nlu: Understanding, reply: bool = False) -> PriorityReading:
    """Read a message (or a reply to "¿detiene su operación?") for priority 1.

    Args:
        text: the customer's words as written (a button payload reads as nothing).
        nlu: the classifier's reading of the same message.
        reply: True when the text answers whether the problem stops the operation.
    """
    if not text or text.startswith("/"):
        return PriorityReading(None)
    facts = modifiers(text)
    # A reply to "¿detiene su operación?" needs no stop named: the question named it.
    says = classifier_says_critical(nlu, only_a_question(text), reply or names_a_failure(text, asked=True))
    if says and not reply and (len(words(text)) < MIN_WORDS_TO_REPORT or only_unsure(text)
                               or only_a_question(text) and not names_a_failure(text, asked=True)
                               or asks(text) and not tells_a_failure(text)):
        # "urgente", "ni idea"; "¿y hoy no hay nadie?" names neither a service nor a failure;
        # a request for information that tells no failure
        says = False
    failing = bool(set(nlu.first().split("+")) & set(PROBLEM_INTENTS))
    if reply:
        # "ok", "listo", "k": heard, not a yes (a lone word that is no explicit yes, or an acknowledgement)
        affirmed = nlu.first() == "affirm" and nlu.confidence >= REPLY_AFFIRM_MIN and len(words(text)) >= 2 \
            and not lexicon().starts_with("acknowledgement", text)
        return _read_reply(text, facts, says, failing, affirmed)
    if facts["hypothetical"]:
        return PriorityReading(None, "hypothetical", hypothetical=True, failing=failing)
    if facts["resolved"]:
        return PriorityReading(False, "resolved", failing=failing)
    if facts["calm"]:
        return PriorityReading(False, "calm", failing=failing)
    if says and facts["past"]:
        return PriorityReading(None, "past", failing=failing)
    if says and facts["future"]:
        return PriorityReading(None, "future", failing=failing)
    if says and facts["third_party"]:
        return PriorityReading(None, "third_party", failing=failing)
    return PriorityReading(True if says else None, failing=failing)


def _standalone(text: str, end_word: int) -> bool:
    """Whether the reply's first ``end_word`` words stand alone — followed by nothing or by
    punctuation ("no", "no, solo a mí", "no señor.") — rather than opening a sentence
    ("no es solo a mí", "no podemos facturar")."""
    spans = word_spans(text)
    if end_word >= len(spans):
        return True
    rest = text[spans[end_word - 1][2]:].lstrip(" ")
    if not rest or rest[0] not in ",.;:!?-–—\n":
        return False
    # "no, no es solo a mí": a second negation right after it negates what follows.
    negators = {p[0] for p in lexicon().tables["negator"] if len(p) == 1}
    return spans[end_word][0] not in negators


def _standalone_at(text: str, start: int, end: int) -> bool:
    """Words [start, end) stand alone: punctuation (or the start) before, punctuation (or
    the end) after."""
    spans = word_spans(text)
    before = text[spans[start - 1][2]:spans[start][1]] if start > 0 else ","
    after = text[spans[end - 1][2]:spans[end][1]] if end < len(spans) else ","
    return any(ch in ",.;:!?" for ch in before) and any(ch in ",.;:!?" for ch in after)


def only_unsure(text: str) -> bool:
    """The message opens with the customer's uncertainty ("no sé", "ni idea") and tells no
    failure after it: "no sé, puede ser" is unsure; "no sé cómo explicarle, desde las 6 no
    sella nada" is a report that opens with a manner of speaking."""
    lex = lexicon()
    if not lex.starts_with("dont_know", text):
        return False
    tokens = words(text)
    unsure = {i for hit in lex.find("dont_know", tokens) for i in range(hit.start, hit.end)}
    return not tells_a_failure(" ".join(t for i, t in enumerate(tokens) if i not in unsure))


def _later_no(text: str, after: int) -> bool:
    """A no after word ``after`` that corrects what came before: standing alone ("sí… no,
    exageré") or right after a correction word ("bueno no", "mejor no")."""
    lex = lexicon()
    corrections = {p[-1] for p in lex.tables["correction"]}
    tokens = words(text)
    unsure = {hit.start for hit in lex.find("dont_know", tokens)}  # "bueno no sé" corrects nothing
    return any(hit.start >= after and hit.start not in unsure and (_standalone_at(text, hit.start, hit.end)
                                       or hit.start > 0 and tokens[hit.start - 1] in corrections)
               for hit in lex.find("explicit_no", tokens))


def _without_acknowledgement(text: str) -> str:
    """The reply after an acknowledgement that stands alone before it ("ok. no, no para la
    operación" is "no, no para la operación")."""
    hit = lexicon().starts_with("acknowledgement", text)
    spans = word_spans(text)
    if hit is None or hit.end >= len(spans):
        return text
    rest = text[spans[hit.end - 1][2]:]
    return rest.lstrip(" .,;:!") if rest[:1] in ".,;:!" else text


def _read_reply(text: str, facts: dict[str, bool], says: bool, failing: bool, affirmed: bool = False) -> PriorityReading:
    """``affirmed``: the classifier reads the whole reply as a yes, confidently ("evidentemente
    sí, por algo les escribo") — a yes as the customer said it, like a leading "sí"."""
    lex = lexicon()
    text = _without_acknowledgement(text)
    if only_unsure(text):
        return PriorityReading(None, "dont_know", failing=failing)  # "no sé": neither
    no = lex.starts_with("explicit_no", text)
    yes = lex.starts_with("explicit_yes", text)
    explicit_no = bool(no) and _standalone(text, no.end)
    if facts["calm"] or facts["resolved"]:
        return PriorityReading(False, "calm", failing=failing)
    if explicit_no and not says:
        return PriorityReading(False, "explicit_no", failing=failing)
    if explicit_no and says:
        # "no... bueno, en realidad sí, nadie puede firmar": a later standalone yes corrects it.
        corrections = {p[-1] for p in lex.tables["correction"]}
        tokens = words(text)
        if any(hit.start > 0 and (_standalone_at(text, hit.start, hit.end)
                                  or tokens[hit.start - 1] in corrections and _standalone_at(text, hit.start - 1, hit.end))
               for hit in lex.find("explicit_yes", text)):
            return PriorityReading(True, "corrected_yes", failing=failing)
        return PriorityReading(None, "contradiction", failing=failing)  # "no, … todo parado": ask again
    if (yes or affirmed) and _later_no(text, yes.end if yes else 0):
        # "si nos detiene... bueno no, exageré, es solo un documento": the correction holds
        # when the classifier reads no stopped operation in the whole; else ask again.
        return PriorityReading(None, "contradiction", failing=failing) if says \
            else PriorityReading(False, "corrected_no", failing=failing)
    if yes or affirmed and not no:
        return PriorityReading(True, "explicit_yes", failing=failing)
    if says:
        return PriorityReading(True, failing=failing)
    return PriorityReading(None, failing=failing)

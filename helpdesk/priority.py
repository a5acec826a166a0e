"""Reading a customer's message for a priority-1 (critical) incident.

The 24/7 line is for incidents that stop the customer's operation *now*; sending
ordinary cases there costs the on-call engineer and the customer. So the reading
is about facts, not alarm words:

- critical: our service is down, the operation or production is stopped, many or
  all users cannot sign or timestamp, or a legal/tax deadline that falls today
  (DIAN invoicing, nómina) cannot be met because signing or timestamping fails;
- not critical, explicitly: "no es urgente", "puede esperar", "seguimos
  trabajando", "firmo desde otro equipo", a stop that is negated ("no estamos
  parados") or already solved ("ya funciona");
- no signal: everything else — "urgente" alone, one user's PIN "bloqueado",
  an integration planned "en producción", words that only contain a cue
  ("preparado", "separado").

Cues are matched on whole words of folded text (``helpdesk.text.fold``), clause
by clause, with scope: a negation, a hypothetical ("¿qué hago si se cae?"), a
past incident ("ayer estuvo caído") or a third party's system ("se cayó el portal
de la DIAN") cancels a cue in its own clause only. A reply to "¿El problema
detiene su operación?" also counts its leading yes or no.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpdesk.text import fold

# ------------------------------------------------------------------ vocabulary
# Our services, as customers name them (folded, whole words).
_CORE = r"(?:servicio|servicios|plataforma|estampado|estampa|estampas|sello|sellado|tsa|firma|firmas|firmado|servidor|api|service|timestamp\w*|signing|signature|sign|platform|server)"
# Words that name the service concretely (a clause naming a third party's system
# counts only if it also names one of these).
_OURS = r"(?:estampado|estampa|sello|sellado|tsa|firma|firmas|firmado|timestamp\w*|signing|signature)"
# Someone else's system, or a personal device or call: "se cayó el portal de la
# DIAN", "se me cayó la llamada".
_THIRD_PARTY = r"(?:dian|secop|banco|proveedor|erp|internet|chat|llamada|videollamada|portal|pagina|sitio|cliente|wifi|luz)"
_PERSONAL_ITEM = r"(?:token|celular|telefono|computador|portatil|cafe|piso|agua|llamada|internet|chat|videollamada|mouse|usb)"

# "se cayó", "está caído", "down": a service that is not available.
_DOWN = [
    r"\bse (?:nos |les )?(?:cayo|callo|cayeron|cae|caen)\b",
    r"\b(?:caido|caida|caidos|caidas|abajo|down|outage|offline)\b",
    r"\bfuera de servicio\b",
    rf"\bsin (?:servicio|{_CORE})\b",
]
# The operation is stopped: "producción bloqueada", "tenemos todo parado".
_OPERATION = r"(?:operacion|operaciones|produccion|factur\w*|nomina|empresa|compania|planta|area|trabajo|operation|production|everything|company|invoices?)"
_STATE = r"(?:detenid[oa]s?|parad[oa]s?|bloquead[oa]s?|frenad[oa]s?|paralizad[oa]s?|caid[oa]s?|represad[oa]s?|varad[oa]s?|stopped|blocked|down|stuck|halted)"
_STOPPED = [
    rf"\b{_OPERATION}\b(?:\s+\w+){{0,4}}?\s+{_STATE}\b",
    rf"\b{_STATE}\s+(?:\w+\s+){{0,2}}{_OPERATION}\b",
    rf"\b(?:todo|toda)\s+(?:\w+\s+)?{_STATE}\b",
    r"\b(?:estamos|quedamos|seguimos|we are|we're)\s+(?:\w+\s+)?(?:detenidos|parados|frenados|bloqueados|paralizados|varados|stopped|blocked)\b",
    r"\bnos (?:tiene|tienen|dejo|deja)n? (?:\w+ )?(?:detenidos|parados|frenados|bloqueados|paralizados|varados)\b",
    r"\bnos (?:detiene|frena|para|bloquea|paraliza) (?:todo|la operacion|la produccion)\b",
    r"\bla operacion no arranca\b",
]
# The company cannot work: first person plural, or "sin poder".
_WORK = r"(?:firmar\w*|estampar\w*|facturar|emitir|transmitir|trabajar|operar|sign|timestamp|invoice|send|work)"
_CANNOT = [
    rf"\bno (?:la |lo |las |los |les )?(?:podemos|pudimos|hemos podido|logramos|se puede|se pueden) (?:\w+ )?{_WORK}\b",
    rf"\b(?:we )?(?:cannot|can ?not|can'?t|are unable to) {_WORK}\b",
]
# Everybody, or many, is affected (with what they cannot do in the same clause).
_EVERYBODY = (
    r"\b(?:nadie|ningun|ninguno|ninguna|todos|todas|toda la empresa|toda la compania|toda la operacion|cientos"
    r"|all|nobody|no one|any of our users|whole company|everyone|everybody)\b"
    r"|\b(?:varios|muchos|\d{2,}|[2-9]) (?:usuarios|funcionarios|empleados|personas|equipos|users)\b"
)
_INABILITY = r"\b(?:firm\w*|estamp\w*|factur\w*|sign\w*|timestamp\w*|trabaj\w*|operar|emitir|error\w*|fallan?|puede|pueden|sin poder|bloquead\w*|blocked|funciona\w*|working|responde\w*|responding|afecta\w*)\b"
_NOT_INABILITY = r"\bnadie (?:me |nos )?(?:resuelve|soluciona|contesta|responde|avis\w*|atiende|llama)\b"
# Our service fails (not necessarily for everybody): a problem, not by itself critical.
_FAILING = [
    r"\bno (?:me |nos )?(?:funciona|responde|sirve|sirbe|anda|firma|estampa|carga|deja (?:firmar|estampar))\b",
    r"\bno (?:esta|estan) (?:funcionando|respondiendo|firmando|estampando)\b",
    r"\bdejo de (?:funcionar|responder|firmar|estampar)\b",
    r"\b(?:not working|not responding|doesn'?t work|does not work|fails?|failing|timeout|error \d{3})\b",
    r"\bno (?:puedo|pude|podemos) (?:\w+ )?(?:firmar|estampar)\w*\b",
]
# A legal or tax deadline (the page's "prioridad 1" examples: DIAN, nómina).
_LEGAL = r"\b(?:nomina|dian|factur\w*|declaracion|impuestos?|tributari\w*|payroll|e-?invoic\w*|invoices?|tax|plazo|deadline)\b"
_TODAY = r"\b(?:hoy|today|fecha limite|deadline)\b"
_NOT_TODAY = r"\b(?:manana vence|vence manana|proxima semana|otra semana|proximo mes|next week)\b"

# Explicitly not critical.
_CALM = [
    r"\bno (?:es|era|esta) (?:nada )?(?:urgente|critico|grave|tan urgente)\b",
    r"\bnada (?:urgente|grave|critico)\b",
    r"\bnot (?:urgent|critical)\b",
    r"\bno (?:me |nos )?urge\b",
    r"\bno (?:me|nos|le|les) (?:para|detiene|frena|afecta|bloquea)\b",  # "no me para nada la operación"
    r"\b(?:puede|podemos|puedo) esperar\b",
    r"\bcan wait\b",
    r"\bno hay (?:afan|prisa|apuro|urgencia)\b",
    r"\bsin (?:afan|prisa|apuro)\b",
    r"\bseguimos (?:trabajando|operando|funcionando|firmando|facturando)\b",
    r"\bstill working\b",
    r"\b(?:desde|en|con) (?:otro|otra) (?:equipo|computador|pc|portatil|maquina|token)\b",
    r"\bcomputador de (?:mi |un )?companer\w*\b",
    r"\bde respaldo\b",
    r"\bsolo (?:a mi|yo|es (?:un|una|mi|el)|un usuario|una persona|mi pin|una consulta|una duda|una pregunta|queria|quiero|tengo una)\b",
    r"\b(?:mis|los) companeros (?:si|pueden)\b",
    r"\bthe rest of the team can\b",
    r"\bno (?:nos |me |lo |la )?(?:detiene|afecta|bloquea|impide)\b",
    r"\b(?:lo|la|los) (?:puedo|podemos) hacer (?:manana|despues|luego|otro dia)\b",
    r"\bpara la (?:otra|proxima) semana\b",
    r"\btranquil[oa]s?\b",
    r"\b(?:es|era) (?:solo |solamente )?(?:una|un) (?:consulta|duda|pregunta)\b",
    r"\b(?:funciona|todo funciona|funciona todo) (?:bien|normal)\b",
    r"\bfunciona todo\b",
]
_RESOLVED = [
    r"\bya (?:funciona|funcionan|sirve|estampa|firma|volvio|se (?:arreglo|soluciono|resolvio|restablecio|normalizo)|esta (?:arreglado|solucionado|funcionando|bien|normal))\b",
    r"\bse (?:resolvio|soluciono|arreglo|restablecio) solo\b",
    r"\b(?:working|back) (?:now|again)\b",
    r"\bya no\b",
    r"\bya se (?:arreglo|soluciono|resolvio|restablecio)\b",
]
_PAST = r"\b(?:estuvo|estuvimos|estuvieron|hubo|ayer|anoche|anteayer|pasad[oa]|veces|podiamos|funcionaba|was|were|yesterday|last week)\b"
_HYPOTHETICAL_CLAUSE = [
    r"\b(?:si|if) (?:\w+ ){0,4}(?:cae|caen|cayera|cayeran|llega|llegara|detiene|detenga|deja|dejara|falla|fallara|funciona|goes|go|is|fails|se nos cae|se me cae|se cae)\b",
    r"\bpor si\b",
    r"\ben caso de\b",
    r"\balgun dia\b",
    r"\bwhat if\b",
]
_FAILS_SOMEDAY = r"\b(?:cae|caen|cayera|cayeran|falla|fallara|fails?|goes down)\b"
_HYPOTHETICAL_MESSAGE = r"\b(?:(?:que|q|k) (?:pasa|hago|hacemos|debo hacer|debemos hacer) si|que debo hacer si|que debemos hacer si|a quien llamo|a quien llamamos|cual es el procedimiento|what should we do|what do we do|who do we call)\b"
# The customer calls it critical.
_SELF_DECLARED = [
    r"\b(?:incidente|caso|problema|falla) (?:critic[oa]|de prioridad 1|prioridad 1|p1|grave)\b",
    r"\b(?:es|esto es) (?:un )?(?:incidente )?critic[oa]\b",
    r"\b(?:tenemos|tengo|hay) una emergencia\b",
    r"\bes una emergencia\b",
    r"\bemergency\b",
    r"\bcritical incident\b",
]
_NEGATORS = r"\b(?:no|ni|nunca|tampoco|not|isn'?t|aren'?t|never)\b"

# Replies to "¿El problema detiene su operación?"
_YES = r"^(?:si+|sí|sip|claro|obvio|obviamente|afirmativo|asi es|efectivamente|correcto|totalmente|exacto|por supuesto|pues si|de una|yes|yep|yeah|sure|correct|en efecto|seguro)\b"
_NO = r"^(?:no+(?! se\b| sabria\b| estoy seguro\b| tengo idea\b| lo se\b)|nop|nope|nah|para nada|negativo|no realmente|no creo|en absoluto|nada que ver|not really|ninguna)\b"

_CLAUSE_SPLIT = re.compile(r"(?<=[.!?;:\n])|,|\s+(?:pero|aunque|sino|but|though|although)\s+")


@dataclass(frozen=True)
class PriorityReading:
    """What a message says about priority.

    ``critical`` is True (the operation is stopped now), False (the customer says it
    is not, or it is solved) or None (the message does not say). ``reason`` names
    the fact that made it critical, for the answer. ``hypothetical`` marks a
    question about what to do *if* something fails; ``failing`` a report that our
    service fails, without saying for whom.
    """

    critical: bool | None
    reason: str = ""
    hypothetical: bool = False
    failing: bool = False


REASONS = {
    "down": "el servicio no está funcionando",
    "stopped": "su operación está detenida",
    "everybody": "los usuarios no pueden firmar ni estampar",
    "deadline": "un plazo legal o tributario vence hoy",
    "declared": "usted lo reporta como crítico",
    "reply": "el problema detiene su operación",
}


def _clauses(text: str) -> list[tuple[str, bool]]:
    """Folded clauses, each with whether it was asked as a question."""
    out = []
    for part in _CLAUSE_SPLIT.split(text):
        if part is None:
            continue
        clause = part.strip()
        if not clause:
            continue
        question = clause.rstrip().endswith("?") or clause.lstrip().startswith("¿")
        folded = re.sub(r"[^\w\s/'-]", " ", fold(clause))
        folded = " ".join(folded.split())
        if folded:
            out.append((folded, question))
    return out


def _any(patterns, text: str) -> re.Match | None:
    for pattern in patterns if isinstance(patterns, list) else [patterns]:
        match = re.search(pattern, text)
        if match:
            return match
    return None


def _negated(clause: str, match: re.Match) -> bool:
    """A negator up to three words before the cue ("no está caído", "no estamos parados")."""
    before = clause[: match.start()].split()[-3:]
    return any(re.fullmatch(_NEGATORS, w) for w in before)


def _down(clause: str) -> bool | None:
    """True: our service is down; False: said not to be; None: no such cue."""
    match = _any(_DOWN, clause)
    if not match:
        return None
    if not re.search(rf"\b{_CORE}\b|\bproduccion\b|\bproduction\b", clause):
        return None  # "estamos caídos de la risa", "caída de precios"
    if re.search(rf"\b{_THIRD_PARTY}\b", clause) and not re.search(rf"\b{_OURS}\b", clause):
        return None  # someone else's system
    if re.search(r"\bse (?:me|te|le) (?:cayo|callo|cae)\b", clause) and re.search(rf"\b{_PERSONAL_ITEM}\b", clause):
        return None  # "se me cayó el token al piso"
    if _negated(clause, match):
        return False
    return True


def _stopped(clause: str) -> bool | None:
    match = _any(_STOPPED, clause)
    if not match:
        return None
    if _negated(clause, match) or re.search(r"\bno (?:esta|estan|estamos) (?:\w+ )?" + _STATE, clause):
        return False
    # Whose operation: the words around the cue ("el sistema de nómina de nuestro
    # proveedor está caído"), not a DIAN deadline named later in the sentence.
    near = " ".join(clause[: match.end()].split()[-8:] + clause[match.end():].split()[:4])
    if re.search(rf"\b{_THIRD_PARTY}\b", near) and not re.search(rf"\b{_OURS}\b", clause):
        return None
    return True


def _everybody(clause: str) -> bool:
    if not re.search(_EVERYBODY, clause) or re.search(_NOT_INABILITY, clause):
        return False
    return bool(re.search(_INABILITY, clause))


def read_priority(text: str, reply: bool = False) -> PriorityReading:
    """Read a message (or a reply to "¿detiene su operación?") for priority 1.

    Args:
        text: the customer's words as written.
        reply: True when the text answers the question whether the problem stops
            the operation, so a bare "sí" or "no" decides.
    """
    raw = text or ""
    whole = " ".join(re.sub(r"[^\w\s/'-]", " ", fold(raw)).split())
    hypothetical_message = bool(re.search(_HYPOTHETICAL_MESSAGE, whole))
    facts: list[str] = []
    calm = resolved_after = False
    failing = hypothetical = False
    for clause, question in _clauses(raw):
        if _any(_HYPOTHETICAL_CLAUSE, clause) or hypothetical_message:
            if _any(_DOWN + _FAILING + _STOPPED + [_FAILS_SOMEDAY], clause):
                hypothetical = True
            continue
        if _any(_RESOLVED, clause):
            resolved_after = True
            continue
        # "detenida desde anoche" is still stopped: "desde …" marks an ongoing state, not the past.
        past = bool(re.search(_PAST, re.sub(r"\b(?:desde|since) (?:ayer|anoche|anteayer|yesterday|last night)\b", "", clause)))
        if _any(_CALM, clause):
            calm = True
        down = _down(clause)
        stopped = _stopped(clause)
        if down is False or stopped is False:
            calm = True
        if past:
            continue
        if _any(_FAILING, clause):
            failing = True
        found = None
        if stopped:
            found = "stopped"
        elif _any(_CANNOT, clause):
            found = "stopped"
        elif _everybody(clause):
            found = "everybody"
        elif down and not question:
            found = "down"
        elif _any(_SELF_DECLARED, clause) and not _negated(clause, _any(_SELF_DECLARED, clause)):
            found = "declared"
        if found:
            facts.append(found)
            resolved_after = False
    deadline = bool(re.search(_TODAY, whole) and re.search(_LEGAL, whole) and not re.search(_NOT_TODAY, whole))
    if hypothetical_message and not facts:
        hypothetical = hypothetical or bool(_any(_DOWN + _FAILING + _STOPPED + [_FAILS_SOMEDAY], whole))

    if facts and not resolved_after:
        return PriorityReading(True, REASONS[facts[0]], hypothetical, failing)
    if deadline and failing and not resolved_after and not hypothetical:
        return PriorityReading(True, REASONS["deadline"], hypothetical, failing)
    if resolved_after or calm:
        return PriorityReading(False, "", hypothetical, failing)
    if reply:
        lead = whole.strip()
        if re.match(_NO, lead):
            return PriorityReading(False, "", hypothetical, failing)
        if re.match(_YES, lead):
            reason = REASONS["deadline"] if deadline else REASONS["reply"]
            return PriorityReading(True, reason, hypothetical, failing)
        if deadline:
            return PriorityReading(True, REASONS["deadline"], hypothetical, failing)
    return PriorityReading(None, "", hypothetical, failing)

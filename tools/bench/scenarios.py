"""What the simulated customers say, what the replies must contain, and the load scenarios.

No Rasa (the load generator runs in .venv/actions). Each turn is (what the customer writes, text the reply must
contain or None for "any non-empty reply"). Button presses are sent as their
payloads, as the web chat does. The expected texts only appear when the custom
action succeeded (the static first variations do not contain them), so an action
server that times out under load shows up as an error instead of a silently
degraded answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.published import CHAT_URL, MAIN_LINE, PQRSA_EMAIL, PRIORITY_NUMBER, SUPPORT_EMAIL

# Saturday 20:00 in Bogotá: every channel is closed, so "tengo un problema" goes through
# the whole after-hours triage (three questions) and the answers carry next openings.
DEFAULT_NOW = "2026-12-05T20:00"

Turn = tuple[str, str | None]
P1 = PRIORITY_NUMBER
MONDAY = "el lunes a las 7:00 a. m."

SPANISH: list[list[Turn]] = [
    [  # the brief's example: phone, Saturday hours, a problem after hours, triage, thanks
        ("hola", "asistente virtual"),
        ("cual es el telefono de soporte?", MAIN_LINE),
        ("y atienden los sabados?", "8:00 a. m. a 1:00 p. m."),
        ("tengo un problema", "¿Qué servicio está afectado?"),
        ('/inform{"service": "firma_digital"}', "¿El problema detiene su operación?"),
        ("/deny", "Descríbame el problema"),
        ("el token no aparece cuando lo conecto al computador", "No es un incidente crítico"),
        ("gracias", "Con gusto"),
    ],
    [  # typed answers, two in one message
        ("buenas noches", "asistente virtual"),
        ("me pueden atender ahora?", MONDAY),
        ("tengo un problema", "¿Qué servicio está afectado?"),
        ("es la firma digital y no es urgente", "Descríbame el problema"),
        ("me dice certificado vencido cuando voy a firmar un pdf", "No es un incidente crítico"),
        ("muchas gracias", "Con gusto"),
    ],
    [  # the first message names the service and is the description: one question left
        ("no puedo firmar el documento, me sale un error", "¿El problema detiene su operación?"),
        ("no", "No es un incidente crítico"),
        ("y el correo de soporte?", SUPPORT_EMAIL),
        ("listo, gracias", "Con gusto"),
    ],
    [  # digression in the middle of triage, then a critical answer
        ("buenas", "asistente virtual"),
        ("tengo un problema con el estampado", "¿El problema detiene su operación?"),
        ("cual es el correo de soporte?", SUPPORT_EMAIL),
        ("si, toda la operacion esta parada", P1),
        ("gracias", "Con gusto"),
    ],
    [  # critical incident straight away, then the chat link
        ("URGENTE se cayo el servicio de estampado, toda la operacion esta detenida", P1),
        ("y el link del chat?", CHAT_URL),
        ("ok gracias", "Con gusto"),
    ],
    [  # PQRSA and hours
        ("hola buenas noches", "asistente virtual"),
        ("quiero poner una queja por un cobro que me hicieron", PQRSA_EMAIL),
        ("cual es el horario de atencion?", MONDAY),
        ("chao", "Gracias por escribirnos"),
    ],
    [  # escalation: the supervisor's contact (level 2) at once, then the support line
        ("quiero hablar con un supervisor", "Lamento que su caso no se haya resuelto"),
        ("y el telefono de soporte?", MAIN_LINE),
        ("gracias", "Con gusto"),
    ],
    [  # a problem, then the customer gives up; a person; typos
        ("kual es el telefno d soporte??", MAIN_LINE),
        ("tengo un problema", "¿Qué servicio está afectado?"),
        ("olvidalo", "lo dejamos aquí"),
        ("quiero hablar con un asesor", "Ahora no hay asesores disponibles"),
        ("gracias", "Con gusto"),
    ],
]

ENGLISH: list[list[Turn]] = [
    [("hello there", "Hey! How are you?"), ("I am feeling great", "Great, carry on!"), ("bye", "Bye")],
    [("hi", "Hey! How are you?"), ("I am sad", "Did that help you?"), ("yes", "Great, carry on!"),
     ("goodbye", "Bye")],
    [("good morning", "Hey! How are you?"), ("not very good", "Did that help you?"), ("no", "Bye")],
    [("are you a bot?", "I am a bot"), ("hey", "Hey! How are you?"), ("perfect", "Great, carry on!"),
     ("see you later", "Bye")],
    [("good evening", "Hey! How are you?"), ("I am very sad", "Did that help you?"),
     ("of course", "Great, carry on!"), ("am I talking to a human?", "I am a bot"), ("bye bye", "Bye")],
]


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    customers: int
    pause: tuple[float, float] | None  # seconds between a customer's turns, or None


SCENARIOS = {
    "a": Scenario("a", "1 customer, no pause", 1, None),
    "b": Scenario("b", "8 customers, no pause (saturation)", 8, None),
    "c": Scenario("c", "20 customers, 2-5 s pauses (realistic)", 20, (2.0, 5.0)),
    "d": Scenario("d", "8 customers, no pause, PostgreSQL + Redis", 8, None),
}

"""addons/log_privacy.py: no customer text in the Rasa server's log, every record on one line.

Records are built the way Rasa builds them (its parser warning routed through
``logging.captureWarnings``, its structlog JSON event), then Rasa's own code is run in
.venv/rasa with the add-ons imported, as ``python -m addons.rasa_run`` does.
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import warnings

import pytest

from addons import log_privacy
from addons.log_privacy import FILTER, clean_message, one_line
from tests.conftest import ROOT

RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
CUSTOMER_LINE = ("/mi cédula es 1 095 509 181 y mi correo ana.perez (arroba) empresa.com\n"
                 "2026-12-07 21:00:00 ERROR    rasa.core.processor  - línea falsa 3158821904")
SECRETS = ["1 095 509 181", "1095509181", "ana.perez", "3158821904", "315 882 1904", "cédula", "línea falsa"]


def parser_warning(line: str) -> str:
    """The text warnings.formatwarning gives for Rasa's warning (rasa/shared/utils/io.py, raise_warning)."""
    message = (f"Failed to parse arguments in line '{line}'. Expected the intent to be one of "
               f"[['affirm', 'greet', 'nlu_fallback']] but found {line[1:]}.Continuing with given line as user text.")
    return (f"\x1b[93m/x/.venv/rasa/lib/python3.10/site-packages/rasa/shared/utils/io.py:100: UserWarning: {message}\n"
            "  More info at https://rasa.com/docs/rasa/stories\n\x1b[0m")


def record(name: str, msg: str, args=None, level=logging.WARNING, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)


def test_rasas_parser_warning_keeps_only_the_reason():
    rec = record("py.warnings", "%s", (parser_warning(CUSTOMER_LINE),))
    assert FILTER.filter(rec) is True
    message = rec.getMessage()
    assert "\n" not in message and "\r" not in message and "\x1b" not in message
    assert [s for s in SECRETS if s in message] == []
    assert "UserWarning: Failed to parse a message that starts with '/' as an intent" in message
    assert "(the intent is not one of the domain); the customer's text is not logged." in message


def test_the_structlog_event_keeps_its_name_and_loses_the_text():
    rendered = ('{"user_text": "/@ 3001234567\\nFALSO", "event": "message.parsing.failed", '
                '"level": "warning"}')
    rec = record("rasa.shared.core.training_data.story_reader.yaml_story_reader", rendered)
    FILTER.filter(rec)
    assert rec.getMessage() == ('{"user_text": "[texto del cliente: 19 caracteres]", '
                                '"event": "message.parsing.failed", "level": "warning"}')


def test_any_other_record_is_masked_and_kept_on_one_line():
    rec = record("rasa.core.processor", "Received user message '%s' with intent '%s'",
                 ("hola, mi NIT es 900.123.456-7\r\nINFO forged", "greet"), level=logging.DEBUG)
    FILTER.filter(rec)
    assert rec.getMessage() == "Received user message 'hola, mi NIT es [documento]\\r\\nINFO forged' with intent 'greet'"
    assert rec.args is None


def test_escaped_characters_in_a_repr_do_not_hide_a_number():
    text = repr("mi celular es 3\u200b00\u200b123\u200b4567 o \uff13\uff10\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17")
    assert "\\u200b" in text or "\u200b" in text
    assert "3001234567" not in clean_message(text).replace(" ", "")
    assert "[teléfono]" in clean_message(text)


def test_a_traceback_is_masked():
    try:
        raise ValueError("no pude leer 1095509181")
    except ValueError:
        rec = record("rasa.core", "falló", exc_info=sys.exc_info(), level=logging.ERROR)
    FILTER.filter(rec)
    formatted = logging.Formatter().format(rec)
    assert "ValueError: no pude leer [documento]" in formatted and "1095509181" not in formatted


def test_every_control_character_is_escaped():
    every = "".join(chr(c) for c in [*range(0, 9), *range(10, 32), 127, *range(0x80, 0xA0)]) + "\u2028\u2029"
    line = one_line(f"a{every}\tb")
    assert line.isprintable() or set(line) - set(line.replace("\t", "")) == {"\t"}
    assert "\\n" in line and "\\r" in line and "\\x1b" in line and "\\x85" in line and "\\u2028" in line


@pytest.fixture
def installed():
    factory = logging.getLogRecordFactory()
    showwarning = warnings.showwarning
    log_privacy.install()
    log_privacy.install()  # twice: still one filter
    yield
    logging.setLogRecordFactory(factory)
    logging.captureWarnings(False)
    warnings.showwarning = showwarning


def test_installed_it_cleans_every_logger_and_python_warnings(installed):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s - %(message)s"))
    for name in ("rasa.core.processor", "py.warnings", "sanic.error"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = name != "sanic.error"
    try:
        logging.getLogger("rasa.core.processor").warning("texto %s", "3001234567\nWARNING falsa")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn(f"Failed to parse arguments in line '{CUSTOMER_LINE}'. Expected the intent to be one of "
                          f"[['greet']] but found {CUSTOMER_LINE[1:]}.", UserWarning, stacklevel=1)
        logging.getLogger("sanic.error").error("Exception occurred while handling uri: %s", "/x?q=ana@empresa.co")
    finally:
        for name in ("rasa.core.processor", "py.warnings", "sanic.error"):
            logging.getLogger(name).removeHandler(handler)
    written = stream.getvalue()
    lines = written.splitlines()
    assert len(lines) == 3, written
    assert [s for s in SECRETS + ["3001234567", "ana@empresa.co"] if s in written] == []
    assert lines[0] == "WARNING rasa.core.processor - texto [teléfono]\\nWARNING falsa"
    assert lines[1].startswith("WARNING py.warnings - ") and "the customer's text is not logged" in lines[1]
    assert log_privacy.installed()


def test_rasas_own_parser_warning_reaches_the_log_without_the_customers_text():
    """Rasa's code, logging set up as `rasa run` sets it, the add-ons imported as addons.rasa_run does."""
    if not RASA_PYTHON.exists():
        pytest.skip(f"{RASA_PYTHON} is missing (make setup)")
    program = f"""
import logging
import addons  # installs the log filter, as `python -m addons.rasa_run` does
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.log_utils import configure_structlog
configure_logging_and_warnings(logging.INFO)
configure_structlog(logging.INFO)
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
domain = Domain.from_dict({{"intents": ["greet"], "entities": []}})
for text in [{CUSTOMER_LINE!r}, "/@ 3158821904", '/greet{{"cedula": "1095509181"}}', "/greet@0.9 1095509181"]:
    YAMLStoryReader.unpack_regex_message(Message({{"text": text}}), domain, "RegexMessageHandler")
print("done")
"""
    done = subprocess.run([str(RASA_PYTHON), "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false",
                               "ASSISTANT_RASA_SPEEDUPS": "off"})
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stdout + done.stderr
    assert "Failed to parse a message that starts with '/'" in log and "message.parsing.failed" in log, log
    assert [s for s in SECRETS if s in log] == [], log
    assert "ERROR" not in log and "falsa" not in log, log


def test_the_console_form_of_a_structlog_event_loses_the_text_too():
    rendered = ("\x1b[2m2026-12-07 21:00:00\x1b[0m [\x1b[32mdebug    \x1b[0m] processor.message.parse "
                "\x1b[36mparse_data_text\x1b[0m=\x1b[35m'hola soy Ana, NIT 900123456-7'\x1b[0m "
                "\x1b[36mparse_data_intent\x1b[0m=\x1b[35m{'name': 'greet'}\x1b[0m")
    message = clean_message(rendered)
    assert "Ana" not in message and "900123456" not in message
    assert "parse_data_text=[texto del cliente omitido]" in message and "processor.message.parse" in message

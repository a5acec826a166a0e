"""helpdesk/phrases.py: the phrases file is validated fully, and an error names the file,
the key and what is allowed (a supervisor fixes it without reading code)."""

from __future__ import annotations

import copy

import pytest
import yaml

from actions import runtime
from helpdesk import phrases as phrases_module
from helpdesk.phrases import LISTS, TEMPLATES, PhrasesConfigError, build_phrases, load_phrases
from tests.conftest import ROOT

PHRASES_FILE = ROOT / "schedule" / "phrases.yml"


def shipped() -> dict:
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))


def edited(change) -> dict:
    data = copy.deepcopy(shipped())
    change(data)
    return data


def error_of(data) -> PhrasesConfigError:
    with pytest.raises(PhrasesConfigError) as caught:
        build_phrases(data, "phrases.yml")
    return caught.value


def test_the_shipped_file_is_valid_and_complete():
    loaded = load_phrases(PHRASES_FILE)
    assert set(loaded.templates) == set(TEMPLATES)
    assert set(loaded.lists) == set(LISTS)
    assert loaded("when.tomorrow", weekday="miércoles", at="a las 7:00 a. m.") == "mañana miércoles a las 7:00 a. m."


def test_every_section_says_in_spanish_what_it_is_and_what_fills_it():
    """Each top-level key has a comment right above it, and every placeholder of a section's
    templates is explained in a comment of that section ("{when}: cuándo abre")."""
    import re

    lines = PHRASES_FILE.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line and not line.startswith((" ", "#", "-"))]
    for n, i in enumerate(starts):
        assert lines[i - 1].startswith("#"), f"line {i + 1}: {lines[i]!r} has no comment above it"
        head = i
        while head > 0 and lines[head - 1].startswith("#"):
            head -= 1
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        block = lines[head:end]
        comments = " ".join(line for line in block if line.strip().startswith("#"))
        for line in block:
            if line.strip().startswith("#"):
                continue
            for name in re.findall(r"\{(\w+)\}", line):
                assert "{" + name + "}" in comments, f"line {lines.index(line) + 1}: {{{name}}} is not explained"


def test_an_unknown_placeholder_is_named_with_the_allowed_ones():
    error = error_of(edited(lambda d: d["when"].update(tomorrow="mañana {dia} {at}")))
    assert error.key == "when.tomorrow"
    assert "unknown placeholder {dia}" in str(error)
    assert "{weekday}, {at}" in str(error) and str(error).startswith("phrases.yml: when.tomorrow:")


def test_a_missing_placeholder_is_named():
    error = error_of(edited(lambda d: d["closed_reason"].update(after_hours="Los sábados se atiende hasta la 1.")))
    assert error.key == "closed_reason.after_hours"
    assert "must keep the placeholder {days}" in str(error)


def test_a_format_trick_is_not_a_placeholder():
    for text in ("hoy {at!r}", "hoy {at:>20}", "hoy {at.upper}", "hoy {0}"):
        error = error_of(edited(lambda d, t=text: d["when"].update(today=t)))
        assert error.key == "when.today" and "unknown placeholder" in str(error), text


def test_a_stray_brace_is_reported():
    error = error_of(edited(lambda d: d["when"].update(today="hoy {at")))
    assert error.key == "when.today" and "brace" in str(error)


def test_a_missing_key_and_an_unknown_key_are_named():
    error = error_of(edited(lambda d: d["status"].pop("closed")))
    assert error.key == "status.closed" and "is missing" in str(error)
    error = error_of(edited(lambda d: d["status"].update(cerrado="Cerrado")))
    assert error.key == "status.cerrado" and "not a phrase the assistant uses" in str(error)
    assert "status.closed" in str(error)  # what the section may have


def test_the_period_the_assistant_adds_is_not_written_twice():
    error = error_of(edited(lambda d: d["status"].update(open="Ahora atiende, {until}.")))
    assert error.key == "status.open" and "must not end with a period" in str(error)
    error = error_of(edited(lambda d: d["closed_reason"].update(out_of_hours="Estamos fuera de horario")))
    assert error.key == "closed_reason.out_of_hours" and "end it with a period" in str(error)


def test_word_lists_have_their_length():
    error = error_of(edited(lambda d: d["weekdays"].pop()))
    assert error.key == "weekdays" and "must have 7 words, got 6" in str(error)
    error = error_of(edited(lambda d: d["months"].__setitem__(0, "")))
    assert error.key == "months[0]"


def test_not_text_and_spaces_around_are_refused():
    assert error_of(edited(lambda d: d.update(at=7))).key == "at"
    assert "space" in str(error_of(edited(lambda d: d.update(at=" a {clock}"))))
    assert error_of([]).key == "(file)"


def test_a_missing_or_broken_file_names_itself(tmp_path):
    with pytest.raises(PhrasesConfigError, match="does not exist"):
        load_phrases(tmp_path / "nothing.yml")
    broken = tmp_path / "phrases.yml"
    broken.write_text("when:\n  today: 'hoy {at}\n", encoding="utf-8")
    with pytest.raises(PhrasesConfigError, match=r"phrases.yml: \(file\): is not valid YAML at line"):
        load_phrases(broken)


def test_the_action_server_refuses_to_start_on_a_broken_phrases_file(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "phrases.yml"
    data = edited(lambda d: d["when"].update(tomorrow="mañana {dia} {at}"))
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(phrases_module.PHRASES_FILE_ENV, str(broken))
    phrases_module.phrases.cache_clear()
    try:
        with pytest.raises(SystemExit) as stopped:
            runtime.startup_check()
        assert stopped.value.code == 2
        message = capsys.readouterr().err
        assert str(broken) in message and "when.tomorrow" in message and "{dia}" in message
    finally:
        phrases_module.phrases.cache_clear()


def test_the_phrases_are_read_lazily_once():
    """Importing the core reads no file; the first phrase reads it, later ones reuse it."""
    phrases_module.phrases.cache_clear()
    assert phrases_module.phrases.cache_info().currsize == 0
    first = phrases_module.phrases()
    assert phrases_module.phrases() is first

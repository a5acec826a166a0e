"""The README and docs/ name only what exists.

Every guarantee in the documentation names the test that proves it; this file checks that
each named test is there, so a renamed or deleted test cannot leave a promise without proof:

- ``tests/unit/test_x.py::test_name`` (also ``::Class::test_name``, ``test_name[param]``): the
  file exists and defines that function (read with ``ast``; a parametrized test is named
  without its bracket);
- ``test_x.py::test_name`` (a file named without its folder): exactly one file of ``tests/``
  has that name;
- ``::test_name`` after such a reference, in the same paragraph or table row: a test of the
  file named last;
- ``test_name`` alone, in backticks: a test function of some file of ``tests/``;
- any other path under ``tests/`` (a folder, a table, a corpus): it exists.

For the README, the front door, also every path it names (in backticks or as a link), every
``make`` target and every ``python -m`` module; in docs/ pages every ``make`` target and every
relative link.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
DOCUMENTS = [README, *PAGES]

# A test file, with or without its folders, and the test names after it ("::a::b[x]").
FILE_REF = re.compile(r"(?<![\w./-])((?:[\w.-]+/)*test_\w+\.py)((?:::[\w]+(?:\[[^\]\s`]*\])?)*)")
# "::test_name" continuing the last file named.
CONTINUED = re.compile(r"(?<![\w.\]])::(\w+)(?:\[[^\]\s`]*\])?")
# A test named alone, in backticks.
BARE = re.compile(r"`(test_\w+)(?:\[[^\]`]*\])?`")
# Any other path under tests/.
TESTS_PATH = re.compile(r"(?<![\w./-])(tests/[\w./*-]*[\w/*])")
BACKTICKED = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
# "make x" as a command: in backticks or at the start of a line of code (not "make it" in prose).
MAKE = re.compile(r"(?:`|^\s*)make ([a-z][a-z-]*)\b", re.M)
PYTHON_M = re.compile(r"python -m ([\w.]+)")
# Paths a fresh clone does not have until something runs: never checked.
GENERATED = ("var/", "models/", ".venv/", "web/node_modules/", ".rasa/", "results/", "tests/artifacts/")
PATH_SUFFIXES = (".py", ".yml", ".yaml", ".md", ".txt", ".sh", ".json", ".toml", ".png", ".in", ".js", ".css",
                 ".html", ".example")


@dataclass(frozen=True)
class Problem:
    document: str
    line: int
    reference: str
    why: str

    def __str__(self) -> str:
        return f"{self.document}:{self.line}: {self.reference}: {self.why}"


@cache
def defined_names(path: Path) -> frozenset[str]:
    """Every function and class a test file defines, at any depth (test classes' methods too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return frozenset(node.name for node in ast.walk(tree)
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))


@cache
def all_test_files() -> tuple[Path, ...]:
    return tuple(sorted(p for p in (ROOT / "tests").rglob("*.py") if "__pycache__" not in p.parts))


@cache
def all_test_names() -> frozenset[str]:
    return frozenset(name for path in all_test_files() for name in defined_names(path))


def resolve_test_file(written: str) -> tuple[Path | None, str]:
    """The file a reference means, or None and why not."""
    if written.startswith("tests/"):
        path = ROOT / written
        return (path, "") if path.is_file() else (None, "no such file")
    if "/" in written:
        path = ROOT / "tests" / written
        return (path, "") if path.is_file() else (None, "no such file under tests/")
    found = [p for p in all_test_files() if p.name == written]
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, "no file of that name under tests/"
    return None, "several files have that name: " + ", ".join(str(p.relative_to(ROOT)) for p in found)


def paragraphs(text: str):
    """(first line number, lines) of each paragraph; a table row is a paragraph of its own."""
    block: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("|"):
            if block:
                yield start, block
            block = []
            if line.strip():
                yield number, [line]
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, block


def check_test_references(name: str, text: str) -> tuple[list[Problem], int]:
    """The problems of one document's references to tests, and how many references it has."""
    problems: list[Problem] = []
    count = 0
    for start, lines in paragraphs(text):
        current: Path | None = None
        for offset, line in enumerate(lines):
            number = start + offset
            spans = []
            for match in FILE_REF.finditer(line):
                spans.append((match.start(), "file", match))
            for match in CONTINUED.finditer(line):
                if not any(s <= match.start() < m.end() for s, kind, m in spans if kind == "file"):
                    spans.append((match.start(), "continued", match))
            for _, kind, match in sorted(spans, key=lambda s: s[0]):
                count += 1
                if kind == "file":
                    written, names = match.group(1), match.group(2)
                    path, why = resolve_test_file(written)
                    if path is None:
                        problems.append(Problem(name, number, match.group(0), why))
                        current = None
                        continue
                    current = path
                    for test in re.findall(r"::(\w+)", names):
                        if test not in defined_names(path):
                            problems.append(Problem(name, number, f"{written}::{test}",
                                                    f"{path.relative_to(ROOT)} defines no {test}"))
                else:
                    test = match.group(1)
                    if current is None:
                        problems.append(Problem(name, number, match.group(0), "no test file named before it"))
                    elif test not in defined_names(current):
                        problems.append(Problem(name, number, match.group(0),
                                                f"{current.relative_to(ROOT)} defines no {test}"))
            for match in BARE.finditer(line):
                count += 1
                if match.group(1) not in all_test_names():
                    problems.append(Problem(name, number, match.group(1), "no test of that name in tests/"))
            for match in TESTS_PATH.finditer(line):
                written = match.group(1)
                if written.endswith(".py") or (written.rstrip("/") + "/").startswith(GENERATED):
                    continue  # test files are checked above
                count += 1
                if not ((ROOT / written).exists() or ("*" in written and any(ROOT.glob(written)))):
                    problems.append(Problem(name, number, written, "no such file or folder"))
    return problems, count


@cache
def make_targets() -> frozenset[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return frozenset(re.findall(r"^([a-z][a-z-]*):", text, re.M))


@cache
def repository_names() -> frozenset[str]:
    """The name of every file and folder of the project (a README may name ``dialogue.py`` after
    naming its folder)."""
    skip = {".venv", "node_modules", "var", "models", ".git", "__pycache__", ".rasa"}
    return frozenset(p.name for p in ROOT.rglob("*") if not skip & set(p.relative_to(ROOT).parts))


def looks_like_a_path(token: str) -> bool:
    if any(c in token for c in " <>*{}$…|=,;?'\"") or token.startswith(("/", "http", "-", ".", "~")):
        return False
    return "/" in token or token.endswith(PATH_SUFFIXES)


def module_exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def commands_and_links(name: str, text: str, *, every_path: bool) -> tuple[list[Problem], int]:
    """``make`` targets and relative links; with ``every_path`` also every path in backticks and
    every ``python -m`` module of this project."""
    problems: list[Problem] = []
    count = 0
    base = ROOT if name == "README.md" else ROOT / "docs"
    for number, line in enumerate(text.splitlines(), start=1):
        for target in MAKE.findall(line):
            count += 1
            if target not in make_targets():
                problems.append(Problem(name, number, f"make {target}", "no such target in the Makefile"))
        for link in LINK.findall(line):
            if link.startswith(("http:", "https:", "mailto:", "#")):
                continue
            count += 1
            target = (base / link.split("#")[0]).resolve()
            if not target.exists():
                problems.append(Problem(name, number, link, "the link leads nowhere"))
        if not every_path:
            continue
        for module in PYTHON_M.findall(line):
            if module.split(".")[0] in ("actions", "addons", "desk", "helpdesk", "insights", "tools", "web", "tests"):
                count += 1
                if not module_exists(module):
                    problems.append(Problem(name, number, f"python -m {module}", "no such module"))
        for token in BACKTICKED.findall(line):
            token = token.split("::")[0].rstrip("/")
            token = re.sub(r":\d+$", "", token)
            if not looks_like_a_path(token) or (token + "/").startswith(GENERATED):
                continue
            count += 1
            if not (ROOT / token).exists() if "/" in token else token not in repository_names():
                problems.append(Problem(name, number, token, "no such file or folder"))
    return problems, count


def test_every_test_the_docs_name_exists():
    problems, count = [], 0
    for document in DOCUMENTS:
        found, n = check_test_references(document.name, document.read_text(encoding="utf-8"))
        problems += found
        count += n
    assert count >= 300, f"only {count} references to tests were found: is the extraction broken?"
    assert not problems, "the documentation names tests that do not exist:\n" + "\n".join(map(str, problems))


def test_every_path_command_and_link_the_readme_names_exists():
    problems, count = commands_and_links("README.md", README.read_text(encoding="utf-8"), every_path=True)
    assert count >= 80, f"only {count} paths and commands were found in the README"
    assert not problems, "the README names what does not exist:\n" + "\n".join(map(str, problems))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_make_target_and_link_of_a_page_exists(page):
    problems, _ = commands_and_links(f"docs/{page.name}", page.read_text(encoding="utf-8"), every_path=False)
    assert not problems, "\n".join(map(str, problems))


def test_every_page_says_first_what_it_covers():
    """Under its title, each page of docs/ starts with a paragraph of prose (not a table, a list
    or code) saying what it covers."""
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# "), page.name
        first = next(line for line in lines[1:] if line.strip())
        assert not first.startswith(("|", "-", "*", "`", "#", ">", "!", "<")), f"{page.name}: {first}"
        assert len(first.split()) >= 8, f"{page.name}: {first}"


def test_the_readme_is_a_front_door():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250, len(text.splitlines())
    for command in ("make run", "make test"):
        assert f"{command} " in text or f"{command}`" in text, command
    named = set(re.findall(r"^\| `([\w.]+)/`", text, re.M))  # the table of folders
    ignored = {line.strip().strip("/") for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()}
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in ignored
               and not any(fnmatch.fnmatch(p.name, pattern) for pattern in ignored)  # models.tmp.* while training
               and (not p.name.startswith(".") or p.name == ".ci")}  # .git, .venv … are not the project's
    assert {"actions", "helpdesk", "tests", ".ci"} <= folders, folders
    assert folders <= named, f"folders missing from the README's table: {sorted(folders - named)}"


# ------------------------------------------------------------------- the checks themselves

def test_the_checks_find_what_does_not_exist():
    """The extraction, on a planted text: each wrong reference is reported, each right one is not."""
    planted = "\n".join([
        "| a row | `tests/unit/test_docs.py::test_every_test_the_docs_name_exists`, `::test_no_such_thing` |",
        "Proved by `tests/unit/test_docs.py::test_every_page_says_first_what_it_covers[README.md]` and",
        "`::test_the_readme_is_a_front_door`; `tests/unit/test_nothing_here.py::test_a`,",
        "`test_docs.py::test_missing_too`, `test_security.py::test_x`, `test_the_checks_find_what_does_not_exist`,",
        "`test_never_written`, `tests/tables/priority.yml`, `tests/tables/nothing.yml`.",
        "",
        "`::test_alone` with no file before it.",
    ])
    problems, count = check_test_references("planted.md", planted)
    found = sorted((p.line, p.reference) for p in problems)
    assert found == [
        (1, "::test_no_such_thing"),
        (3, "tests/unit/test_nothing_here.py::test_a"),
        (4, "test_docs.py::test_missing_too"),
        (4, "test_security.py::test_x"),   # tests/live/ and tests/integration/: name the folder
        (5, "test_never_written"),
        (5, "tests/tables/nothing.yml"),
        (7, "::test_alone"),
    ], found
    assert count == 12


def test_the_readme_checks_find_a_missing_path_target_and_module():
    planted = ("Edit `schedule/channels.yml` and `schedule/nothing.yml`, run `make wording-snapshot` and "
               "`make no-such-target`, `python -m tools.stack` and `python -m tools.nothing`, see "
               "[the page](docs/wording.md) and [nothing](docs/nothing.md); `var/report/report.html` and "
               "`web/node_modules` are made by running.")
    problems, _ = commands_and_links("README.md", planted, every_path=True)
    assert sorted(p.reference for p in problems) == ["docs/nothing.md", "make no-such-target",
                                                     "python -m tools.nothing", "schedule/nothing.yml"]

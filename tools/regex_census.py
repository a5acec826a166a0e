"""Count the regular expressions written in Python code and their alternatives.

    .venv/actions/bin/python -m tools.regex_census helpdesk            # totals
    .venv/actions/bin/python -m tools.regex_census helpdesk --list     # every pattern

A pattern is a string literal passed to ``re.compile``/``re.search``/``re.match``/
``re.fullmatch``/``re.sub``/``re.findall``/``re.finditer``/``re.split``, or a string
constant that contains regex syntax (``\\b``, ``(?:``, ``\\s``, ``\\w``, ``\\d``) — module
constants assembled into patterns count too. Its alternatives are its ``|`` outside
character classes, plus one. The vocabulary should live in data files
(``data/nlu/lexicon.yml``), so this number is meant to stay small.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

_RE_FUNCS = {"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"}
_SYNTAX = ("\\b", "(?:", "\\s", "\\w", "\\d", "(?<", "(?=", "(?!")


def alternatives(pattern: str) -> int:
    """``|`` outside character classes, plus one."""
    count, in_class, escaped = 1, False, False
    for ch in pattern:
        if escaped:
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "|" and not in_class:
            count += 1
    return count


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))]
    return []


def patterns_in(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[int, tuple[int, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _RE_FUNCS \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args:
            for s in _strings(node.args[0]):
                found[id(node.args[0])] = (node.lineno, s)
        elif isinstance(node, (ast.Constant, ast.JoinedStr)):
            for s in _strings(node):
                if any(token in s for token in _SYNTAX):
                    found.setdefault(id(node), (node.lineno, s))
    return sorted(found.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    total_patterns = total_alternatives = 0
    for folder in args.folders:
        for path in sorted(folder.rglob("*.py")):
            pats = patterns_in(path)
            alts = sum(alternatives(p) for _, p in pats)
            total_patterns += len(pats)
            total_alternatives += alts
            if pats:
                print(f"{path}: {len(pats)} patterns, {alts} alternatives")
            if args.list:
                for line, p in pats:
                    print(f"  {line}: {p[:140]}")
    print(f"total: {total_patterns} patterns, {total_alternatives} alternatives")
    return 0


if __name__ == "__main__":
    sys.exit(main())

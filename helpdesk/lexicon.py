"""The vocabulary the core reads, kept as data and shared with the NLU.

Words are not code. Two files of Rasa training data hold them:

- ``data/nlu/synonyms.yml``: how customers name each entity value ("tel", "celular",
  "línea" → ``support_line``; "sello de tiempo" → ``estampado_cronologico``). The NLU's
  ``EntitySynonymMapper`` maps extracted spans with it; the core finds the same values in
  text the NLU did not annotate.
- ``data/nlu/lexicon.yml``: lookup tables (``- lookup: <name>``) of cue words and phrases
  the core's structural rules need: hypotheticals, resolved or past events, explicit
  yes/no, third parties, contact kinds. The NLU's ``RegexFeaturizer`` uses them as
  features, so the classifier sees the same cues.
- ``data/dialogue_words.yml``: the same kind of tables for the dialogue's readers only
  (follow-ups, letters, the parts of a message, case numbers), under the key ``words`` so
  that Rasa does not read these common words as features.

Matching is on folded words (``helpdesk.text.words``: lowercase, no accents, ñ → n): a
phrase matches a run of words, and a word of six letters or more also matches with one
typo ("solucionó" = "solusiono") — unless it is itself a word of the tables ("pasado" is not
"parado"). No prefix stems and no regular expressions: a form the
customers use is added to the data, where reviewers who do not code can read it.

The tables are read once per process (``lexicon()``) and validated: an unknown table
name asked for by the code is an error, so a renamed table cannot silently match nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from helpdesk.text import one_edit_apart, words

ROOT = Path(__file__).resolve().parent.parent
LEXICON_FILE = ROOT / "data" / "nlu" / "lexicon.yml"
WORDS_FILE = ROOT / "data" / "dialogue_words.yml"
SYNONYMS_FILE = ROOT / "data" / "nlu" / "synonyms.yml"
TYPO_MIN_LENGTH = 6  # shorter words must be written exactly ("marzo" is not a typo of "marco")


class LexiconError(ValueError):
    """The lexicon files cannot be read, or the code asked for a table that does not exist."""


@dataclass(frozen=True)
class Hit:
    """A phrase of a table found in a text: word positions [start, end) and the phrase."""

    table: str
    start: int
    end: int
    phrase: tuple[str, ...]


def _word_matches(word: str, wanted: str) -> bool:
    """Equal, or one typo away in a word of six letters or more — except a different last
    letter, which in Spanish is another form of the word ("firmo" is not "firma")."""
    if word == wanted:
        return True
    if len(word) == len(wanted) and word[:-1] == wanted[:-1]:
        return False
    return len(wanted) >= TYPO_MIN_LENGTH and len(word) >= TYPO_MIN_LENGTH and word[0] == wanted[0] \
        and one_edit_apart(word, wanted)


def _entries(block: dict, key: str, source: Path) -> list[tuple[str, ...]]:
    raw = block.get("examples")
    if not isinstance(raw, str):
        raise LexiconError(f"{source}: '{key}: {block.get(key)}' has no 'examples: |' list")
    phrases = []
    for line in raw.splitlines():
        line = line.strip()
        if not line.startswith("- "):
            continue
        phrase = tuple(words(line[2:]))
        if phrase:
            phrases.append(phrase)
    return phrases


class Lexicon:
    """Named tables of phrases (folded word tuples), with matching on a text's words."""

    def __init__(self, tables: dict[str, list[tuple[str, ...]]], values: dict[str, list[tuple[str, ...]]]):
        self.tables = tables
        self.values = values  # entity value -> its written forms (synonyms)
        self._by_length = {name: sorted(set(p), key=len, reverse=True) for name, p in {**tables, **values}.items()}
        # Every word the tables know: such a word is itself, never a typo of another
        # ("pasado", of "el mes pasado", is not "parado").
        self._known = frozenset(w for phrases in self._by_length.values() for p in phrases for w in p)

    @classmethod
    def load(cls, lexicon_file: Path = LEXICON_FILE, synonyms_file: Path = SYNONYMS_FILE,
             words_file: Path = WORDS_FILE) -> Lexicon:
        tables: dict[str, list[tuple[str, ...]]] = {}
        values: dict[str, list[tuple[str, ...]]] = {}
        sources = ((lexicon_file, "nlu", "lookup", tables), (words_file, "words", "lookup", tables),
                   (synonyms_file, "nlu", "synonym", values))
        for path, top, key, target in sources:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise LexiconError(f"cannot read {path}: {exc}") from exc
            for block in data.get(top) or []:
                if isinstance(block, dict) and key in block:
                    name = str(block[key])
                    target.setdefault(name, []).extend(_entries(block, key, path))
                    if key == "synonym":
                        target[name].append(tuple(words(name.replace("_", " "))))
        if not tables:
            raise LexiconError(f"{lexicon_file}: no '- lookup:' tables")
        return cls(tables, values)

    def _phrases(self, table: str) -> list[tuple[str, ...]]:
        try:
            return self._by_length[table]
        except KeyError:
            raise LexiconError(f"no table or entity value '{table}' in {LEXICON_FILE.name} or {SYNONYMS_FILE.name}") from None

    def find(self, table: str, text_or_words: str | Sequence[str]) -> list[Hit]:
        """Every non-overlapping occurrence of the table's phrases, longest first, in order."""
        tokens = words(text_or_words) if isinstance(text_or_words, str) else list(text_or_words)
        phrases = self._phrases(table)
        hits: list[Hit] = []
        taken: set[int] = set()
        for phrase in phrases:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                if any(j in taken for j in range(i, i + n)):
                    continue
                if all(tokens[i + k] == phrase[k] or tokens[i + k] not in self._known
                       and _word_matches(tokens[i + k], phrase[k]) for k in range(n)):
                    hits.append(Hit(table, i, i + n, phrase))
                    taken.update(range(i, i + n))
        return sorted(hits, key=lambda h: h.start)

    def has(self, table: str, text_or_words: str | Sequence[str]) -> bool:
        return bool(self.find(table, text_or_words))

    def starts_with(self, table: str, text_or_words: str | Sequence[str]) -> Hit | None:
        """A phrase of the table at the very start of the text."""
        for hit in self.find(table, text_or_words):
            if hit.start == 0:
                return hit
        return None

    def values_in(self, candidates: Iterable[str], text_or_words: str | Sequence[str]) -> list[str]:
        """Which of the entity values are named in the text, in order of appearance."""
        tokens = words(text_or_words) if isinstance(text_or_words, str) else list(text_or_words)
        found = []
        for value in candidates:
            hits = self.find(value, tokens)
            if hits:
                found.append((hits[0].start, value))
        return [v for _, v in sorted(found)]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The product's lexicon, read once per process."""
    return Lexicon.load()

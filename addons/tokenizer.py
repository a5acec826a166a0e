"""A whitespace tokenizer that ignores accents and letter case.

Customers write "telefono", "TELÉFONO" and "teléfono" for the same word. The
featurizers see one token for all of them; token offsets stay those of the
original text, so extracted entities keep the customer's spelling.
"""

from __future__ import annotations

import unicodedata
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message


def fold(text: str) -> str:
    """Lowercase without accents ("Teléfono" → "telefono"); ñ stays ñ."""
    out = []
    for ch in text.lower():
        if ch in "ñ":
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class AccentFoldingTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer whose tokens are folded to lowercase without accents."""

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.text = fold(token.text)
            token.lemma = fold(token.lemma) if token.lemma else token.text
        return tokens

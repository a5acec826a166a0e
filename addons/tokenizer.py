"""A whitespace tokenizer that ignores accents and letter case.

Customers write "telefono", "TELÉFONO" and "teléfono" for the same word, and
"manana" for "mañana". The featurizers see one token for all of them, folded by
``helpdesk.text.fold`` — the same function the core's readers use, so the NLU and
the readers agree on every word. Token offsets stay those of the original text,
so extracted entities keep the customer's spelling.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from helpdesk.text import fold


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class AccentFoldingTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer whose tokens are folded to lowercase without accents."""

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.text = fold(token.text)
            token.lemma = fold(token.lemma) if token.lemma else token.text
        return tokens

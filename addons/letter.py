"""The NLU reads the request inside a letter, not its signature.

`LetterReader` runs before tokenization: a long message's text becomes its request part
(``helpdesk.letter.request_part``: without the addressee, the salutation, the closing and
the signature), so a job title such as "Coordinador Administrativo" in a signature never
decides the intent. Training examples are read the same way. The tracker keeps the
customer's full text; the core calls the same function on it.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from helpdesk.letter import request_part


def _shift_entities(message: Message, offset: int, length: int) -> None:
    """Annotated entities of a training example, re-anchored in its request part (dropped
    when they fall outside it, or when the part is not a plain substring)."""
    entities = message.get(ENTITIES) or []
    if not entities:
        return
    kept = []
    for entity in entities:
        start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
        if offset < 0 or start is None or end is None or start < offset or end > offset + length:
            continue
        kept.append({**entity, ENTITY_ATTRIBUTE_START: start - offset, ENTITY_ATTRIBUTE_END: end - offset})
    message.set(ENTITIES, kept)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class LetterReader(GraphComponent):
    """Replaces a letter's text by its request part before the tokenizer reads it."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LetterReader:
        return cls()

    @staticmethod
    def _read(messages: list[Message]) -> None:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                part = request_part(text)
                if part != text:
                    message.set(TEXT, part)
                    _shift_entities(message, text.find(part), len(part))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._read(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._read(messages)
        return messages

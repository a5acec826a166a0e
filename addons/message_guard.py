"""A cap on what the NLU reads, so a 100 kB message gets a polite answer.

`MessageSizeGuard` runs first: a text longer than `max_chars` is cut to that
length (the tokenizer, the entity extractor and the classifier never see the rest) and marked
with `message_truncated` in the parse result. `OversizeMessageFallback` runs
last: a marked message becomes `nlu_fallback`, whose action asks the customer
to summarise (actions/unclear.py). The full text stays in the tracker.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

TRUNCATED = "message_truncated"


def _max_chars(config: Dict[Text, Any]) -> int:
    return int(os.environ.get("ASSISTANT_MAX_MESSAGE_CHARS", config.get("max_chars", 2000)))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MessageSizeGuard(GraphComponent):
    """Cuts over-long messages before tokenization."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_chars": 2000}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.max_chars = _max_chars(config)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "MessageSizeGuard":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and len(text) > self.max_chars:
                message.set(TEXT, text[: self.max_chars])
                message.set(TRUNCATED, {"original_length": len(text)}, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OversizeMessageFallback(GraphComponent):
    """Turns a cut message into nlu_fallback, with no entities (nothing guessed)."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "OversizeMessageFallback":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(TRUNCATED):
                fallback = {"name": "nlu_fallback", "confidence": 1.0}
                message.set(INTENT, fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [fallback], add_to_output=True)
                message.set(ENTITIES, [], add_to_output=True)
        return messages

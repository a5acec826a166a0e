"""The NLU reads each question of a message on its own, in the same pass.

`ClauseSplitter` (after the letter reader, before the tokenizer) appends the parts of a
message that asks several things (``helpdesk.clauses.split_parts``) to the list of
messages the graph is processing, so every later component — tokenizer, featurizers,
classifier, the fallback — reads them as it reads the message itself. `ClauseCollector` (last)
puts their readings into the message's parse data as ``clauses`` ([{text, sentence,
intent, confidence, ranking, entities}]) and drops them from the list. One model, one pass; nothing is
trained differently (training data is left as it is).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from helpdesk.clauses import split_parts

PART_OF = "clause_of"  # on a part: its position in the parent's list of parts
CLAUSES = "clauses"
SENTENCE = "clause_is_sentence"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ClauseSplitter(GraphComponent):
    """Adds the parts of a several-questions message to the messages being read."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ClauseSplitter:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        out: list[Message] = []
        for message in messages:
            out.append(message)
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith("/") or message.get(PART_OF) is not None:
                continue
            parts = split_parts(text)
            if len(parts) < 2:
                continue
            message.set(CLAUSES, [], add_to_output=True)
            for part in parts:
                child = Message(data={TEXT: part.text})
                child.set(PART_OF, id(message))
                child.set(SENTENCE, part.sentence)
                out.append(child)
        return out


# A message read as one of these (no request of its own: "gracias, ¿y el correo?", "jajaja
# se me cayó el café… ¿cuál era el correo?") whose part asks something answerable with at
# least this confidence is that request: the part's intent becomes the message's, so the
# rules route it to the answer (the original intent stays in the ranking).
NOT_A_REQUEST = frozenset({"greet", "goodbye", "thank", "out_of_scope", "nlu_fallback", "affirm", "deny",
                           "inform", "bot_challenge"})
PROMOTE_MIN_CONFIDENCE = 0.8


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ClauseCollector(GraphComponent):
    """Moves the parts' readings into their message's ``clauses`` and drops the parts; a
    message with no request of its own takes the request one of its parts makes."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ClauseCollector:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        parents = {id(m): m for m in messages if m.get(PART_OF) is None}
        kept: list[Message] = []
        for message in messages:
            parent_id = message.get(PART_OF)
            if parent_id is None:
                kept.append(message)
                continue
            parent = parents.get(parent_id)
            if parent is None:
                continue
            intent = message.get(INTENT) or {}
            reading = {
                "text": message.get(TEXT),
                "sentence": bool(message.get(SENTENCE)),
                "intent": intent.get("name"),
                "confidence": round(float(intent.get("confidence") or 0.0), 4),
                "ranking": [[r.get("name"), round(float(r.get("confidence") or 0.0), 4)]
                            for r in (message.get(INTENT_RANKING_KEY) or [])[:4]],
                "entities": [{k: e.get(k) for k in ("entity", "value", "start", "end")} for e in message.get(ENTITIES) or []],
            }
            parent.set(CLAUSES, (parent.get(CLAUSES) or []) + [reading], add_to_output=True)
        for message in kept:
            self._promote(message)
        return kept

    @staticmethod
    def _promote(message: Message) -> None:
        intent = message.get(INTENT) or {}
        if intent.get("name") not in NOT_A_REQUEST:
            return
        from helpdesk.clauses import ANSWERABLE, is_question

        for part in message.get(CLAUSES) or []:
            if part["intent"] in ANSWERABLE and part["confidence"] >= PROMOTE_MIN_CONFIDENCE and is_question(part["text"]):
                message.set(INTENT, {"name": part["intent"], "confidence": part["confidence"]}, add_to_output=True)
                message.set("intent_from_part", {"text": part["text"], "message_intent": intent}, add_to_output=True)
                return

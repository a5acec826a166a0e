"""Rasa's CRF entity extractor, trained without the unannotated examples that name an entity.

The authors' files since a7 carry no entity annotations (docs/understanding.md, "Training data
from many authors"). Given to the CRF as they are, every channel or service they name ("el
correo de PQRS", "el token") is taught as *not* an entity, and the extractor learned to miss
them. This extractor trains on the annotated examples and on the unannotated ones that name no
channel or service in the lexicon (``helpdesk.understanding.values_in_text``): those still teach
what is not an entity. Extraction itself is the CRF's, unchanged.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from helpdesk.understanding import values_in_text

# The entities whose names the lexicon knows well enough to tell an unannotated example that names one.
CHECKED_ENTITIES = ("channel", "service")


def teaches_the_crf(message: Message) -> bool:
    """An example the CRF learns from: annotated, or naming no channel or service."""
    if message.get(ENTITIES):
        return True
    text = message.get(TEXT) or ""
    return not any(values_in_text(text, entity) for entity in CHECKED_ENTITIES)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class AnnotatedCRFEntityExtractor(CRFEntityExtractor):
    """``CRFEntityExtractor`` without the unannotated examples that name an entity."""

    def train(self, training_data: TrainingData) -> Resource:
        kept = [m for m in training_data.training_examples if teaches_the_crf(m)]
        filtered = TrainingData(training_examples=kept, entity_synonyms=training_data.entity_synonyms,
                                regex_features=training_data.regex_features,
                                lookup_tables=training_data.lookup_tables, responses=training_data.responses)
        return super().train(filtered)

"""Intents from a linear model over word and character n-grams.

`LinearIntentClassifier` reads the text folded as the core reads it
(``helpdesk.text.fold``: lowercase, no accents), weighs word 1–2-grams and character
2–5-grams inside words by sublinear TF-IDF, and trains a multinomial logistic regression.
It is convex: the same data gives the same model on any machine, and one example more or
less moves it a little, where DIET's draw could move held-out macro-F1 by 0.01–0.03 and
the 24/7 decision with it (docs/understanding.md, "The classifier"). It trains in seconds.

The model is stored with skops (no pickle): loading a model file cannot run code, and a
file holding types other than those this component writes is refused.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from helpdesk.text import fold

logger = logging.getLogger(__name__)

_FILE = "linear_intent.skops"
# What a stored model may hold: the pipeline, its two vectorizers and the regression.
_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


def _fold(text: str) -> str:
    return fold(text or "")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Logistic regression on TF-IDF word and character n-grams of the folded text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 30.0,                 # inverse regularisation (chosen by cross-validation, see docs)
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "char_min_df": 2,          # a character n-gram seen once is noise
            "max_iter": 2000,
            "ranking_length": 10,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: Any = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def _pipeline(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        words = TfidfVectorizer(analyzer="word", ngram_range=tuple(self.config["word_ngrams"]),
                                sublinear_tf=True, token_pattern=r"(?u)\b\w+\b", lowercase=False)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.config["char_ngrams"]),
                                sublinear_tf=True, min_df=self.config["char_min_df"], lowercase=False)
        return Pipeline([
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("regression", LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"])),
        ])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        labels = {e.get(INTENT) for e in examples}
        if len(labels) < 2:
            logger.debug("LinearIntentClassifier: fewer than two intents, nothing to train.")
            return self._resource
        model = self._pipeline()
        model.fit([_fold(e.get(TEXT)) for e in examples], [e.get(INTENT) for e in examples])
        self.model = model
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.model, directory / _FILE)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / _FILE
                unknown = sio.get_untrusted_types(file=path)
                refused = [t for t in unknown if not t.startswith(_TRUSTED_PREFIXES)]
                if refused:
                    raise ValueError(f"the stored intent model holds unexpected types: {refused}")
                model = sio.load(path, trusted=unknown)
        except (ValueError, FileNotFoundError) as error:
            logger.warning("LinearIntentClassifier: no usable stored model (%s).", error)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        # An empty or blank message is read too: it gets the classes' prior, below the fallback
        # threshold, so it is answered as not understood (a message with no intent gets no answer).
        readable = [m for m in messages if isinstance(m.get(TEXT), str)]
        if not readable:
            return messages
        probabilities = self.model.predict_proba([_fold(m.get(TEXT)) for m in readable])
        classes = list(self.model.classes_)
        for message, p in zip(readable, probabilities, strict=False):
            order = np.argsort(-p)
            ranking = [{"name": classes[i], "confidence": float(p[i])}
                       for i in order[: self.config["ranking_length"]]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

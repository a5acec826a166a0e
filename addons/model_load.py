"""Build the DIET model's weights eagerly when the Rasa server loads a model.

Rasa 3.6's ``RasaModel.load`` creates an empty model, trains it for one step on
one example so that Keras creates every weight with its shape, then overwrites
the weights with the trained ones and runs one prediction to trace the
prediction graph. The one training step runs through ``tf.function``: Keras
traces the whole training graph (the loss, the CRF of the entity extractor,
the gradients and the optimizer) only to run it once. On this machine that
tracing was 45 of the 53 seconds the model took to load (cProfile of
``load_agent``), and the Rasa server answers nothing while it loads: after a
restart, a crash or a scale-out the customers wait.

``load`` here is Rasa's, step for step, except that the one training step runs
eagerly (``run_eagerly=True``, what Rasa's own ``run_eagerly`` option does),
and the flag is put back to the configured value before the trained weights
are read and the prediction graph is traced. The weights that the server
predicts with are the trained ones, read from the same file, and prediction
runs in a ``tf.function`` as before: tests/rasa/test_rasa_speedups.py loads the
trained model both ways and compares the intent rankings and entities.
"""

from __future__ import annotations

import logging
from typing import Any

import tensorflow as tf
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

logger = logging.getLogger(__name__)

ORIGINAL_LOAD = RasaModel.load.__func__


def load(
    cls: type[RasaModel],
    model_file_name: str,
    model_data_example: RasaModelData,
    predict_data_example: RasaModelData | None = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """``RasaModel.load`` with the weight-building training step run eagerly.

    Fine-tuning (``rasa train --finetune``) gets Rasa's own load: it goes on training
    the model, so the training graph traced here is not wasted there."""
    if finetune_mode:
        return ORIGINAL_LOAD(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                             *args, **kwargs)
    logger.debug(f"Loading the model from {model_file_name} with finetune_mode={finetune_mode}...")
    model = cls(*args, **kwargs)
    learning_rate = kwargs.get("config", {}).get(LEARNING_RATE, 0.001)
    run_eagerly = kwargs.get("config", {}).get(RUN_EAGERLY)

    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), run_eagerly=True)
    data_generator = RasaBatchDataGenerator(model_data_example, batch_size=1)
    model.fit(data_generator, verbose=False)
    model.run_eagerly = run_eagerly
    model.load_weights(model_file_name)

    if predict_data_example:
        model.run_inference(predict_data_example)

    logger.debug("Finished loading the model.")
    return model


def install() -> None:
    """Make ``RasaModel.load`` (and so every Rasa model class's) build the weights eagerly."""
    RasaModel.load = classmethod(load)


def uninstall() -> None:
    """Put Rasa's own ``RasaModel.load`` back (tests compare the two)."""
    RasaModel.load = classmethod(ORIGINAL_LOAD)

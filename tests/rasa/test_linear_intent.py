"""The intent classifier (addons/linear_intent.py) trains, stores, loads and reads as Rasa runs it,
gives the same model for the same data, refuses a stored file holding foreign types, and the
trained model still extracts the entities the core reads."""

from tests.rasa.test_rasa_speedups import run_in_rasa

COMPONENT_SCRIPT = r"""
import json, sys, tempfile
from pathlib import Path
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from addons.linear_intent import LinearIntentClassifier, _FILE

EXAMPLES = {
    "ask_contact": ["cual es el telefono", "me da el correo", "numero de soporte", "el link del chat",
                    "a que correo escribo", "telefono de pqrs", "correo del supervisor"],
    "ask_opening_hours": ["cual es el horario", "atienden los sabados", "hasta que hora atienden",
                          "a que hora abren", "horario de atencion", "atienden festivos"],
    "greet": ["hola", "buenas tardes", "buen dia", "buenas noches", "hola que tal"],
}
def data():
    return TrainingData([Message(data={"text": t, "intent": i}) for i, ts in EXAMPLES.items() for t in ts])

def read(component, texts):
    messages = [Message(data={"text": t}) for t in texts]
    component.process(messages)
    return [(m.get("intent") or {}).get("name") for m in messages], [m.get("intent_ranking") for m in messages]

out = {}
texts = ["kual es el telefno", "HORARIO de los sabados?", "holaa", "Teléfono de soporte"]
with tempfile.TemporaryDirectory() as tmp:
    storage = LocalModelStorage(Path(tmp))
    first = LinearIntentClassifier.create({}, storage, Resource("first"), None)
    first.train(data())
    out["intents"], ranking_first = read(first, texts)
    out["ranking_length"] = len(ranking_first[0])
    out["ranking_sums_to_one"] = abs(sum(r["confidence"] for r in ranking_first[0]) - 1) < 1e-6
    second = LinearIntentClassifier.create({}, storage, Resource("second"), None)
    second.train(data())
    out["same_model"] = read(second, texts)[1] == ranking_first
    loaded = LinearIntentClassifier.load({}, storage, Resource("first"), None)
    out["loaded_same"] = read(loaded, texts)[1] == ranking_first
    # an empty or blank message is read as nothing in particular: a low confidence
    blanks = [Message(data={"text": ""}), Message(data={"text": " \u3000\n"})]
    loaded.process(blanks)
    out["blank_confidences"] = [(m.get("intent") or {}).get("confidence") for m in blanks]
    # a stored file holding a type this component never writes is refused, not loaded
    import skops.io as sio
    from collections import OrderedDict
    with storage.write_to(Resource("foreign")) as directory:
        sio.dump(OrderedDict(a=1), directory / _FILE)
    foreign = LinearIntentClassifier.load({}, storage, Resource("foreign"), None)
    out["foreign_refused"] = foreign.model is None and read(foreign, texts)[0] == [None] * len(texts)
print(json.dumps(out))
"""


def test_the_classifier_trains_stores_loads_and_is_deterministic():
    out = run_in_rasa(COMPONENT_SCRIPT)
    # typos, capitals and accents are read as the folded words they are
    assert out["intents"] == ["ask_contact", "ask_opening_hours", "greet", "ask_contact"], out
    assert out["ranking_length"] == 3 and out["ranking_sums_to_one"], out
    assert out["same_model"], out      # the same data gives the same model
    assert out["loaded_same"], out     # what is loaded reads as what was trained
    assert all(c is not None and c < 0.6 for c in out["blank_confidences"]), out
    assert out["foreign_refused"], out


MODEL_SCRIPT = r"""
import asyncio, json, sys
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from addons.linear_intent import LinearIntentClassifier

async def main():
    agent = Agent.load(sys.argv[1])
    components = [node._component for node in agent.processor.graph_runner._instantiated_nodes.values()]
    out = {"linear": any(isinstance(c, LinearIntentClassifier) for c in components),
           "diet": any(isinstance(c, DIETClassifier) for c in components), "parses": []}
    for text in ["cual es el telefono de soporte?", "quiero poner una queja", "atienden el sabado?",
                 "se cayo el estampado, toda la operacion detenida"]:
        parsed = await agent.parse_message(text)
        out["parses"].append({"intent": parsed["intent"]["name"],
                              "entities": [[e["entity"], e["value"]] for e in parsed["entities"]]})
    print(json.dumps(out))
asyncio.run(main())
"""


def test_the_trained_model_reads_intents_and_entities():
    from tools.stack import MODEL

    assert MODEL.exists(), "train first (make train)"
    out = run_in_rasa(MODEL_SCRIPT, str(MODEL), timeout=300)
    assert out["linear"] and not out["diet"], out
    intents = [p["intent"] for p in out["parses"]]
    assert intents == ["ask_contact", "submit_pqrsa", "ask_opening_hours", "report_critical_incident"], out
    entities = [e for p in out["parses"] for e in p["entities"]]
    assert ["channel", "support_line"] in entities and ["request_type", "queja"] in entities, out
    assert ["day", "saturday"] in entities and ["service", "estampado_cronologico"] in entities, out

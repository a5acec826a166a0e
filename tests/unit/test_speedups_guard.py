"""The guard of the speed-ups of Rasa's code (addons/speedups.py), without Rasa."""

from addons import speedups


def test_the_switch_turns_them_off():
    ok, why = speedups.enabled({"ASSISTANT_RASA_SPEEDUPS": "off"}, ["rasa", "run"])
    assert not ok and "ASSISTANT_RASA_SPEEDUPS=off" in why


def test_training_keeps_rasas_own_code():
    ok, why = speedups.enabled({}, ["rasa", "train", "--force"])
    assert not ok and "train" in why

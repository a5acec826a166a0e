"""Match the learned rules against a conversation without walking all of its history.

Rasa 3.6's ``RulePolicy._get_possible_keys`` filters the rule keys turn by turn,
from the latest state back to the first of the session, calling
``_is_rule_applicable`` for every surviving key at every turn. A rule only
constrains as many turns as it has states: further back it is applicable by
definition (``turn_index >= len(rule states)`` returns True). So once the walk
is past the longest surviving rule, or no key survives, nothing can change any
more, yet Rasa goes on to the start of the session. With 32 rules and
conversations of ten turns this was about 10 % of the Rasa server's CPU per
message (py-spy, under the benchmark's load), growing with the conversation.

This version stops there, and keeps each key's states reversed once instead of
on every call. Same keys out (checked against Rasa's method on generated rules
and conversations by tests/rasa/test_rasa_speedups.py); the checks per turn are
Rasa's own (``_does_rule_match_state``).
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION

_original = RulePolicy._get_possible_keys
_reversed_states: dict[str, list[dict[str, Any]]] = {}


def _reversed(rule_key: str) -> list[dict[str, Any]]:
    states = _reversed_states.get(rule_key)
    if states is None:
        states = list(reversed(RulePolicy._rule_key_to_state(rule_key)))
        if len(_reversed_states) < 10_000:  # the keys of one model: a few hundred
            _reversed_states[rule_key] = states
    return states


def get_possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[dict[str, Any]]) -> set[str]:
    possible_keys = set(lookup.keys())
    for turn_index, conversation_state in enumerate(reversed(states)):
        if not possible_keys:
            break
        survivors = set()
        longest = 0
        for key in possible_keys:
            rule_states = _reversed(key)
            if turn_index >= len(rule_states):
                survivors.add(key)  # Rasa: applicable, the rule is shorter than this
                continue
            current_previous_action = conversation_state.get(PREVIOUS_ACTION)
            rule_previous_action = rule_states[turn_index].get(PREVIOUS_ACTION)
            if not rule_previous_action and not current_previous_action:
                applicable = True
            elif not rule_previous_action or not current_previous_action:
                applicable = False
            else:
                applicable = self._does_rule_match_state(rule_states[turn_index], conversation_state)
            if applicable:
                survivors.add(key)
                longest = max(longest, len(rule_states))
        possible_keys = survivors
        if turn_index + 1 >= longest:
            # every surviving rule is shorter than the turns still to check: all of
            # them stay applicable to the start of the session
            break
    return possible_keys


def install() -> None:
    RulePolicy._get_possible_keys = get_possible_keys

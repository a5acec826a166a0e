"""Run the loaded model's graph in order, without dask's scheduler, in the Rasa server.

For every message the Rasa server runs its model graph twice or more: once to
parse the message (NLU) and once per predicted action (policies). Rasa 3.6's
``DaskGraphRunner`` hands each run to ``dask.get``: dask orders the graph,
builds its scheduler state, fires the tasks and collects them, every time, and
Rasa also recomputes the minimal sub-graph for the targets. Under the
benchmark's load that bookkeeping was about 10 % of the server's CPU (py-spy),
beside the components' own work.

``SequentialGraphRunner`` is a ``DaskGraphRunner`` whose ``run`` keeps the same
graph (Rasa's ``_build_dask_graph`` of the minimal schema, built once per set of
targets) and evaluates it depth first: each node once, after the nodes it
needs, with the same inputs as under dask (``GraphNode`` calls receive the
``(name, value)`` pairs of the nodes they need; run inputs are literal tuples
as in ``_add_inputs_to_graph``). The graph's nodes are Rasa's own, so the
components, hooks and results are unchanged (checked against dask by
tests/rasa/test_rasa_speedups.py on the trained model).

Installed on ``DaskGraphRunner.create``, not on the name ``rasa.core.processor``
looks up: the processor looks the runner class up *before* it reads the model
archive, and reading the archive is what first imports ``addons`` when neither
``credentials.yml`` nor ``endpoints.yml`` names a class from it (stock files).
``create`` is called after the archive is read, so the first model load runs
sequentially whatever the import order (tests/rasa/test_rasa_speedups.py loads
a model with stock files and checks the runner). Only runners created without
hooks are replaced: that is the prediction graph of a loaded model; Rasa's
training (``GraphTrainer``) creates its runner with training hooks and keeps dask.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner


def _is_task(value: Any) -> bool:
    return isinstance(value, tuple) and bool(value) and callable(value[0])


def evaluate(graph: dict[str, Any], targets: list[str]) -> list[Any]:
    """``dask.get(graph, targets)`` for graphs whose tasks name their inputs by key."""
    results: dict[str, Any] = {}

    def compute(key: str) -> Any:
        if key in results:
            return results[key]
        task = graph[key]
        if _is_task(task):
            arguments = [
                compute(argument) if isinstance(argument, Hashable) and argument in graph else argument
                for argument in task[1:]
            ]
            value = task[0](*arguments)
        else:
            value = task  # a literal, e.g. a run input ("__message__", [...])
        results[key] = value
        return value

    return [compute(target) for target in targets]


class SequentialGraphRunner(DaskGraphRunner):
    """``DaskGraphRunner`` evaluating its graph in order, the graph built once per targets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._graphs: dict[tuple[str, ...], dict[str, Any]] = {}

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = list(targets if targets else self._graph_schema.target_names)
        key = tuple(run_targets)
        graph = self._graphs.get(key)
        if graph is None:
            graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
            self._graphs[key] = graph
        run_graph = dict(graph)
        if inputs:
            self._add_inputs_to_graph(inputs, run_graph)
        try:
            return dict(evaluate(run_graph, run_targets))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error


def _create(cls: type[DaskGraphRunner], graph_schema: Any, model_storage: Any, execution_context: Any,
            hooks: list[Any] | None = None) -> DaskGraphRunner:
    if cls is DaskGraphRunner and not hooks:
        cls = SequentialGraphRunner
    return cls(graph_schema, model_storage, execution_context, hooks)


def install() -> None:
    """Prediction graphs created from now on (the model the server is loading, and every
    later one) run with ``SequentialGraphRunner``."""
    DaskGraphRunner.create = classmethod(_create)


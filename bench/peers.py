"""The executor shapes of `benches/executor.rs` in the Python peers justpipe and dagabaaz.

Run by `bench/executor_peers.sh`, which installs both from PyPI into a Python
3.12 virtual environment. Prints one line per peer and shape:

    PEER SHAPE TASKS SECONDS

Shapes (no-op work, as in the Rust benchmark):
  fan_out  one node producing N items, one no-op task per item
  chain    N nodes, each reading the previous one

dagabaaz leaves storage and queueing to the application, so this file has a
small in-memory `DagStore` (the happy path only: no waits, retries or
recovery) and a worker loop that claims and completes tasks one by one. That
is the least work any dagabaaz application does per task.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
import warnings
from collections import deque
from dataclasses import dataclass

warnings.filterwarnings("ignore")


# ---------------------------------------------------------------- justpipe


@dataclass(frozen=True)
class State:
    """justpipe's run state; the no-op steps read nothing from it."""


def justpipe_fan_out(n: int) -> float:
    from justpipe import Pipe

    # An unbounded event queue: with the default bound (1000) a map of more
    # than 1000 items never finishes (justpipe 0.12).
    pipe = Pipe(State, queue_size=0)

    @pipe.step("worker")
    async def worker(item: int):
        return None

    @pipe.map(each="worker")
    async def items():
        return list(range(n))

    return _time_justpipe(pipe, State())


def justpipe_chain(n: int) -> float:
    from justpipe import Pipe

    # justpipe walks a chain recursively (validation); Python's default limit
    # (1000) stops a chain of about 1000 steps.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * n + 1000))

    pipe = Pipe(State, queue_size=0)
    for i in reversed(range(n)):

        async def step():
            return None

        step.__name__ = f"s{i}"
        if i + 1 < n:
            pipe.step(f"s{i}", to=f"s{i + 1}")(step)
        else:
            pipe.step(f"s{i}")(step)
    return _time_justpipe(pipe, State())


def _time_justpipe(pipe, state) -> float:
    async def drive():
        async for _event in pipe.run(state):
            pass

    start = time.perf_counter()
    asyncio.run(drive())
    return time.perf_counter() - start


# ---------------------------------------------------------------- dagabaaz


class MemoryDagStore:
    """The smallest `DagStore` that runs a successful run: one process, one thread."""

    def __init__(self) -> None:
        self.runs: dict[str, dict] = {}
        self.launches: dict[str, dict[int, object]] = {}
        self.tasks: dict[str, dict] = {}
        self.outputs: dict[tuple[str, int], list] = {}
        self.outbox: deque = deque()
        self.ids = itertools.count()

    def create_run(self, run_id: str, nodes, inputs=None) -> None:
        from dagabaaz.constants import RunStatus

        self.runs[run_id] = {
            "status": RunStatus.PENDING,
            "nodes": list(nodes),
            "inputs": dict(inputs or {}),
            "version": 0,
        }
        self.launches[run_id] = {}

    def _touch(self, run_id: str) -> None:
        self.runs[run_id]["version"] += 1

    def get_run_status(self, run_id):
        run = self.runs.get(run_id)
        return None if run is None else run["status"]

    def get_run_nodes(self, run_id):
        run = self.runs.get(run_id)
        return None if run is None else list(run["nodes"])

    def try_start_run(self, run_id):
        from dagabaaz.constants import RunStatus

        run = self.runs.get(run_id)
        if run is None or run["status"] not in (RunStatus.PENDING, RunStatus.RUNNING):
            return False
        run["status"] = RunStatus.RUNNING
        self._touch(run_id)
        return True

    def list_node_launches(self, run_id):
        return dict(self.launches.get(run_id, {}))

    def get_planning_snapshot(
        self,
        run_id,
        node_index,
        source_indices,
        *,
        max_outputs_per_edge,
        max_outputs_total,
        max_routing_bytes,
    ):
        from dagabaaz.constants import NodeDisposition
        from dagabaaz.models import PlanningSnapshot

        run = self.runs[run_id]
        launches = self.launches[run_id]
        outputs_by_edge = {}
        dispositions = {}
        total = 0
        for edge, source in source_indices.items():
            launch = launches.get(source)
            disposition = launch.disposition if launch else NodeDisposition.LAUNCHED
            dispositions[edge] = disposition
            found = ()
            if launch is not None and disposition == NodeDisposition.LAUNCHED:
                room = min(max_outputs_per_edge, max(max_outputs_total - total, 0)) + 1
                found = tuple(self.outputs.get((run_id, source), ())[:room])
            total += len(found)
            outputs_by_edge[edge] = found
        return PlanningSnapshot(
            token=f"{run_id}:{run['version']}",
            generation=0,
            outputs_by_edge=outputs_by_edge,
            source_dispositions=dispositions,
            runtime_inputs=run["inputs"],
        )

    def try_create_node_launch(
        self,
        run_id,
        node_index,
        plugin_name,
        snapshot_token,
        plans,
        zero_task_disposition,
        error="",
    ):
        from dagabaaz.constants import LaunchCreateStatus, NodeDisposition, TaskStatus
        from dagabaaz.models import LaunchCreateResult, NodeLaunch

        run = self.runs[run_id]
        existing = self.launches[run_id].get(node_index)
        if existing is not None:
            return LaunchCreateResult(status=LaunchCreateStatus.ALREADY_EXISTS, launch=existing)
        if snapshot_token != f"{run_id}:{run['version']}":
            return LaunchCreateResult(status=LaunchCreateStatus.STALE)
        task_ids = tuple(f"t{next(self.ids)}" for _ in plans)
        launch = NodeLaunch(
            id=f"l{next(self.ids)}",
            run_id=run_id,
            node_index=node_index,
            plugin_name=plugin_name,
            generation=0,
            disposition=NodeDisposition.LAUNCHED if plans else zero_task_disposition,
            task_ids=task_ids,
            complete=not plans,
            error=error,
        )
        for task_id, plan in zip(task_ids, plans):
            attempt = f"a{next(self.ids)}"
            self.tasks[task_id] = {
                "run_id": run_id,
                "node_index": node_index,
                "plan": plan,
                "status": TaskStatus.QUEUED,
                "attempt": attempt,
                "launch": launch.id,
            }
            self.outbox.append((task_id, attempt))
        self.launches[run_id][node_index] = launch
        self._touch(run_id)
        return LaunchCreateResult(status=LaunchCreateStatus.CREATED, launch=launch)

    def try_claim_task(self, task_id, *, expected_attempt_id, expected_generation):
        from dagabaaz.constants import TaskStatus
        from dagabaaz.store import TaskClaimResult

        task = self.tasks.get(task_id)
        if (
            task is None
            or task["status"] != TaskStatus.QUEUED
            or task["attempt"] != expected_attempt_id
            or expected_generation != 0
        ):
            return None
        task["status"] = TaskStatus.RUNNING
        return TaskClaimResult(
            task_id=task_id,
            attempt_id=expected_attempt_id,
            run_id=task["run_id"],
            node_index=task["node_index"],
            generation=0,
            resumed_from_wait_id=None,
        )

    def try_recover_task(self, task_id, *, expected_attempt_id, expected_generation):
        return None

    def try_complete_task(self, task_id, outputs, *, expected_attempt_id):
        from dagabaaz.constants import TaskStatus
        from dagabaaz.models import OutputRef
        from dagabaaz.planning import correlation_id_for_output
        from dagabaaz.store import TaskCompletionResult

        task = self.tasks.get(task_id)
        if task is None or task["attempt"] != expected_attempt_id:
            return None
        run_id, node_index = task["run_id"], task["node_index"]
        if task["status"] == TaskStatus.COMPLETED:
            return task["result"]
        if task["status"] != TaskStatus.RUNNING:
            return None
        node = self.runs[run_id]["nodes"][node_index]
        stored = self.outputs.setdefault((run_id, node_index), [])
        for output in outputs:
            stored.append(
                OutputRef(
                    id=output.id,
                    fields=output.fields,
                    correlation_id=correlation_id_for_output(
                        node,
                        is_root=not node.edges,
                        task_correlation_id=task["plan"].correlation_id,
                        output_id=output.id,
                    ),
                )
            )
        task["status"] = TaskStatus.COMPLETED
        launch = self.launches[run_id][node_index]
        complete = all(self.tasks[t]["status"] == TaskStatus.COMPLETED for t in launch.task_ids)
        if complete:
            self.launches[run_id][node_index] = launch.model_copy(update={"complete": True})
        self._touch(run_id)
        task["result"] = TaskCompletionResult(
            task_id=task_id,
            attempt_id=expected_attempt_id,
            run_id=run_id,
            node_index=node_index,
            generation=0,
            launch_complete=complete,
        )
        return task["result"]

    def mark_task_failed(self, task_id, error, *, expected_attempt_id):
        raise NotImplementedError("the benchmark's tasks do not fail")

    def mark_task_crashed(self, task_id, error, *, expected_attempt_id):
        raise NotImplementedError("the benchmark's tasks do not crash")

    def try_finalize_run(self, run_id, status, *, cause=None, reason=None):
        from dagabaaz.constants import RUN_TERMINAL_STATUSES, RunStatus

        run = self.runs.get(run_id)
        if run is None or run["status"] != RunStatus.RUNNING:
            return False
        assert status in RUN_TERMINAL_STATUSES
        run["status"] = status
        self._touch(run_id)
        return True


def _run_dagabaaz(nodes, emit) -> float:
    """Runs `nodes` to completion; `emit(node_index, task_number)` gives a task's outputs."""
    from dagabaaz.constants import RunStatus
    from dagabaaz.execution import claim_task
    from dagabaaz.orchestrator import OrchestratorCallbacks, on_task_complete, start_run

    done = []
    callbacks = OrchestratorCallbacks(
        on_run_completed=done.append,
        on_run_failed=lambda run_id: sys.exit(f"dagabaaz run {run_id} failed"),
        on_run_crashed=lambda run_id: sys.exit(f"dagabaaz run {run_id} crashed"),
        on_run_cancelled=lambda run_id: sys.exit(f"dagabaaz run {run_id} cancelled"),
    )
    store = MemoryDagStore()
    store.create_run("run-1", nodes)
    start = time.perf_counter()
    start_run(store, "run-1", callbacks=callbacks)
    count = 0
    while store.outbox:
        task_id, attempt = store.outbox.popleft()
        claimed = claim_task(store, task_id, expected_attempt_id=attempt, expected_generation=0)
        if claimed is None:
            continue
        on_task_complete(
            store,
            task_id=task_id,
            expected_attempt_id=attempt,
            outputs=emit(claimed.node_index, count),
            callbacks=callbacks,
        )
        count += 1
    elapsed = time.perf_counter() - start
    if done != ["run-1"] or store.get_run_status("run-1") != RunStatus.COMPLETED:
        sys.exit("dagabaaz run did not complete")
    return elapsed


def dagabaaz_fan_out(n: int) -> float:
    from dagabaaz.constants import InputMode
    from dagabaaz.models import DagNode, EmittedOutput, InputEdge

    nodes = [
        DagNode(slug="items", plugin="items"),
        DagNode(
            slug="noop",
            plugin="noop",
            input_mode=InputMode.EACH,
            edges=(InputEdge(name="xs", source="items"),),
        ),
    ]

    def emit(node_index: int, count: int):
        if node_index == 0:
            return tuple(EmittedOutput(id=f"x{i}", fields={"i": i}) for i in range(n))
        return ()

    return _run_dagabaaz(nodes, emit)


def dagabaaz_chain(n: int) -> float:
    from dagabaaz.constants import InputMode
    from dagabaaz.models import DagNode, EmittedOutput, InputEdge

    nodes = [DagNode(slug="n0", plugin="noop")]
    for i in range(1, n):
        nodes.append(
            DagNode(
                slug=f"n{i}",
                plugin="noop",
                input_mode=InputMode.ALL,
                edges=(InputEdge(name="previous", source=f"n{i - 1}"),),
            )
        )

    def emit(node_index: int, count: int):
        return (EmittedOutput(id=f"o{node_index}", fields={"i": node_index}),)

    return _run_dagabaaz(nodes, emit)


SHAPES = {
    ("justpipe", "fan_out"): justpipe_fan_out,
    ("justpipe", "chain"): justpipe_chain,
    ("dagabaaz", "fan_out"): dagabaaz_fan_out,
    ("dagabaaz", "chain"): dagabaaz_chain,
}

if __name__ == "__main__":
    peer, shape, tasks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seconds = SHAPES[(peer, shape)](tasks)
    print(f"{peer} {shape} {tasks} {seconds:.6f}", flush=True)

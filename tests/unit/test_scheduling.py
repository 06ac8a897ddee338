"""The tests that load the model themselves go to test processes with nothing left to run."""

from __future__ import annotations

from types import SimpleNamespace

from xdist.scheduler import LoadGroupScheduling

from tests.scheduling import LongTestsToIdleProcesses, is_own_model_unit, own_model_group

STACK = [f"tests/e2e/test_a.py::test_stack_{n}@running-stack" for n in range(6)]
PLAIN = [f"tests/unit/test_b.py::test_plain_{n}" for n in range(6)]
OWN_MODEL = [
    f"tests/e2e/test_rasa_project.py::test_{name}@{own_model_group(index)}"
    for index, name in enumerate(("heldout", "stories"))
]
COLLECTION = STACK + PLAIN + OWN_MODEL


class Process:
    """Stands in for a test process: what it was sent, and what it held when it was sent."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[int] = []
        self.done: list[int] = []
        #: Tests the process still had to run when it was handed one loading the model.
        self.held_when_given_a_model_test: list[int] = []
        self.shutting_down = False
        self.gateway = SimpleNamespace(id=name)

    def send_runtest_some(self, indices: list[int]) -> None:
        if any(COLLECTION[index] in OWN_MODEL for index in indices):
            self.held_when_given_a_model_test.append(len(self.pending()))
        self.sent.extend(indices)

    def shutdown(self) -> None:
        self.shutting_down = True

    def pending(self) -> list[int]:
        return [index for index in self.sent if index not in self.done]

    def own_model_tests(self) -> list[str]:
        return [COLLECTION[index] for index in self.sent if COLLECTION[index] in OWN_MODEL]


def _scheduler(kind: type[LoadGroupScheduling], processes: list[Process]) -> LoadGroupScheduling:
    config = SimpleNamespace(
        option=SimpleNamespace(loadscopereorder=False),
        getvalue=lambda name: {"tx": [f"{len(processes)}*popen"]}[name],
    )
    scheduler = kind(config)
    for process in processes:
        scheduler.add_node(process)
        scheduler.add_node_collection(process, COLLECTION)
    scheduler.schedule()
    return scheduler


def _runnable(process: Process) -> bool:
    """A test process runs a test once it knows the next one, or once told to stop."""
    return len(process.pending()) >= 2 or (process.shutting_down and bool(process.pending()))


def _run_one(scheduler: LoadGroupScheduling, process: Process) -> None:
    assert _runnable(process), f"{process.name} waits for work it is never given"
    index = process.pending()[0]
    process.done.append(index)
    scheduler.mark_test_complete(process, index)


def _head_loads_the_model(scheduler: LoadGroupScheduling) -> bool:
    return bool(scheduler.workqueue) and is_own_model_unit(next(iter(scheduler.workqueue)))


def _the_end_of_a_run_seen_in_make_test(kind: type[LoadGroupScheduling]) -> list[Process]:
    """The stack tests end while the other processes are in long unit tests (as seen)."""
    processes = [Process("gw0"), Process("gw1"), Process("gw2")]
    stack, first, second = processes
    scheduler = _scheduler(kind, processes)
    assert [COLLECTION[index] for index in stack.sent] == STACK
    while not _head_loads_the_model(scheduler):  # the unit tests are handed out
        for process in (first, second):
            if not _head_loads_the_model(scheduler):
                _run_one(scheduler, process)
    for _ in STACK:  # the stack tests draw to an end while the others are busy
        _run_one(scheduler, stack)
    for process in (first, second, stack):  # the others finish what they hold; then the rest
        while _runnable(process):
            _run_one(scheduler, process)
    assert not any(process.pending() for process in processes)
    return processes


def test_each_test_loading_the_model_goes_to_a_process_with_nothing_left() -> None:
    processes = _the_end_of_a_run_seen_in_make_test(LongTestsToIdleProcesses)
    assert (
        [process.own_model_tests() for process in processes]
        == [
            OWN_MODEL[:1],  # the stack's process, once its last stack test is done
            OWN_MODEL[1:],  # the next to run out of work: the two run side by side
            [],
        ]
    )
    # Each was given to a process holding one waiting test, none to a busy one.
    assert [process.held_when_given_a_model_test for process in processes] == [[1], [1], []]
    assert all(process.shutting_down for process in processes)


def test_pytest_xdist_alone_queues_both_behind_the_stack_tests() -> None:
    """Why the scheduler exists: xdist's own hands both to the process still running."""
    processes = _the_end_of_a_run_seen_in_make_test(LoadGroupScheduling)
    assert processes[0].own_model_tests() == OWN_MODEL
    assert processes[0].held_when_given_a_model_test == [2, 2]


def test_every_test_runs_once_and_no_process_waits_for_ever() -> None:
    for count in (1, 2, 3, 4):
        processes = [Process(f"gw{n}") for n in range(count)]
        scheduler = _scheduler(LongTestsToIdleProcesses, processes)
        while any(_runnable(process) for process in processes):
            for process in processes:
                if _runnable(process):
                    _run_one(scheduler, process)
        assert not any(process.pending() for process in processes), count
        assert scheduler.tests_finished
        sent = [COLLECTION[index] for process in processes for index in process.sent]
        assert sorted(sent) == sorted(COLLECTION)
        for process in processes:
            assert all(held <= 1 for held in process.held_when_given_a_model_test)

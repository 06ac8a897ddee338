"""How ``make test``'s test processes share the work (pytest-xdist, ``--dist loadgroup``).

pytest-xdist hands a process its next unit of work (a test, or a whole group such as the
running stack's) while that process still has up to two tests to run, in the order the
tests were collected. The tests that load the model in a process of their own come last
and take a minute or more each. Handed out that way, the process finishing the stack tests
could queue both of them while the other processes ran out of work and waited: in one
run, 138 s of the suite's last 140 s ran on one of its three processes.

Here each of those tests waits at the head of the queue until a process has nothing left
to run, so they run side by side on the processes that are free.
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling
from xdist.workermanage import WorkerController

#: The pytest-xdist group of a test that loads the model in a process of its own (one
#: group each, numbered), so that the scheduler, which sees only test ids, can tell them.
OWN_MODEL_GROUP = "own-model"


def own_model_group(index: int) -> str:
    """The group of the ``index``-th test that loads the model itself."""
    return f"{OWN_MODEL_GROUP}-{index}"


def is_own_model_unit(scope: str) -> bool:
    """Whether a unit of work is one test that loads the model itself."""
    return scope.startswith(f"{OWN_MODEL_GROUP}-")


class LongTestsToIdleProcesses(LoadGroupScheduling):
    """Load-group scheduling that gives a test loading the model only to an idle process.

    A test process runs a test only once it knows the next one (or is told to stop), so
    one holding a single test is idle: it waits for work. Such a process is given the
    next test that loads the model; one still running something is not. A process whose
    only test is one of those is told to stop, so it runs that test and ends, while
    another process, once idle, takes the next; the last process left takes every one.
    """

    def _reschedule(self, node: WorkerController) -> None:
        head = next(iter(self.workqueue), None)
        if node.shutting_down or head is None or not is_own_model_unit(head):
            super()._reschedule(node)
            return
        work = self.assigned_work.get(node, {})
        if self._pending_of(work) > 1:
            return  # busy: it is given no such test until it is idle
        held = [scope for scope, tests in work.items() if not all(tests.values())]
        others = [other for other in self.nodes if other is not node and not other.shutting_down]
        if held and all(is_own_model_unit(scope) for scope in held) and others:
            node.shutdown()  # it runs the one it holds, and another process takes the next
            return
        super()._reschedule(node)

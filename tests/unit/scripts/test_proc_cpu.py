"""CPU accounting from /proc numbers (scripts/proc_cpu.py), on made-up snapshots."""

from __future__ import annotations

import pytest

from scripts import proc_cpu
from scripts.proc_cpu import ProcessTimes

TICKS = proc_cpu.CLOCK_TICKS


def stat_line(pid: int, name: str, ppid: int, times: tuple[int, int, int, int], started: int):
    """A /proc/<pid>/stat line in the kernel's layout (fields 1-22 and a few more)."""
    fields = ["S", str(ppid)] + ["0"] * 9 + [str(t) for t in times] + ["20", "0", "1", "0"]
    fields += [str(started), "123456", "789"]
    return f"{pid} ({name}) " + " ".join(fields)


def test_a_stat_line_is_read_even_when_the_name_holds_spaces_and_parentheses():
    line = stat_line(4242, "python (rasa) a b", 17, (300, 40, 5, 2), 98765)
    times = proc_cpu.parse_stat(line)
    assert times == ProcessTimes(pid=4242, name="python (rasa) a b", ppid=17, ticks=347,
                                 started=98765)  # fmt: skip
    assert times.key == (4242, 98765)


def test_a_line_that_is_not_a_stat_line_is_refused():
    with pytest.raises(ValueError):
        proc_cpu.parse_stat("not a stat line")


def snap(*processes: ProcessTimes) -> proc_cpu.Snapshot:
    return {p.key: p for p in processes}


def test_cpu_between_snapshots_counts_new_processes_whole_and_reused_ids_as_new():
    before = snap(
        ProcessTimes(10, "rasa", 1, 1000, 5),
        ProcessTimes(11, "old", 10, 50, 6),
        ProcessTimes(12, "other", 1, 7000, 7),
    )
    after = snap(
        ProcessTimes(10, "rasa", 1, 1000 + 3 * TICKS, 5),  # 3 s more
        ProcessTimes(11, "new", 10, TICKS, 900),  # id 11 reused by a new process: 1 s
        ProcessTimes(13, "child", 10, 2 * TICKS, 901),  # started during the round: 2 s
        ProcessTimes(12, "other", 1, 7000 + 50 * TICKS, 7),  # not ours
    )
    assert proc_cpu.cpu_seconds(before, after, {10, 11, 13}) == pytest.approx(6.0)
    assert proc_cpu.cpu_by_group(before, after, {"rasa": {10}, "other": {12}, "none": set()}) == {
        "rasa": pytest.approx(3.0),
        "other": pytest.approx(50.0),
        "none": 0.0,
    }


def test_a_service_is_its_process_and_every_process_below_it():
    processes = [
        ProcessTimes(1, "init", 0, 0, 0),
        ProcessTimes(100, "launcher", 1, 0, 1),
        ProcessTimes(200, "nginx master", 100, 0, 2),
        ProcessTimes(201, "nginx worker", 200, 0, 3),
        ProcessTimes(202, "nginx worker", 200, 0, 3),
        ProcessTimes(300, "rasa", 100, 0, 4),
        ProcessTimes(301, "rasa child", 300, 0, 5),
    ]
    assert proc_cpu.descendants([200], processes) == {200, 201, 202}
    assert proc_cpu.descendants([300, 201], processes) == {300, 301, 201}
    assert proc_cpu.descendants([999], processes) == {999}


def test_the_machines_busy_time_leaves_out_idle_and_io_wait():
    text = "cpu  100 5 30 1000 40 2 3 4 0 0\ncpu0 50 2 15 500 20 1 1 2 0 0\nintr 1 2 3\n"
    assert proc_cpu.parse_machine_busy(text) == (144, 1184)
    with pytest.raises(ValueError):
        proc_cpu.parse_machine_busy("intr 1 2 3\n")


def test_a_snapshot_of_this_machine_holds_this_process():
    import os

    pids = {times.pid for times in proc_cpu.snapshot().values()}
    assert os.getpid() in pids

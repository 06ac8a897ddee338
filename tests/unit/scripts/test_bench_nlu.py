"""The NLU section of the benchmark report: percentiles, budgets and the messages timed."""

from __future__ import annotations

from bot.nlu.reply_cache import ReplyCache
from scripts import bench_nlu


def test_every_held_out_message_is_timed_not_only_the_first_area() -> None:
    texts = bench_nlu.held_out_texts()
    assert len(texts) > 500
    assert len(set(texts)) > 0.95 * len(texts)


def test_percentiles_use_the_nearest_rank() -> None:
    figures = bench_nlu.percentiles([float(value) for value in range(1, 101)])
    assert figures == {
        "messages": 100,
        "p50_ms": 50.0,
        "p95_ms": 95.0,
        "p99_ms": 99.0,
        "mean_ms": 50.5,
    }


def test_budgets_say_which_are_met_and_which_are_not() -> None:
    report = {
        "nlu": {"encoder": {"p50_ms": 31.0}},
        "levels": [{"concurrency": 10, "p95_ms": 900.0}, {"concurrency": 1, "p95_ms": 140.0}],
        "peak_memory_mb": {"rasa": 2100.0},
    }
    rows = {
        label: (value, budget, met) for label, value, budget, met in bench_nlu.budget_rows(report)
    }
    assert rows["NLU's added time per message, p50 (encoder)"] == (31.0, 25.0, False)
    assert rows["whole turn at 1 conversation, p95 ms"] == (140.0, 150.0, True)
    assert rows["Rasa resident memory, peak MB"] == (2100.0, 2000.0, False)


def test_a_report_without_nlu_figures_has_no_nlu_section() -> None:
    assert bench_nlu.markdown({"levels": []}) == []


def test_the_warm_up_is_none_of_the_timed_messages_and_never_a_cached_reply() -> None:
    """So each timed message is the stack's first sight of it, not the reply cache's answer."""
    timed = set(bench_nlu.held_out_texts())
    cache = ReplyCache()
    assert len(bench_nlu.WARM_UP_TEXTS) == bench_nlu.WARM_UP
    for text in bench_nlu.WARM_UP_TEXTS:
        assert text not in timed
        assert not cache.keeps(text, [101, 102])

"""Service processes run NumPy with one BLAS thread (no thread spinning beside the work)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.launcher.blas import BLAS_THREADS_VARIABLE, blas_env
from bot.launcher.stack import settings_env
from bot.settings import Settings

#: A child that does a matrix product, then counts its own threads.
COUNT_THREADS = (
    "import os, numpy; numpy.ones((300, 300)) @ numpy.ones((300, 300)); "
    "print(len(os.listdir('/proc/self/task')))"
)


def _threads_after_a_product(env: dict[str, str]) -> int:
    result = subprocess.run(
        [sys.executable, "-c", COUNT_THREADS], env=env, capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip())


def test_one_thread_unless_the_operator_chose() -> None:
    assert blas_env({}) == {BLAS_THREADS_VARIABLE: "1"}
    assert blas_env({BLAS_THREADS_VARIABLE: "4"}) == {BLAS_THREADS_VARIABLE: "4"}


def test_every_service_gets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BLAS_THREADS_VARIABLE, raising=False)
    assert settings_env(Settings(_env_file=None))[BLAS_THREADS_VARIABLE] == "1"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS starts no extra thread on one core")
def test_a_service_process_has_no_blas_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BLAS_THREADS_VARIABLE, raising=False)
    base = {key: value for key, value in os.environ.items() if key != BLAS_THREADS_VARIABLE}
    service = {
        **base,
        **{BLAS_THREADS_VARIABLE: settings_env(Settings(_env_file=None))[BLAS_THREADS_VARIABLE]},
    }
    # Without the setting OpenBLAS adds a worker for each extra core; with it, none.
    assert _threads_after_a_product(base) > _threads_after_a_product(service) == 1

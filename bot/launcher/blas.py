"""One BLAS thread in each service process, unless the operator chose otherwise.

NumPy's bundled OpenBLAS starts a worker thread for each extra core and, after a matrix
product, keeps it spinning a while in case more work comes. In the Rasa server that thread
burned about 39 ms of CPU for every message (per-thread times from /proc, one conversation,
2 cores): more than the server's own work, for products that take microseconds (the NLU's
linear models), and taken from the action server and the web service on the same cores.
With one thread, Rasa's CPU for a message at 10 conversations fell from 75 to 46 ms.
Training is not a service and keeps OpenBLAS's own choice.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The variable OpenBLAS reads when it starts (before NumPy's first import).
BLAS_THREADS_VARIABLE = "OPENBLAS_NUM_THREADS"
SERVICE_BLAS_THREADS = "1"


def blas_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The BLAS thread count for a service: the operator's value when set, else one."""
    return {BLAS_THREADS_VARIABLE: environ.get(BLAS_THREADS_VARIABLE) or SERVICE_BLAS_THREADS}

"""A wall-clock limit for work that hostile input can make very slow.

markdown-it-py has inputs whose parse time grows with the square of their size
(thousands of unmatched ``![``, deeply nested lazy block quotes). The parse
runs under this limit so such a lesson stops with a diagnostic instead of
hanging the build. The limit needs the main thread (it uses ``SIGALRM``);
elsewhere the work runs unbounded.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class TimeLimitExceeded(Exception):
    """The work did not finish within its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``TimeLimitExceeded`` inside the block once ``seconds`` have passed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

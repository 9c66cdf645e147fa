"""Work that follows the sync's writing while the sync goes on reading.

A sync spends most of its time waiting for the marketplace: each detail takes tens of
milliseconds to come back, and the CPU sits idle meanwhile. What follows the data (the rules'
findings, the approval requests they route) used to wait for the whole read to end, so a first
sync of two thousand opportunities showed its findings a minute after its data. Here a thread
takes each batch as soon as the sync has committed it. Every consumer moves its own cursor in
the same transaction as its work, so nothing is taken twice, and whatever this thread has not
reached when the sync ends is taken by the run's closing pass, as before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)

# How long the thread waits, after finding nothing new, before looking again: the sync commits
# a batch every fraction of a second to a few seconds. It rests in short relative sleeps, not
# in a timed ``Event.wait``: that one hands the kernel an absolute deadline on the process's
# monotonic clock, and never returns when that clock is moved (as the test suite moves it).
IDLE_WAIT_SECONDS = 0.2
REST_STEP_SECONDS = 0.02


class Alongside:
    """Runs ``consume`` (which returns how much it took) over and over in a thread, for the
    duration of a ``with`` block; it rests ``IDLE_WAIT_SECONDS`` whenever it found nothing.

    A failure stops the thread and is logged: the closing pass retries what was left, and the
    sync itself never fails because of it."""

    def __init__(self, consume: Callable[[], int], name: str) -> None:
        self._consume = consume
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.taken = 0

    def __enter__(self) -> Alongside:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._done.is_set():
            try:
                taken = self._consume()
            except Exception:
                name = self._thread.name
                log.exception("%s failed; the run's closing pass takes what is left", name)
                return
            self.taken += taken
            if not taken:
                self._rest()

    def _rest(self) -> None:
        """``IDLE_WAIT_SECONDS``, or less if the block ends meanwhile."""
        for _ in range(round(IDLE_WAIT_SECONDS / REST_STEP_SECONDS)):
            if self._done.is_set():
                return
            time.sleep(REST_STEP_SECONDS)

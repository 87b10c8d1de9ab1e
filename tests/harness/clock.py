"""Clocks tests move forward: expiry without sleeping (xpert_server/clock.py is the seam).

`open_harness` gives every in-process app a `SteeredClock` at its composition root (`create_app(clock=…)`),
so the storage and the authenticator read one "now" that a test may move ahead with `manual_clock`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from xpert_server.services import Services


@dataclass
class ManualClock:
    """A clock standing still at `now` (the wall clock when made) until `advance()` moves it."""

    now: float = field(default_factory=time.time)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class SteeredClock:
    """The wall clock plus an offset that `advance()` grows: an app on it behaves as on the wall clock until
    a test moves it."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@contextmanager
def manual_clock(services: Services) -> Iterator[SteeredClock]:
    """The app's clock, to move forward within a block; back to the wall clock after it."""
    clock = services.clock
    assert isinstance(clock, SteeredClock), "the app was not built by tests/harness (open_harness)"
    try:
        yield clock
    finally:
        clock.offset = 0.0


@dataclass
class FileClock:
    """The wall clock plus an offset kept in a file: one steered clock for several processes (a test
    writes the file with `advance`, every process's app reads it; tests/harness/clocked.py serves one)."""

    path: Path

    def offset(self) -> float:
        try:
            return float(self.path.read_text() or 0)
        except FileNotFoundError:
            return 0.0

    def __call__(self) -> float:
        return time.time() + self.offset()

    def advance(self, seconds: float) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(repr(self.offset() + seconds))
        tmp.replace(self.path)  # atomic: a reader never sees a half-written number

    def move_to(self, epoch: float) -> None:
        """Steer "now" to `epoch`."""
        self.advance(epoch - self())

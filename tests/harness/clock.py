"""A clock tests move forward: expiry without sleeping (xpert_server/clock.py is the seam)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from xpert_server.services import Services


@dataclass
class ManualClock:
    """A clock standing still at `now` (the wall clock when made) until `advance()` moves it."""

    now: float = field(default_factory=time.time)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def manual_clock(services: Services) -> Iterator[ManualClock]:
    """Run the app's expiry (the storage's and the authenticator's clock) on a `ManualClock` for a block."""
    clock = ManualClock()
    saved = services.storage.clock, services.auth.clock
    services.storage.clock = services.auth.clock = clock
    try:
        yield clock
    finally:
        services.storage.clock, services.auth.clock = saved

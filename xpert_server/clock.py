"""The wall clock that expiry reads: API keys' and client secrets' `expires_at` are compared with it.

One seam, so tests move time forward instead of sleeping; the server always runs on `system_clock`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Seconds since the epoch, like `time.time()`.
Clock = Callable[[], float]

system_clock: Clock = time.time

"""`python -m tests.harness.clocked PORT CLOCK_FILE`: the app `xpert serve` runs (settings from the XPERT_*
environment alone), on a `FileClock` (tests/harness/clock.py) given at its composition root, so a test steers
"now" in several real processes at once — crons fire on it — and may SIGKILL and restart them."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from tests.harness.clock import FileClock
from xpert_server.app import configure_logging, create_app
from xpert_server.config import Settings


def main() -> None:
    port, clock_file = int(sys.argv[1]), Path(sys.argv[2])
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    app = create_app(settings, clock=FileClock(clock_file))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level=settings.log_level.lower())


if __name__ == "__main__":
    main()

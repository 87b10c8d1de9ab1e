"""axe-core for the accessibility checks, from npm at test time (tests/harness/npm.py; never committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.npm import npm_package

AXE_VERSION = "4.10.3"


def axe_source(config: pytest.Config) -> str:
    modules = npm_package(Path(config.rootpath), "axe-core", AXE_VERSION)
    return (modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")

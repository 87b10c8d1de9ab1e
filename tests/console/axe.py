"""axe-core for the accessibility checks, from npm at test time (never committed): installed once into
`.test-cache/axe-core-<version>` at the repository's root (git-ignored; not pytest's cache, which CI turns
off) with the npm client, then read from there.

CI has Node, npm and the npm registry; where npm is missing the check skips, unless
XPERT_REQUIRE_SERVICES=1: then it fails."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

AXE_VERSION = "4.10.3"


def axe_source(config: pytest.Config) -> str:
    folder = Path(config.rootpath) / ".test-cache" / f"axe-core-{AXE_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            reason = "npm is missing: cannot install axe-core for the accessibility checks"
            if REQUIRE_SERVICES:
                pytest.fail(reason)
            pytest.skip(reason)
        done = subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
                str(folder),
                f"axe-core@{AXE_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0 and script.exists(), (
            f"npm install axe-core failed:\n{done.stderr[-2000:]}"
        )
    return script.read_text(encoding="utf-8")

"""npm packages for tests, installed at test time (never committed): once into `.test-cache/<name>-<version>`
at the repository's root (git-ignored; not pytest's cache, which CI turns off) with the machine's npm, then
reused. Where npm (Node) is missing the test skips with one line; with XPERT_REQUIRE_SERVICES=1 it fails."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES


def npm_package(root: Path, name: str, version: str) -> Path:
    """The `node_modules` folder holding `name@version` (and its dependencies)."""
    folder = root / ".test-cache" / f"{name.replace('/', '+')}-{version}"
    modules = folder / "node_modules"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f"{folder.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test sessions at once (CI_PARALLEL) install it once
        _install(folder, modules, name, version)
    return modules


def _install(folder: Path, modules: Path, name: str, version: str) -> None:
    if not (modules / name / "package.json").exists():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            reason = f"Node and npm are missing: cannot install {name}"
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
                f"{name}@{version}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0 and (modules / name / "package.json").exists(), (
            f"npm install {name}@{version} failed:\n{done.stderr[-2000:]}"
        )

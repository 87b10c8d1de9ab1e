"""The SDK ships as a wheel that needs nothing but httpx, is typed (`py.typed`), and passes `mypy --strict`.

The wheel is built from a copy of sdk/ (so no build/ or egg-info litter lands in the work tree), installed
into a fresh venv with pip, and used there against the real server.
"""

from __future__ import annotations

import email.parser
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.served import Served, server_env

ROOT = Path(__file__).parents[2]
SDK = ROOT / "sdk"

# Run inside the fresh venv: every installed distribution must be the SDK, pip itself, or something
# the SDK's requirements pull in (httpx and what httpx needs).
CLOSURE_CHECK = r"""
import json, re
from importlib import metadata

def name(req): return re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0].lower().replace("_", "-")

closure, todo = set(), ["xpert-sdk"]
while todo:
    dist = todo.pop()
    if dist in closure:
        continue
    try:
        reqs = metadata.requires(dist) or []
    except metadata.PackageNotFoundError:
        continue  # a requirement whose marker excludes this Python (e.g. exceptiongroup): not installed
    closure.add(dist)
    todo += [name(req) for req in reqs if "extra ==" not in req]
installed = {d.metadata["Name"].lower().replace("_", "-") for d in metadata.distributions()}
print(json.dumps({"closure": sorted(closure), "installed": sorted(installed)}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("sdk-wheel")
    source = work / "src"
    shutil.copytree(SDK, source, ignore=shutil.ignore_patterns("tests", "*.egg-info", "build", "__pycache__"))
    out = work / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"pip wheel failed:\n{done.stdout}\n{done.stderr}"
    (built,) = out.glob("xpert_sdk-*.whl")
    yield built


def test_wheel_metadata_requires_only_httpx_and_ships_py_typed(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.parser.Parser().parsestr(archive.read(meta_name).decode())
    assert meta["Name"] == "xpert-sdk"
    assert meta.get_all("Requires-Dist") == ["httpx>=0.25"]
    assert meta["Requires-Python"] == ">=3.11"
    assert "xpert_sdk/py.typed" in names
    assert "xpert_sdk/__init__.py" in names
    packages = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert packages == {"xpert_sdk"}, "only the SDK package: no tests, no server code"


def test_the_wheel_works_in_a_fresh_venv_with_only_httpx(wheel: Path, tmp_path: Path, live: Served) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    install = subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True,
                             text=True, timeout=300, check=False)  # fmt: skip
    assert install.returncode == 0, f"pip install failed:\n{install.stdout}\n{install.stderr}"

    # cwd: not the repository, whose *.egg-info folders `python -c` would otherwise see on sys.path.
    found = json.loads(
        subprocess.check_output([python, "-c", CLOSURE_CHECK], text=True, timeout=60, cwd=tmp_path)
    )
    assert "httpx" in found["closure"]
    extra = set(found["installed"]) - set(found["closure"]) - {"pip", "setuptools"}
    assert not extra, f"installed beyond the SDK's requirements: {sorted(extra)}"

    # And it really talks to the server from there: the minimal chat example, run by the fresh venv.
    done = subprocess.run([python, str(ROOT / "examples" / "minimal_chat.py"), "demo", "from a fresh venv"],
                          capture_output=True, text=True, env=live.client_env(), timeout=60, check=False,
                          cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "from a fresh venv" in json.loads(done.stdout)["content"]


def test_mypy_strict_passes_on_the_sdk() -> None:
    pytest.importorskip("mypy", reason="mypy is a dev dependency")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(SDK / "xpert_sdk")],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT, env=server_env(),
    )  # fmt: skip
    assert done.returncode == 0, f"mypy --strict found problems:\n{done.stdout}{done.stderr}"

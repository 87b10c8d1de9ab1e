"""The package as a user gets it: a wheel built from this checkout, `pip install`ed into a fresh venv, serves
the widget, the demo page, the console and the API docs (static files included) and answers the API.

Fast on purpose (~20 s): the wheel is built by pip with build isolation (setuptools from pip's cache), and
installed with `--no-deps --no-index` into a venv made `--without-pip`; the venv finds the dependencies in
this test run's site-packages through a .pth file instead of downloading and installing ~150 packages. A
.pth path is appended after the venv's own site-packages and its own .pth files are not run, so the
checkout's editable install is invisible there: `xpert_server` is the wheel's (checked below). What this
cannot see is a dependency missing from pyproject.toml that this venv happens to have; each declared
requirement is checked to be installed, though.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.harness.served import serving

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "xpert_server" / "static"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of what goes into it (a build in the checkout would leave build/ and
    *.egg-info behind)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "xpert_server", src / "xpert_server", ignore=shutil.ignore_patterns("__pycache__"))
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    print(f"wheel built in {time.monotonic() - started:.1f}s")
    (built,) = (work / "dist").glob("xpert_server-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path) -> Path:
    venv = wheel.parent.parent / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index"]
        + [str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "_test_run_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    return venv


def test_the_wheel_holds_every_static_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in sorted(STATIC.rglob("*")):
        if f.is_file():
            assert f"xpert_server/{f.relative_to(ROOT / 'xpert_server')}" in names, (
                f"{f.name} not in the wheel"
            )
    assert "xpert_server/xperts/demo.yaml" in names and "xpert_server/py.typed" in names


def test_installed_from_the_wheel_it_serves_the_widget_demo_console_and_docs(
    venv: Path, tmp_path: Path
) -> None:
    python = venv / "bin" / "python"
    check = (
        "import importlib.metadata as m, sys, xpert_server\n"
        "from packaging.requirements import Requirement\n"
        "print(xpert_server.__file__)\n"
        "for text in m.requires('xpert-server') or []:\n"
        "    r = Requirement(text)\n"
        "    if r.marker is None or r.marker.evaluate({'extra': ''}):\n"
        "        assert r.specifier.contains(m.version(r.name), prereleases=True), (text, m.version(r.name))\n"
    )
    where = subprocess.run([str(python), "-c", check], capture_output=True, text=True, cwd=tmp_path, env={})
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(venv)), f"not the wheel's code: {where.stdout}"

    with serving(tmp_path / "data", xpert=venv / "bin" / "xpert") as server:
        with httpx.Client(base_url=server.base, timeout=30) as c:
            for path, source in (
                ("/chatkit/chatkit.js", "chatkit.js"),
                ("/chatkit/chatkit.css", "chatkit.css"),
                ("/demo/demo.js", "demo.js"),
                ("/console/console.js", "console.js"),
            ):
                resp = c.get(path)
                assert resp.status_code == 200 and resp.content == (STATIC / source).read_bytes(), path
            for path in ("/", "/console", "/api/ai/docs", "/api/ai/docs/assets/swagger-ui-bundle.js"):
                assert c.get(path).status_code == 200, path
            created = c.post("/api/ai/threads", json={}, headers={"x-api-key": server.key})
            assert created.status_code == 201, created.text

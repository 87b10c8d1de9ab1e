"""The engine does not import the API layer: storage, runs, agents, knowledge and auth work without HTTP.
Only `app.py`, the composition root that mounts the routers, imports `xpert_server.api`."""

from __future__ import annotations

import ast
from pathlib import Path

import xpert_server

ROOT = Path(xpert_server.__file__).parent
COMPOSITION_ROOT = {"app.py"}


def _imports_api(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = (
                [node.module]
                if node.module != "xpert_server"
                else [f"xpert_server.{a.name}" for a in node.names]
            )
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        if any(n == "xpert_server.api" or n.startswith("xpert_server.api.") for n in names):
            lines.append(node.lineno)
    return lines


def test_nothing_outside_the_api_package_imports_it() -> None:
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] != "api"
        and str(path.relative_to(ROOT)) not in COMPOSITION_ROOT
        and (lines := _imports_api(path))
    }
    assert offenders == {}

"""Xpert YAML files for a test's own folder: one per scripted graph (`graph: <file>:<slug>`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# The file of every scripted graph (slow, ticker, echo, ...): what a test's xperts usually run.
SCRIPTED = Path(__file__).resolve().parent.parent / "graphs_scripted.py"


def write_xperts(folder: Path, graphs: Path | str, slugs: Iterable[str], org: str | None = None) -> Path:
    """`folder` with `<slug>.yaml` for each slug: xpert `<Slug>` running the graph `slug` of the file
    `graphs`, in `org` when given (else the default org)."""
    folder.mkdir(parents=True, exist_ok=True)
    in_org = f"org: {org}\n" if org else ""
    for slug in slugs:
        (folder / f"{slug}.yaml").write_text(
            f"name: {slug.title()}\nslug: {slug}\n{in_org}graph: {graphs}:{slug}\n", encoding="utf-8"
        )
    return folder

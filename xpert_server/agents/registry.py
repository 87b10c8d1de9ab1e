"""Xpert definitions → assistant rows. YAML xperts are upserted by (org, slug), so ids stay stable."""

from __future__ import annotations

import logging
import time
from importlib import resources
from pathlib import Path
from typing import Any

from xpert_server.agents.definition import XpertSpec, load_dir, load_file
from xpert_server.auth.principal import DEFAULT_ORG, Principal
from xpert_server.encoding import new_id
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import AssistantRecord

log = logging.getLogger("xpert.agents")


def record_from_spec(
    spec: XpertSpec,
    org_id: str,
    *,
    source: str,
    assistant_id: str | None = None,
    context: dict[str, Any] | None = None,
) -> AssistantRecord:
    now = time.time()
    internal_id = new_id()  # a chosen id is per org (public_id); the internal one is always ours
    return AssistantRecord(
        id=internal_id,
        public_id=assistant_id or internal_id,
        org_id=org_id,
        slug=spec.slug,
        name=spec.name,
        description=spec.description,
        version=1,
        source=source,
        definition=spec.model_dump(mode="json", exclude_defaults=True),
        config=dict(spec.config),
        metadata=spec.assistant_metadata(),
        context=context,
        created_at=now,
        updated_at=now,
    )


async def upsert_spec(
    storage: SQLStorage, spec: XpertSpec, *, source: str = "yaml"
) -> tuple[AssistantRecord, bool]:
    org_id = spec.org or DEFAULT_ORG
    await storage.ensure_org(org_id)
    return await storage.upsert_assistant_by_slug(
        Principal.system(org_id), record_from_spec(spec, org_id, source=source)
    )


def anchor_graph_path(spec: XpertSpec, yaml_path: Path) -> XpertSpec:
    """`graph: graphs.py:echo` in a YAML file means beside that file: store it absolute."""
    if spec.graph and ".py:" in spec.graph:
        file_part, attr = spec.graph.rsplit(":", 1)
        if not Path(file_part).is_absolute():
            resolved = (yaml_path.parent / file_part).resolve()
            return spec.model_copy(update={"graph": f"{resolved}:{attr}"})
    return spec


async def load_file_into(storage: SQLStorage, path: Path) -> AssistantRecord:
    record, changed = await upsert_spec(storage, anchor_graph_path(load_file(path), path))
    log.info(
        "xpert %s (%s) from %s: %s", record.slug, record.public_id, path, "loaded" if changed else "unchanged"
    )
    return record


async def load_dir_into(storage: SQLStorage, folder: Path) -> list[AssistantRecord]:
    """Validate every file first, so one bad file loads nothing and names itself."""
    specs = load_dir(folder)
    out = []
    for path, spec in specs:
        record, changed = await upsert_spec(storage, anchor_graph_path(spec, path))
        log.info(
            "xpert %s (%s) from %s: %s",
            record.slug,
            record.public_id,
            path,
            "loaded" if changed else "unchanged",
        )
        out.append(record)
    return out


def demo_path() -> Path:
    return Path(str(resources.files("xpert_server") / "xperts" / "demo.yaml"))

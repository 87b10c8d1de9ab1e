"""Context files (`/contexts/file`): the file object XpertAI's clients read."""

from __future__ import annotations

from typing import Any

from xpert_server.api.wire.base import OpenWire
from xpert_server.encoding import ts
from xpert_server.storage.sql.files import FileRecord


class ContextFile(OpenWire):
    """Names twice where XpertAI's clients differ (`id`/`fileId`/`storageFileId`, `url`/`fileUrl`, …); the
    upload's context fields (`threadId`, `conversationId`, `xpertId`, …) are echoed as extra keys."""

    id: str
    fileId: str
    storageFileId: str
    url: str
    fileUrl: str
    originalName: str
    name: str
    size: int
    mimeType: str
    mimetype: str
    status: str
    parseStatus: str
    parseError: str | None
    purpose: str
    parseMode: str
    capabilities: list[str]
    summary: str | None
    sha256: str
    createdAt: str | None
    updatedAt: str | None


def file_json(r: FileRecord, url: str, capabilities: list[str]) -> dict[str, Any]:
    """`url`: a signed link to the bytes (FileService.content_url)."""
    out: dict[str, Any] = {
        "id": r.id,
        "fileId": r.id,
        "storageFileId": r.id,
        "url": url,
        "fileUrl": url,
        "originalName": r.original_name,
        "name": r.original_name,
        "size": r.size,
        "mimeType": r.mime_type,
        "mimetype": r.mime_type,
        "status": r.parse_status,
        "parseStatus": r.parse_status,
        "parseError": r.parse_error,
        "purpose": r.purpose,
        "parseMode": r.parse_mode,
        "capabilities": capabilities,
        "summary": r.summary,
        "sha256": r.sha256,
        "createdAt": ts(r.created_at),
        "updatedAt": ts(r.updated_at),
    }
    out.update(r.context)
    return out

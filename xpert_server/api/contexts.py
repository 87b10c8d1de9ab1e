"""Context files: `POST /contexts/file` (multipart, streamed), `GET`/`DELETE /contexts/file/{id}`, and
`GET /contexts/file/{id}/content` (the bytes; the `url` in every file object is a signed link to it)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response, StreamingResponse

from xpert_server.api.deps import PrincipalDep, ServicesDep, get_principal, get_services, require_storable_id
from xpert_server.api.openapi import DISK_FULL
from xpert_server.api.wire.base import Deleted
from xpert_server.api.wire.files import ContextFile, file_json
from xpert_server.errors import NotFound
from xpert_server.knowledge import signing
from xpert_server.knowledge.files import FileService
from xpert_server.storage.sql.files import FileRecord

router = APIRouter(prefix="/contexts", tags=["contexts"])

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "purpose": {"type": "string", "enum": ["chat_attachment", "workspace", "knowledge"]},
                        "parseMode": {"type": "string", "enum": ["auto", "fast", "deep", "none"]},
                        "threadId": {"type": "string"},
                        "conversationId": {"type": "string"},
                        "xpertId": {"type": "string"},
                        "projectId": {"type": "string"},
                        "workspacePath": {"type": "string"},
                    },
                }
            }
        },
    },
}


# The bytes, with the content type detected at upload.
_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    },
}


def file_service(services: Any) -> FileService:
    files: FileService | None = getattr(services, "files", None)
    if files is None:
        raise NotFound("Files are not enabled on this server.")
    return files


def api_base(request: Request, services: Any) -> str:
    return str(request.base_url).rstrip("/") + services.settings.api_prefix.rstrip("/")


def _file_json(files: FileService, record: FileRecord, request: Request, services: Any) -> dict[str, Any]:
    url = files.content_url(api_base(request, services), record.id)
    return file_json(record, url, files.capabilities(record))


@router.post(
    "/file",
    status_code=201,
    summary="Upload a context file",
    openapi_extra=_UPLOAD_BODY,
    responses=DISK_FULL,
    response_model=ContextFile,
)
async def upload_file(request: Request, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    files = file_service(services)
    record = await files.upload(p, request.headers.get("content-type", ""), request.stream())
    return _file_json(files, record, request, services)


@router.get(
    "/file/{file_id}",
    summary="A context file (with a fresh url and its parse status)",
    response_model=ContextFile,
)
async def get_file(file_id: str, request: Request, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    require_storable_id("File", file_id)
    files = file_service(services)
    return _file_json(files, await files.get(p, file_id), request, services)


@router.delete("/file/{file_id}", summary="Delete a context file", response_model=Deleted)
async def delete_file(file_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    require_storable_id("File", file_id)
    record = await file_service(services).delete(p, file_id)
    return {"id": record.id, "deleted": True, "affected": 1}


@router.get(
    "/file/{file_id}/content",
    summary="The file's bytes (signed url, or the usual credentials)",
    response_class=Response,
    responses=_CONTENT,
)
async def file_content(
    file_id: str, request: Request, expires: str | None = None, signature: str | None = None
) -> Response:
    require_storable_id("File", file_id)
    services = get_services(request)
    files = file_service(services)
    if signature is not None and not signature.isascii():
        signature = None  # hmac.compare_digest refuses non-ASCII str (a TypeError: was a 500): no signature
    if signing.verify(files.settings.url_secret, file_id, expires, signature):
        record = await services.storage.get_file(None, file_id)
    else:
        # No valid signature: the caller's own credentials decide (same org, and same principal).
        record = await services.storage.get_file(await get_principal(request), file_id)
    if record is None:
        raise NotFound(f"File '{file_id}' not found.")
    headers = {
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(record.original_name)}",
        # Served from the API's origin: never let an uploaded HTML or SVG run script there.
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
        "ETag": f'"{record.sha256}"',
    }
    path = files.store.local_path(record.storage_key)
    if path is not None:
        if not path.is_file():
            raise NotFound(f"File '{file_id}' content is missing.")
        return FileResponse(path, media_type=record.mime_type, headers=headers)
    return StreamingResponse(_chunks(files, record.storage_key), media_type=record.mime_type, headers=headers)


def _chunks(files: FileService, key: str) -> Any:
    with files.store.open(key) as f:
        while chunk := f.read(256 * 1024):
            yield chunk

"""Text extraction: PDF (pypdf), DOCX (python-docx), HTML (BeautifulSoup), Markdown, plain text, CSV, JSON.

`detect()` names the kind from the file's first bytes and its name (the magic wins: a PDF named .txt is
a PDF); `extract()` returns the text or raises `ParseError` with a message fit for `parseStatus`.
Everything here is sync and CPU-bound, and `extract()` runs in a bounded child process
(knowledge/sandbox.py), never in the server's.
"""

from __future__ import annotations

import csv
import io
import json
import mimetypes
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# Extracted text is capped: a 50 MB log is not context anyone can use, and it bounds database rows.
MAX_TEXT_CHARS = 5_000_000
SNIFF_BYTES = 8192

KIND_MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "markdown": "text/markdown",
    "text": "text/plain",
    "csv": "text/csv",
    "json": "application/json",
}
_EXT_KIND = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdx": "markdown",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".txt": "text",
    ".text": "text",
    ".log": "text",
    ".rst": "text",
    ".xml": "text",
    ".yaml": "text",
    ".yml": "text",
    ".ini": "text",
    ".toml": "text",
    ".py": "text",
    ".js": "text",
    ".ts": "text",
    ".sql": "text",
}
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


class ParseError(Exception):
    """The file's text could not be extracted; the message is shown as the file's parse error."""


@dataclass(frozen=True)
class ZipLimits:
    """Caps on what a zip-based document (DOCX) may expand to, checked before anything is inflated."""

    max_expanded_bytes: int = 256 * 1024 * 1024
    max_xml_bytes: int = 64 * 1024 * 1024


def mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def check_zip(stream: BinaryIO, limits: ZipLimits) -> None:
    """Refuse a zip whose members expand past `limits`, from the sizes its central directory declares
    (zipfile never inflates a member past its declared size), then inflate its XML members in chunks, with
    the cap, to check they are what they claim (a bad CRC fails here, not inside the XML parser)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            xml = [m for m in members if m.filename.endswith((".xml", ".rels"))]
            xml_total = sum(m.file_size for m in xml)
            if xml_total > limits.max_xml_bytes:
                raise ParseError(
                    f"The document's XML expands to {mib(xml_total)}, more than the limit of "
                    f"{mib(limits.max_xml_bytes)} (XPERT_PARSE_MAX_XML_BYTES)."
                )
            if total > limits.max_expanded_bytes:
                raise ParseError(
                    f"The document expands to {mib(total)}, more than the limit of "
                    f"{mib(limits.max_expanded_bytes)} (XPERT_PARSE_MAX_EXPANDED_BYTES)."
                )
            for member in xml:
                with archive.open(member) as inflating:
                    while inflating.read(1024 * 1024):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError) as e:
        raise ParseError(f"Not a readable DOCX: {type(e).__name__}: {e}") from e
    finally:
        stream.seek(0)


@dataclass(frozen=True)
class Detected:
    kind: str  # pdf | docx | html | markdown | text | csv | json | image | binary
    mime_type: str

    @property
    def capabilities(self) -> list[str]:
        if self.kind == "image":
            return ["preview", "vision"]
        if self.kind == "binary":
            return []
        caps = ["preview", "read", "search"]
        return [*caps, "table_query"] if self.kind == "csv" else caps


def detect(head: bytes, filename: str, declared: str | None = None) -> Detected:
    ext = Path(filename).suffix.lower()
    if head.startswith(b"%PDF") or (ext == ".pdf" and b"%PDF" in head[:1024]):
        return Detected("pdf", KIND_MIME["pdf"])
    for magic, mime in _IMAGE_MAGIC:
        if head.startswith(magic):
            return Detected("image", mime)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected("image", "image/webp")
    if head.startswith(b"PK\x03\x04"):
        if ext == ".docx" or b"word/" in head:
            return Detected("docx", KIND_MIME["docx"])
        return Detected("binary", mimetypes.guess_type(filename)[0] or "application/zip")
    kind = _EXT_KIND.get(ext)
    if kind is None and declared:
        kind = {
            "text/html": "html",
            "text/markdown": "markdown",
            "text/csv": "csv",
            "application/json": "json",
        }.get(declared.split(";")[0].strip().lower())
    if b"\x00" in head and not _utf16(head):
        return Detected("binary", mimetypes.guess_type(filename)[0] or "application/octet-stream")
    if kind is None:
        sniff = head[:512].lstrip().lower()
        kind = "html" if sniff.startswith((b"<!doctype html", b"<html")) else "text"
    if kind in ("pdf", "docx"):  # named like one, but the bytes are not: read it as text
        kind = "text"
    mime = KIND_MIME.get(kind) or "text/plain"
    if kind == "text" and ext in _EXT_KIND:
        mime = mimetypes.guess_type(filename)[0] or mime
    return Detected(kind, mime)


def _utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def decode(data: bytes) -> str:
    """Text of unknown encoding: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030, then Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if _utf16(data):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _pdf(stream: BinaryIO) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(stream)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError("The PDF is encrypted.")
        pages = []
        size = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            pages.append(text.strip())
            size += len(text)
            if size > MAX_TEXT_CHARS:
                break
    except ParseError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise ParseError(f"Not a readable PDF: {type(e).__name__}: {e}") from e
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise ParseError("The PDF has no text layer (scanned pages need OCR, which is not available).")
    return text


def _docx(stream: BinaryIO, limits: ZipLimits) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(stream, limits)
    try:
        document = docx.Document(stream)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ParseError(f"Not a readable DOCX: {type(e).__name__}: {e}") from e
    # Style names looked up once: `para.style` searches the styles part for every unstyled paragraph
    # (~7 ms each: a 1 MB document took 20 s).
    names = {s.style_id: s.name or "" for s in document.styles}
    parts: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        ppr = para._p.pPr
        style = names.get(ppr.style, "") if ppr is not None and ppr.style is not None else ""
        if style.startswith("Heading"):
            level = style.removeprefix("Heading").strip()
            text = "#" * (int(level) if level.isdigit() else 1) + " " + text
        parts.append(text)
    for table in document.tables:
        rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in table.rows]
        parts.append("\n".join(rows))
    return "\n\n".join(parts)


def _html(data: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    body = soup.body or soup
    lines = [line.strip() for line in body.get_text("\n").splitlines()]
    text = "\n".join(line for line in lines if line)
    return f"{title}\n\n{text}" if title and not text.startswith(title) else text


def _csv(data: bytes, filename: str) -> str:
    text = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if filename.lower().endswith(".tsv") else csv.excel  # type: ignore[assignment]
    rows = csv.reader(io.StringIO(text), dialect)
    try:
        return "\n".join(" | ".join(cell.strip() for cell in row) for row in rows if any(row))
    except csv.Error as e:
        raise ParseError(f"Not a readable CSV: {e}") from e


def _json(data: bytes) -> str:
    text = decode(data)
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        # JSON Lines: one value per line.
        try:
            values = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as e:
            raise ParseError(f"Not valid JSON: {e}") from e
        return "\n".join(json.dumps(v, ensure_ascii=False) for v in values)
    return json.dumps(value, ensure_ascii=False, indent=1)


def extract(
    open_stream: Callable[[], BinaryIO], detected: Detected, filename: str, limits: ZipLimits = ZipLimits()
) -> str:
    """The text of a stored file. `open_stream` opens it afresh (parsers that need seeking get a file).
    Call it through `sandbox.extract_isolated`: the zip caps here bound inflating, not parsing."""
    if detected.kind in ("image", "binary"):
        raise ParseError(f"No text can be extracted from {detected.mime_type} files.")
    with open_stream() as stream:
        if detected.kind == "pdf":
            text = _pdf(stream)
        elif detected.kind == "docx":
            text = _docx(stream, limits)
        else:
            data = stream.read(MAX_TEXT_CHARS * 4)
            if detected.kind == "html":
                text = _html(data)
            elif detected.kind == "csv":
                text = _csv(data, filename)
            elif detected.kind == "json":
                text = _json(data)
            else:
                text = decode(data)
    text = text.replace("\x00", "")
    return text[:MAX_TEXT_CHARS]


def summary_of(text: str, limit: int = 280) -> str | None:
    """The opening of the text, on one line: what `summary` shows until a model writes a better one."""
    flat = " ".join(text.split())
    if not flat:
        return None
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"

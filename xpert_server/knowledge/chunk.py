"""Split a document's text into chunks: `parserConfig {chunkSize, chunkOverlap, delimiter}`.

Sizes are characters (a Chinese character counts one, like a Latin letter): simple, predictable, and
close enough to tokens for both scripts. The text is first split on the delimiter, pieces that are
still too long are split at sentence ends (then hard-cut), and small neighbours are merged up to
`chunkSize`. Each chunk after the first starts with the tail of the previous one (`chunkOverlap`),
cut at a sentence or word boundary where one is near.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_CHUNK_SIZE = 500
DEFAULT_CHUNK_OVERLAP = 50
DEFAULT_DELIMITER = "\n\n"
MIN_CHUNK_SIZE = 50
MAX_CHUNK_SIZE = 8000

_SENTENCE_RE = re.compile(r"[^。！？；\n.!?;]*(?:[。！？；\n]+|[.!?;]+(?=\s|$)|$)")
_SPACE_RE = re.compile(r"[ \t\r\f\v]+")
_BLANKS_RE = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class ChunkConfig:
    size: int = DEFAULT_CHUNK_SIZE
    overlap: int = DEFAULT_CHUNK_OVERLAP
    delimiter: str = DEFAULT_DELIMITER

    @classmethod
    def from_parser_config(cls, cfg: dict[str, Any] | None) -> ChunkConfig:
        """XpertAI's parserConfig; out-of-range values are clamped rather than refused."""
        cfg = cfg or {}
        size = _int(cfg.get("chunkSize"), DEFAULT_CHUNK_SIZE)
        size = max(MIN_CHUNK_SIZE, min(MAX_CHUNK_SIZE, size))
        overlap = max(0, min(size // 2, _int(cfg.get("chunkOverlap"), DEFAULT_CHUNK_OVERLAP)))
        delimiter = cfg.get("delimiter")
        if not isinstance(delimiter, str) or not delimiter:
            delimiter = DEFAULT_DELIMITER
        # Clients type "\n" in a form field and send the two characters backslash-n.
        delimiter = delimiter.replace("\\n", "\n").replace("\\t", "\t")
        return cls(size=size, overlap=overlap, delimiter=delimiter)


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANKS_RE.sub("\n\n", text).strip()


def _sentences(piece: str, size: int) -> list[str]:
    out: list[str] = []
    for s in _SENTENCE_RE.findall(piece):
        while len(s) > size:  # a "sentence" with no punctuation at all: cut it
            out.append(s[:size])
            s = s[size:]
        if s:
            out.append(s)
    return out


def _tail(text: str, overlap: int) -> str:
    """The last ≈`overlap` characters, starting at a sentence or word boundary when one is close."""
    if overlap <= 0 or len(text) <= overlap:
        return "" if overlap <= 0 else text
    tail = text[-overlap:]
    for mark in ("。", ". ", "！", "？", "\n", " "):
        i = tail.find(mark)
        if 0 <= i < overlap // 2:
            return tail[i + len(mark) :].lstrip()
    return tail


def split_text(text: str, config: ChunkConfig | None = None) -> list[str]:
    cfg = config or ChunkConfig()
    text = normalise(text)
    if not text:
        return []
    # (text, starts a paragraph): sentences cut from one long paragraph rejoin without a separator.
    units: list[tuple[str, bool]] = []
    for piece in text.split(cfg.delimiter):
        piece = piece.strip()
        if not piece:
            continue
        if len(piece) <= cfg.size:
            units.append((piece, True))
        else:
            units.extend((s, i == 0) for i, s in enumerate(_sentences(piece, cfg.size)))
    chunks: list[str] = []
    current = ""
    joiner = "\n" if "\n" in cfg.delimiter else " "
    for unit, new_paragraph in units:
        sep = joiner if new_paragraph else ""
        if not new_paragraph and current and not current[-1].isspace() and not unit[:1].isspace():
            sep = "" if _cjk_end(current) else " "
        candidate = f"{current}{sep}{unit}" if current else unit.strip()
        if len(candidate) <= cfg.size:
            current = candidate
            continue
        if current:
            chunks.append(current.strip())
            tail = _tail(current, cfg.overlap)
            unit = unit.strip()
            glue = sep or ("" if _cjk_end(tail) else " ")
            current = f"{tail}{glue}{unit}" if tail and len(tail) + len(unit) < cfg.size else unit
        else:
            current = unit.strip()
    if current.strip():
        chunks.append(current.strip())
    return chunks


def _cjk_end(text: str) -> bool:
    return bool(text) and ("\u3000" <= text[-1] <= "\u9fff" or "\uff00" <= text[-1] <= "\uffef")

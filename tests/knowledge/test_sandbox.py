"""Parsing in a bounded child process (knowledge/sandbox.py): each way a parse can end gives a reason that
names its setting."""

from __future__ import annotations

import io

import pytest

from xpert_server.knowledge import parse
from xpert_server.knowledge.sandbox import ParseLimits, extract_isolated

pytestmark = pytest.mark.any_mode  # parsers in child processes

DOCX = parse.Detected("docx", parse.KIND_MIME["docx"])
TEXT = parse.Detected("text", "text/plain")


def a_docx(*paragraphs: str) -> bytes:
    import docx

    out = io.BytesIO()
    document = docx.Document()
    document.add_heading("Title", 1)
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(out)
    return out.getvalue()


def test_text_comes_back_from_the_child_process() -> None:
    text = extract_isolated(io.BytesIO(a_docx("héllo", "wörld")), DOCX, "a.docx", ParseLimits())
    assert text == "# Title\n\nhéllo\n\nwörld"
    assert extract_isolated(io.BytesIO("plain ✓".encode()), TEXT, "a.txt", ParseLimits()) == "plain ✓"


def test_a_parse_error_keeps_its_message() -> None:
    with pytest.raises(parse.ParseError, match="Not a readable DOCX"):
        extract_isolated(io.BytesIO(b"PK\x03\x04 not a zip"), DOCX, "a.docx", ParseLimits())


def test_members_past_the_expanded_limit_are_refused_before_inflating() -> None:
    limits = ParseLimits(max_expanded_bytes=10_000)
    with pytest.raises(
        parse.ParseError,
        match=r"expands to \d+ bytes, more than the limit of 10000 bytes \(XPERT_PARSE_MAX_EXPANDED_BYTES\)",
    ):
        extract_isolated(io.BytesIO(a_docx("x" * 20_000)), DOCX, "a.docx", limits)


def test_a_parse_past_its_wall_time_is_killed() -> None:
    with pytest.raises(parse.ParseError, match=r"longer than 0.01 s \(XPERT_PARSE_TIMEOUT\)"):
        extract_isolated(io.BytesIO(a_docx("x")), DOCX, "a.docx", ParseLimits(timeout=0.01))


def test_a_parse_past_its_memory_limit_names_the_limit() -> None:
    # 32 MiB of address space is not enough to import lxml and python-docx.
    with pytest.raises(
        parse.ParseError, match=r"more than 32 MiB of memory \(XPERT_PARSE_MAX_MEMORY_BYTES\)"
    ):
        extract_isolated(
            io.BytesIO(a_docx("x")), DOCX, "a.docx", ParseLimits(max_memory_bytes=32 * 1024 * 1024)
        )


def test_images_and_binaries_never_start_a_process() -> None:
    with pytest.raises(parse.ParseError, match="No text can be extracted from image/png"):
        extract_isolated(io.BytesIO(b""), parse.Detected("image", "image/png"), "a.png", ParseLimits())

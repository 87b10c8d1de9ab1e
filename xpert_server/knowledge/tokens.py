"""Lexical tokens for knowledge search, the same on every backend.

Latin-script text becomes lowercase words (stopwords dropped, plural "s" stripped); CJK text becomes
character bigrams, because Chinese has no spaces and bigrams match most two-character words without a
dictionary. FTS5 (SQLite) and tsvector (PostgreSQL) index these tokens verbatim, so neither engine's
own tokenizer has to understand Chinese (FTS5's trigram tokenizer cannot match two-character words).
"""

from __future__ import annotations

import re

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN_RE = re.compile(f"[{CJK}]+|[^\\W_{CJK}]+")
_CJK_RE = re.compile(f"[{CJK}]")
MAX_TOKEN = 40

_STOPWORDS = frozenset(
    """
a an the is are was were be been being am of to in on for and or but not no nor what which who whom whose
how when where why does do did doing done this that these those it its with as at by from about into than
then so if can could should would will shall may might must me my i you your we our us he she they them
their there here tell please give get any some much many all also just only very s t
""".split()
)
# Question words and fillers of Chinese questions: frequent in queries, useless for finding a passage.
_CJK_STOP = frozenset(
    "什么 是什 么是 怎么 怎样 如何 多少 哪些 哪个 哪里 是否 请问 一下 我们 你们 可以 这个 那个 告诉 的是".split()
)


def _stem(word: str) -> str:
    if not word.isalpha():
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    out: list[str] = []
    for run in _TOKEN_RE.findall(text.lower()):
        if _CJK_RE.match(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(b for b in (run[i : i + 2] for i in range(len(run) - 1)) if b not in _CJK_STOP)
        elif run not in _STOPWORDS and len(run) <= MAX_TOKEN:
            out.append(_stem(run))
    return out


def query_terms(text: str, limit: int = 32) -> list[str]:
    """Distinct tokens of a query, in order (a long question must not become a huge OR query)."""
    seen: dict[str, None] = {}
    for tok in tokenize(text):
        seen.setdefault(tok, None)
        if len(seen) >= limit:
            break
    return list(seen)


def fts5_document(tokens: list[str]) -> str:
    return " ".join(tokens)


def fts5_query(terms: list[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _lexeme(tok: str) -> str:
    return "'" + tok.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_text(tokens: list[str]) -> str:
    """tsvector input text with positions (PostgreSQL keeps at most 256 per lexeme, up to 16383)."""
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens[:16383], start=1):
        pos = positions.setdefault(tok, [])
        if len(pos) < 256:
            pos.append(i)
    return " ".join(f"{_lexeme(tok)}:{','.join(map(str, pos))}" for tok, pos in positions.items())


def tsquery_text(terms: list[str]) -> str:
    return " | ".join(_lexeme(t) for t in terms)

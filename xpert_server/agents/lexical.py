"""Lexical passage search for the offline model: split documents into passages, rank them with BM25.

Works for Chinese and English alike: Latin-script text becomes lowercase word tokens (stopwords dropped,
plural "s" stripped), CJK text becomes character bigrams, because Chinese has no spaces to split words on
and bigrams match most two-character words without a dictionary.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_CHAR = re.compile(f"[{CJK_RANGES}]")
# CJK text and CJK/full-width punctuation: nothing separates them from what follows.
_TIGHT_CHAR = re.compile(f"[{CJK_RANGES}\u3000-\u303f\uff00-\uffef]")
# A CJK run, or a run of other letters/digits (CJK excluded so "x200水泵" gives "x200" + "水泵").
_TOKEN_RE = re.compile(f"[{CJK_RANGES}]+|[^\\W_{CJK_RANGES}]+")
_LATIN_WORD = re.compile(f"[^\\W\\d_{CJK_RANGES}]+")

_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "but",
        "not",
        "no",
        "nor",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "when",
        "where",
        "why",
        "does",
        "do",
        "did",
        "doing",
        "done",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "it's",
        "with",
        "as",
        "at",
        "by",
        "from",
        "about",
        "into",
        "than",
        "then",
        "so",
        "if",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "me",
        "my",
        "mine",
        "i",
        "you",
        "your",
        "yours",
        "we",
        "our",
        "ours",
        "us",
        "he",
        "she",
        "they",
        "them",
        "their",
        "there",
        "here",
        "tell",
        "please",
        "give",
        "get",
        "any",
        "some",
        "much",
        "many",
        "one",
        "all",
        "also",
        "just",
        "only",
        "very",
        "s",
        "t",
    }
)
# Chinese question words and fillers: frequent in questions, useless for finding a passage.
_CJK_STOP = frozenset(
    {
        "什么",
        "是什",
        "么是",
        "怎么",
        "怎样",
        "如何",
        "多少",
        "多久",
        "哪些",
        "哪个",
        "哪里",
        "是否",
        "请问",
        "一下",
        "我们",
        "你们",
        "可以",
        "这个",
        "那个",
        "告诉",
        "的是",
    }
)

SENTENCE_END = "。！？；.!?;"
# A sentence ends at end punctuation or at a line break: lines survive only as list items and table rows.
_SENTENCE_RE = re.compile(r"[^。！？；\n]*?(?:[。！？；]+|[.!?;]+(?=\s|$)|\n|$)", re.DOTALL)
_BULLET_RE = re.compile(r"^(?:[-*•·]|\d+[.)]\s)\s*")
# A Markdown list item or table row: its own line (and sentence), never run into its neighbours.
_ITEM_RE = re.compile(r"^(?:[-*+•·]\s|\d+[.)]\s|\|)")
_TABLE_RULE_RE = re.compile(r"^\|?[\s:|-]*-[\s:|-]*\|?$")
_HEADING_MAX = 80


def is_cjk(ch: str) -> bool:
    return bool(_CJK_CHAR.match(ch))


def join_text(a: str, b: str) -> str:
    """Join two pieces of text: with a space, except after CJK text or punctuation (which uses none)."""
    if not a or not b:
        return a + b
    return a + b if _TIGHT_CHAR.match(a[-1]) else f"{a} {b}"


def _stem(word: str) -> str:
    # Just enough to match "years"/"year" and "batteries"/"battery"; a real stemmer is not worth a dependency.
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
        if is_cjk(run[0]):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(b for b in (run[i : i + 2] for i in range(len(run) - 1)) if b not in _CJK_STOP)
        elif run not in _STOPWORDS:
            out.append(_stem(run))
    return out


def mainly_cjk(text: str) -> bool:
    """True when the text is mostly Chinese (or Japanese/Korean): compare CJK characters with Latin words."""
    cjk = len(_CJK_CHAR.findall(text))
    return cjk > 0 and cjk >= len(_LATIN_WORD.findall(text))


def estimate_tokens(text: str) -> int:
    # About one token per CJK character and one per four other characters: close enough for usage reports.
    cjk = len(_CJK_CHAR.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip()]


def cut_at_sentence(text: str, limit: int) -> str:
    """Whole sentences of `text` that fit in `limit` characters (a first sentence longer than that is
    truncated at a word), so a quoted passage never stops mid-sentence."""
    if len(text) <= limit:
        return text
    out = ""
    for s in sentences(text):
        longer = join_text(out, s)
        if len(longer) > limit:
            break
        out = longer
    return out or truncate(text, limit)


def plain_item(sentence: str) -> str:
    """A list item or table row as prose: the marker and the pipes go (`| a | b |` → `a | b`)."""
    if sentence.startswith("|"):
        return " | ".join(c.strip() for c in sentence.strip("|").split("|") if c.strip())
    return _BULLET_RE.sub("", sentence, count=1) if _ITEM_RE.match(sentence) else sentence


def truncate(text: str, limit: int) -> str:
    """Cut at a word or sentence boundary near `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    soft = max(cut.rfind(" "), max(cut.rfind(c) for c in SENTENCE_END + "，,"))
    if soft >= limit - 60:
        cut = cut[: soft + 1]
    return cut.rstrip() + "…"


@dataclass
class Passage:
    doc: str
    heading: str
    text: str
    order: int
    # (paragraph number, first sentence, end sentence): windows overlap, and an answer must not repeat text.
    span: tuple[int, int, int] = (0, 0, 0)
    terms: Counter[str] = field(default_factory=Counter)

    def overlaps(self, other: Passage) -> bool:
        (pa, a0, a1), (pb, b0, b1) = self.span, other.span
        return self.doc == other.doc and pa == pb and a0 < b1 and b0 < a1

    @property
    def first_sentence(self) -> str:
        parts = sentences(self.text)
        if not parts:
            return self.text
        first = parts[0]
        # A very short opener ("Note:", "本制度适用于全体员工。") says little; take the next sentence with it.
        if estimate_tokens(first) < 10 and len(parts) > 1:
            first = join_text(first, parts[1])
        return first


def _join_lines(lines: Iterable[str]) -> str:
    # PDF text wraps lines mid-sentence: rejoin them, without a space between two CJK characters. List
    # items and table rows keep their own lines: run together, one item's bold "**45 days**" would read
    # as the answer for the item next to it.
    out = ""
    for line in lines:
        line = line.strip()
        if not line or _TABLE_RULE_RE.match(line) and "-" in line and "|" in line:
            continue
        if not out:
            out = line
        elif _ITEM_RE.match(line):
            out = f"{out}\n{line}"
        else:
            out = out + line if is_cjk(out[-1]) and is_cjk(line[0]) else f"{out} {line}"
    return re.sub(r"[ \t]+", " ", out)


def _is_heading(para: str, raw: str) -> bool:
    return (
        "\n" not in raw.strip()
        and len(para) <= _HEADING_MAX
        and para[-1] not in SENTENCE_END + "，,"
        and not _BULLET_RE.match(para)
    )


def _pieces(text: str, target: int) -> list[str]:
    """The sentences of `text`, any sentence far longer than `target` hard-split."""
    out: list[str] = []
    for sent in sentences(text):
        while len(sent) > target * 3 // 2:
            piece = truncate(sent, target).removesuffix("…")
            out.append(piece)
            sent = sent[len(piece) :].strip()
        if sent:
            out.append(sent)
    return out


def _windows(text: str, target: int) -> list[tuple[str, int, int]]:
    """Windows of whole sentences of about `target` characters, each starting about half-way through the
    previous one: a fact that straddles one window's edge lies whole inside the next."""
    sents = _pieces(text, target)
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(sents):
        j, size = i + 1, len(sents[i])
        while j < len(sents) and size + len(sents[j]) + 1 <= target:
            size += len(sents[j]) + 1
            j += 1
        window = ""
        for s in sents[i:j]:
            window = f"{window}\n{s}" if window and _ITEM_RE.match(s) else join_text(window, s)
        out.append((window, i, j))
        if j >= len(sents):
            break
        k, size = i + 1, len(sents[i])
        while k < j and size < target // 2:
            size += len(sents[k]) + 1
            k += 1
        i = k
    return out


def split_passages(name: str, content: str, target: int = 300, start: int = 0) -> list[Passage]:
    """Paragraphs (blank lines or form feeds apart) cut into overlapping passages of ~`target` chars.

    A short single line without end punctuation is a heading: it labels the passages after it (and
    counts when scoring them) instead of becoming a passage of its own.
    """
    passages: list[Passage] = []
    heading = ""
    heading_pending = False  # the last paragraph was a heading: a following heading extends it
    for para_no, raw in enumerate(re.split(r"\n\s*\n|\f", content)):
        para = _join_lines(raw.splitlines())
        para = re.sub(r"^#+\s*", "", para).strip()
        if not para:
            continue
        if _is_heading(para, raw):
            para = para.rstrip(":：").strip()
            heading = f"{heading} / {para}" if heading_pending and len(heading) + len(para) < 120 else para
            heading_pending = True
            continue
        heading_pending = False
        for text, first, end in _windows(para, target):
            passages.append(Passage(name, heading, text, start + len(passages), (para_no, first, end)))
    if heading_pending and not passages:
        # A document of headings only (or one short line): keep it searchable.
        passages.append(Passage(name, "", heading, start, (0, 0, 1)))
    for p in passages:
        p.terms = Counter(tokenize(f"{p.heading} {p.text}"))
    return passages


class BM25:
    """Okapi BM25 over passages (k1=1.5, b=0.75), plus tf-idf centrality for summaries."""

    def __init__(self, passages: Sequence[Passage], k1: float = 1.5, b: float = 0.75) -> None:
        self.passages = list(passages)
        self.k1, self.b = k1, b
        self.lengths = [sum(p.terms.values()) for p in self.passages]
        self.avgdl = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        self.df: Counter[str] = Counter()
        for p in self.passages:
            self.df.update(p.terms.keys())

    def idf(self, term: str) -> float:
        n, df = len(self.passages), self.df.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query_terms: Iterable[str]) -> list[float]:
        terms = set(query_terms)
        out = []
        for p, length in zip(self.passages, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self.avgdl or 1))
            s = 0.0
            for t in terms:
                tf = p.terms.get(t, 0)
                if tf:
                    s += self.idf(t) * tf * (self.k1 + 1) / (tf + norm)
            out.append(s)
        return out

    def _vectors(self) -> list[dict[str, float]]:
        vectors: list[dict[str, float]] = []
        for p in self.passages:
            v = {t: (1 + math.log(c)) * self.idf(t) for t, c in p.terms.items()}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            vectors.append({t: x / norm for t, x in v.items()})
        return vectors

    def main_points(self, k: int, first: Sequence[int] = ()) -> list[int]:
        """`k` passage indexes for a summary: `first`, then the most central passage (closest to the sum of
        all tf-idf vectors) of each of `k` stretches of the text. Central alone would pick five variants
        of the most repeated topic; one per stretch covers the whole document."""
        vectors = self._vectors()
        centroid: Counter[str] = Counter()
        for v in vectors:
            centroid.update(v)
        central = [sum(x * centroid[t] for t, x in v.items()) for v in vectors]
        picked = list(dict.fromkeys(first))[:k]
        n = len(vectors)
        for s in range(k):
            stretch = range(s * n // k, (s + 1) * n // k)
            if len(picked) >= k or not stretch or any(i in stretch for i in picked):
                continue
            picked.append(max(stretch, key=lambda i: (central[i], -i)))
        return picked

"""The knowledge base's search terms, the same on both stores.

Chinese is written without spaces, so a word index finds nothing, and a trigram index
misses reordered words (``密码重置`` shares no three characters with ``如何重置交易密码``).
Runs of CJK characters are cut into overlapping pairs (bigrams, as Lucene's CJK analyser
does): ``密码重置`` → 密码 码重 重置, two of which the title holds. Each CJK character is
also a term of its own, so a query with one character wrong still meets the text
(``对帐单`` shares no pair with ``对账单``, but two characters). Other scripts are cut into
lower-case words, and words of four letters or more also into character trigrams, which
let a word typed one letter wrong still meet the right one (``pasword`` shares four of six
trigrams with ``password``). Terms carry their kind: ``w:`` a word or bigram, ``t:`` a
near-miss term, a trigram or a single CJK character (weighed less when ranking)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\u3040-\u30ff\uac00-\ud7af"  # kana, hangul
)
RUNS = re.compile(f"[{CJK}]+|[^\\W_]+", re.UNICODE)
CJK_RUN = re.compile(f"[{CJK}]")
FUZZY_FROM = 4  # letters: shorter words match whole only
MAX_TERMS = 64  # of one query: the rest adds nothing the first did not


def terms(text: str) -> Counter[str]:
    """Each term of a text and how often it occurs."""
    found: Counter[str] = Counter()
    normal = unicodedata.normalize("NFKC", text).lower()
    for run in RUNS.findall(normal):
        if CJK_RUN.match(run):
            if len(run) == 1:
                found[f"w:{run}"] += 1
                continue
            for i in range(len(run) - 1):
                found[f"w:{run[i : i + 2]}"] += 1
            for character in run:
                found[f"t:{character}"] += 1
            continue
        found[f"w:{run}"] += 1
        if len(run) >= FUZZY_FROM:
            for i in range(len(run) - 2):
                found[f"t:{run[i : i + 3]}"] += 1
    return found


def query_terms(text: str) -> list[str]:
    """A query's distinct terms, words first, at most ``MAX_TERMS``."""
    found = list(terms(text[:1000]))
    return sorted(found, key=lambda t: (not t.startswith("w:"), found.index(t)))[:MAX_TERMS]

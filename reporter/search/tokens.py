"""The tokeniser shared by the index builder (`index.py`) and the search worker (`worker.js`).

Both sides must cut text the same way; `tests/search/test_tokens.py` runs the two on the same
strings. Rules:

- Text is NFKC-normalised and lower-cased.
- Letters and digits make words. `JOINERS` glue words into a compound (`model.learning_rate`,
  `recall@fpr`, `amp&and`, `lgbm-vivid-walrus`, `0.05`); every other character separates.
- A compound yields each word and every run of up to `MAX_SPAN` consecutive words as written
  (`model.learning_rate` -> `model`, `learning`, `rate`, `model.learning`, `learning_rate`,
  `model.learning_rate`), so a search for any piece of a dotted or snake_case name finds it.
- Han, Hiragana and Katakana are written without spaces: each character and each pair of
  neighbouring characters is a token (`召回率` -> `召`, `回`, `率`, `召回`, `回率`), and a query
  in those scripts asks for all its pairs.
"""

from __future__ import annotations

import re
import unicodedata

JOINERS = "._@-&/:+#'"  # not "=": `learning_rate=0.05` is two things, found by both
MAX_SPAN = 4  # longest run of words indexed as one token (besides the whole compound)
MAX_TOKEN = 64  # characters; longer compounds (hashes, URLs) are indexed by their pieces only

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A compound: words joined by joiners; or a run of CJK characters.
_CHUNK = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+(?:[{re.escape(JOINERS)}_]+[^\W_{_CJK}]+)*")
_WORD = re.compile(rf"[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text: str) -> list[str]:
    """Every token of `text`, in order, with repeats (the index counts them)."""
    out: list[str] = []
    for chunk in _CHUNK.finditer(normalise(text)):
        value = chunk.group()
        if _IS_CJK.match(value):
            out.extend(value)
            out.extend(value[i : i + 2] for i in range(len(value) - 1))
            continue
        words = [(m.start(), m.end()) for m in _WORD.finditer(value)]
        out.extend(value[a:b] for a, b in words)
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + MAX_SPAN)):
                out.append(value[words[i][0] : words[j][1]])
        if len(words) > MAX_SPAN and len(value) <= MAX_TOKEN:
            out.append(value)
    return [t for t in out if len(t) <= MAX_TOKEN]


def query_terms(query: str) -> list[str]:
    """What a query asks for: each compound as written, each pair of a CJK run (all required)."""
    terms: list[str] = []
    for chunk in _CHUNK.finditer(normalise(query)):
        value = chunk.group()
        if _IS_CJK.match(value) and len(value) > 1:
            terms.extend(value[i : i + 2] for i in range(len(value) - 1))
        else:
            terms.append(value[:MAX_TOKEN])
    return list(dict.fromkeys(terms))


def shard_key(token: str, split: frozenset[str] | set[str] = frozenset()) -> str:
    """Tokens sharing their first two characters live in one shard; when a prefix starts too
    many tokens for one shard (it is in `split`, e.g. "ru" of every run id), one more
    character decides, and so on. A query term reads one shard; a term that is itself a split
    prefix matches only itself (its longer tokens are spread over other shards)."""
    k = 2
    while len(token) > k and token[:k] in split:
        k += 1
    return token[:k]


def shard_of(token: str, shards: int, split: frozenset[str] | set[str] = frozenset()) -> int:
    """FNV-1a over the code points of the shard key (the worker computes the same)."""
    h = 0x811C9DC5
    for ch in shard_key(token, split):
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % shards

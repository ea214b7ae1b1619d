"""Proper-name analysis: a jieba part-of-speech tagger that knows the people named in the corpus.

jieba splits many Chinese names (刘越高 → 刘越 / 高). Names that follow a title (市委书记刘越高,
关长朱光耀) or stand in a dateline are collected at ingest time, stored in the catalog and added
to a private tokenizer used only for question analysis and citation checks, so the BM25 tokens
stay exactly as they were indexed.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import jieba
import jieba.posseg as pseg

from rag.lexicon import TITLE_PATTERN

_TITLE = rf"(?:{TITLE_PATTERN}|记者)"
_FOLLOWERS = (
    r"[,，、。；;\s)）]|举行|主持|表示|说|进行|会见|率队|座谈|参加|出席|就|在|与|和|向|对|等|一行|指出|强调|要求"
)
_NAME_AFTER_TITLE = re.compile(_TITLE + r"\s?([\u4e00-\u9fff]{2,3}?)(?=" + _FOLLOWERS + ")")
_known: set[str] = set()


class _NameAwareTagger(pseg.POSTokenizer):
    """jieba's part-of-speech tagger over a private copy of the default dictionary, so that names
    added for question analysis never change the BM25 tokens. Both tables are copied from the
    default tokenizer (already loaded for BM25) rather than read from disk a second time."""

    def __init__(self) -> None:
        jieba.dt.check_initialized()
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.FREQ, self.tokenizer.total = dict(jieba.dt.FREQ), jieba.dt.total
        self.tokenizer.initialized = True
        self.word_tag_tab = dict(pseg.dt.word_tag_tab)


_tagger_lock = threading.Lock()
_shared_tagger: _NameAwareTagger | None = None


def _tagger() -> _NameAwareTagger:
    """The one tagger of the process, made on first use (the API's threads may ask at once)."""
    global _shared_tagger
    if _shared_tagger is None:
        with _tagger_lock:
            if _shared_tagger is None:
                _shared_tagger = _NameAwareTagger()
    return _shared_tagger


def extract_names(text: str) -> set[str]:
    """People named right after a title in a text (common words such as 会议 are not names)."""
    return {m.group(1) for m in _NAME_AFTER_TITLE.finditer(text) if _could_be_name(m.group(1))}


def _could_be_name(word: str) -> bool:
    tagged = pseg.lcut(word)
    return not (len(tagged) == 1 and jieba.get_FREQ(word) and not tagged[0].flag.startswith("nr"))


def learn_names(names: set[str] | list[str]) -> None:
    """Teach the analysis tokenizer these person names."""
    new = [n for n in names if n and n not in _known]
    for name in new:
        _tagger().add_word(name, freq=100_000, tag="nr")
        _known.add(name)
    if new:
        pos_words.cache_clear()


@lru_cache(maxsize=50_000)
def pos_words(text: str) -> tuple[tuple[str, str], ...]:
    """(word, part-of-speech flag) pairs of a text, cached."""
    return tuple((w.word, w.flag) for w in _tagger().cut(text))


def in_dictionary(word: str) -> bool:
    """Whether the analysis tokenizer's dictionary (with the names it learned) holds the word, rather
    than jieba having made it up from characters it could not place (符泳练水)."""
    return bool(_tagger().tokenizer.FREQ.get(word))

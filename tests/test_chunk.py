"""Sentence-aware chunking with spans into the article text."""

from __future__ import annotations

import itertools

from ingest.articles import split_articles
from ingest.chunk import chunk_article, chunk_spans
from rag.text import sentence_spans
from rag.types import Article
from tests.conftest import PAGE


def page_chunks():
    text = PAGE.read_text(encoding="utf-8")
    for article in split_articles(text, str(PAGE), PAGE.name, "2022-12-15"):
        yield article, chunk_article(article)


def test_chunks_are_spans_of_the_article_within_size_limits():
    for article, chunks in page_chunks():
        assert chunks, article.title
        for chunk in chunks:
            assert article.text[chunk.start : chunk.end] == chunk.text
            assert len(chunk.text) <= 400
            assert chunk.title == article.title and chunk.article_id == article.article_id
            assert chunk.paper == article.paper and chunk.source == article.source
        covered = set()
        for chunk in chunks:
            covered.update(range(chunk.start, chunk.end))
        assert {i for i, ch in enumerate(article.text) if not ch.isspace()} <= covered


def test_chunks_end_at_sentence_ends_and_overlap_a_little():
    for article, chunks in page_chunks():
        for before, after in itertools.pairwise(chunks):
            assert before.text[-1] in "。！？；;”", before.text[-20:]
            overlap = before.end - after.start
            assert overlap <= 80
            assert overlap > 0 or not article.text[before.end : after.start].strip()  # no text lost between


def test_long_articles_give_chunks_of_about_300_characters():
    sizes = [len(c.text) for _, chunks in page_chunks() for c in chunks if c.end - c.start]
    middle = sorted(sizes)[len(sizes) // 2]
    assert 200 <= middle <= 400


def test_a_sentence_longer_than_the_limit_is_cut_at_commas():
    text = "，".join(["这是一个很长的分句"] * 80) + "。"
    spans = chunk_spans(text, size=300, limit=400, overlap=80)
    assert len(spans) > 1
    assert all(end - start <= 400 for start, end in spans)
    assert all(text[end - 1] in "，。" for _, end in spans)


def test_sentence_spans_keep_closing_quotes():
    text = "他说：“好。”然后走了。"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["他说：“好。”", "然后走了。"]


def test_a_title_in_book_marks_and_a_latin_name_with_an_exclamation_mark_do_not_end_a_sentence():
    text = "《卡拉OK.LIVE！‧台北‧我》是他的第六张专辑。组合Hey!Say!JUMP出席?是的。《未闭合的书名。下一句。"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "《卡拉OK.LIVE！‧台北‧我》是他的第六张专辑。",
        "组合Hey!Say!JUMP出席?",
        "是的。",
        "《未闭合的书名。",  # an unclosed 《 is not a title
        "下一句。",
    ]


def test_indexed_text_carries_the_title():
    article = Article(article_id="a", title="标题", text="正文。", source="/s")
    assert chunk_article(article)[0].indexed_text == "标题\n正文。"

"""An article of any length goes in bounded batches: below Chroma's batch limit, with live counts,
and a crash half-way through it resumes without losing or repeating a chunk."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from rag.index import NewsIndex
from rag.settings import Settings
from tests.conftest import PAGE


def long_article(path: Path, sentences: int) -> Path:
    """One article (one headline, one dateline) of `sentences` distinct sentences."""
    body = "".join(f"第{i}项工作由第{i % 97}小组负责，完成了{i * 7}个子项目的验收。" for i in range(sentences))
    path.write_text(f"长篇报道测试\n本报讯（记者 张三）{body}\n", encoding="utf-8")
    return path


def settings_for(tmp_path: Path, batch: int) -> Settings:
    return Settings(data_dir=tmp_path / "data", ingest_batch_chunks=batch)


def test_a_long_article_is_stored_in_batches_chroma_accepts(tmp_path: Path):
    index = NewsIndex(settings_for(tmp_path, 16))
    index.store.__dict__["max_batch"] = 7  # as if Chroma took at most 7 records a call
    seen: list[tuple[int, int]] = []
    path = long_article(tmp_path / "long.txt", 400)
    report = ingest_paths(index, [path], show_progress=False, on_progress=lambda name, d, t: seen.append((d, t)))
    stats = index.stats()
    assert report.articles == 1 and report.chunks > 40
    assert stats["chunks"] == stats["chunks_chroma"] == stats["chunks_lexical"] == report.chunks
    assert len(seen) >= report.chunks // 16 and seen[-1] == (report.chunks, report.chunks)


def test_a_crash_inside_a_long_article_resumes_where_it_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = settings_for(tmp_path, 16)
    path = long_article(tmp_path / "long.txt", 300)
    index = NewsIndex(settings)
    calls = {"n": 0}
    real_add = index.catalog.add_articles

    def add_then_crash(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the process dies after two committed batches of the article
        real_add(*args, **kwargs)

    monkeypatch.setattr(index.catalog, "add_articles", add_then_crash)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(index, [path], show_progress=False)
    record = index.catalog.document(str(path.resolve()))
    assert record is not None and record.status == "ingesting" and record.chunks == 32  # live counts
    assert record.articles == 0  # the article's row waits for its last chunk

    monkeypatch.undo()
    rerun = NewsIndex(settings)
    report = ingest_paths(rerun, [path], show_progress=False)
    stats = rerun.stats()
    assert report.chunks == stats["chunks"] - 32  # the stored chunks were not embedded again
    assert stats["chunks"] == stats["chunks_chroma"] == stats["chunks_lexical"]
    assert rerun.catalog.document(str(path.resolve())).status == "done"


def test_the_page_still_ingests_whole(tmp_path: Path):
    index = NewsIndex(settings_for(tmp_path, 4))
    report = ingest_paths(index, [PAGE], show_progress=False)
    assert report.articles == len(index.catalog.articles(str(PAGE.resolve())))

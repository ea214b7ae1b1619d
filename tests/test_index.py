"""The index on disk: idempotent ingest, replace on change, remove, filters, consistency."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.lexical import Filters
from rag.retrieve import HybridRetriever, fuse_convex, fuse_rrf, fuse_weighted, fusion_features, fusion_weights
from rag.settings import Settings
from tests.conftest import PAGE


def test_page_index_is_consistent(page_index: NewsIndex):
    stats = page_index.stats()
    assert stats["documents"] == 1 and stats["articles"] == 7
    assert stats["chunks"] == stats["chunks_chroma"] == stats["chunks_lexical"] > 10
    assert stats["consistent"] is True


def test_ingest_is_idempotent_replaces_changed_files_and_removes(fresh_index: NewsIndex, page_copy: Path):
    first = ingest_paths(fresh_index, [page_copy.parent], show_progress=False)
    assert first.articles == 7 and first.read == [str(page_copy)]
    before = fresh_index.stats()

    again = ingest_paths(fresh_index, [page_copy.parent], show_progress=False)
    assert again.unchanged == [str(page_copy)] and again.chunks == 0
    assert fresh_index.stats() == before
    twin = page_copy.with_name("the-same-page.txt")
    twin.write_bytes(page_copy.read_bytes())  # the same file under another name adds nothing
    doubled = ingest_paths(fresh_index, [twin], show_progress=False)
    assert doubled.skipped == [(str(twin), f"same content as {page_copy.name}, already indexed")]
    assert fresh_index.stats() == before
    twin.unlink()

    page_copy.write_text(
        page_copy.read_text(encoding="utf-8") + "\n\n新标题测试\n\n本报讯 (记者 赵六) 新增一段正文。\n",
        encoding="utf-8",
    )
    changed = ingest_paths(fresh_index, [page_copy], show_progress=False)
    assert changed.replaced == [str(page_copy)] and changed.articles == 8
    after = fresh_index.stats()
    assert after["articles"] == 8 and after["consistent"]
    assert after["chunks"] == before["chunks"] + 1

    removed = fresh_index.remove(fresh_index.resolve_source(page_copy.name))
    assert removed == after["chunks"]
    empty = fresh_index.stats()
    assert empty["chunks"] == empty["chunks_chroma"] == empty["chunks_lexical"] == 0


def test_bad_files_skip_while_the_rest_ingest(fresh_index: NewsIndex, page_copy: Path):
    folder = page_copy.parent
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "news.jsonl").write_text(
        json.dumps({"id": "j1", "text": "衡阳市举行冬季运动会，共有三千人参加。"}, ensure_ascii=False) + "\nnot json\n",
        encoding="utf-8",
    )
    report = ingest_paths(fresh_index, [folder], show_progress=False)
    assert sorted(Path(p).name for p in report.read) == [page_copy.name, "news.jsonl"]
    assert sorted((Path(p).name, r.split(":")[0]) for p, r in report.skipped) == [
        ("blob.txt", "binary file, not text"),
        ("empty.txt", "empty file"),
        ("news.jsonl", "line 2"),
    ]
    assert report.articles == 8
    assert fresh_index.stats()["consistent"]


def test_embedding_model_mismatch_is_refused(page_index: NewsIndex):
    other = NewsIndex(Settings(data_dir=page_index.settings.data_dir, embedding_quantize=False))
    with pytest.raises(NewsqaError, match="int8"):
        _ = other.embeddings


def test_hits_say_who_found_them_and_filters_apply(page_index: NewsIndex):
    retriever = HybridRetriever(index=page_index, k=3)
    hits = retriever.search("长沙海关关长是谁")
    assert "朱光耀" in hits[0].chunk.text
    assert set(hits[0].found_by) <= {"dense", "bm25"} and hits[0].score > 0
    assert any(h.neighbour_of for h in hits)

    assert retriever.search("长沙海关", filters=Filters(date_from="2023-01-01")) == []
    assert retriever.search("长沙海关", filters=Filters(date_to="2022-12-15"))
    assert retriever.search("长沙海关", filters=Filters(sources=("/elsewhere.txt",))) == []
    source = hits[0].chunk.source
    assert all(h.chunk.source == source for h in retriever.search("朱健", filters=Filters(sources=(source,))))


def test_retriever_is_a_langchain_retriever(page_index: NewsIndex):
    docs = HybridRetriever(index=page_index, k=2).invoke("政协主席会议谁主持")
    assert docs and "刘丽华" in "".join(d.page_content for d in docs)
    assert {"chunk_id", "title", "score", "found_by"} <= set(docs[0].metadata)


def test_rrf_fusion_rewards_agreement():
    fused = fuse_rrf({"dense": [("a", 0.9), ("b", 0.8), ("c", 0.7)], "bm25": [("b", 12.0), ("d", 3.0)]}, rrf_k=60)
    assert [cid for cid, _, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][2] == {"dense": 2, "bm25": 1}
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_convex_fusion_keeps_how_far_ahead_a_hit_is():
    rankings = {"dense": [("a", 0.90), ("b", 0.89), ("c", 0.80)], "bm25": [("b", 20.0), ("d", 4.0), ("a", 2.0)]}
    fused = fuse_convex(rankings, {"dense": 0.4, "bm25": 0.6})
    assert [cid for cid, _, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][1] == pytest.approx(0.4 * 0.9 + 0.6 * 1.0)
    assert fused[1][1] == pytest.approx(0.4 * 1.0 + 0.0)
    assert fused[2][1] == pytest.approx(0.6 * 2 / 18)
    assert fused[1][2] == {"dense": 1, "bm25": 3}
    # a list of one hit normalises it to 1
    assert fuse_convex({"dense": [("x", 0.5)], "bm25": []}, {"dense": 0.4})[0][1] == pytest.approx(0.4)


def test_learned_fusion_weighs_each_retrievers_score_and_rank():
    rankings = {"dense": [("a", 0.9), ("b", 0.85), ("c", 0.5)], "bm25": [("b", 10.0), ("d", 9.0), ("a", 1.0)]}
    features = fusion_features(rankings)
    assert features["b"] == pytest.approx(
        {"dense_score": 0.875, "dense_rank": 0.5, "bm25_score": 1.0, "bm25_rank": 1.0}
    )
    assert features["d"] == pytest.approx({"bm25_score": 8 / 9, "bm25_rank": 0.5})  # dense did not find it
    weights = {"dense_score": 4.0, "dense_rank": -0.5, "bm25_score": 4.0, "bm25_rank": 1.0}
    fused = fuse_weighted(rankings, weights)
    assert [cid for cid, _, _ in fused] == ["b", "d", "a", "c"]
    assert fused[0][1] == pytest.approx(4 * 0.875 - 0.5 * 0.5 + 4 + 1)
    assert fused[2][1] == pytest.approx(4 - 0.5 + 1 / 3)
    # the convex combination is the learned form with score weights only
    convex = fuse_convex(rankings, {"dense": 0.4, "bm25": 0.6})
    assert convex == fuse_weighted(rankings, {"dense_score": 0.4, "bm25_score": 0.6})


def test_the_retriever_fuses_with_the_shipped_learned_weights(page_index: NewsIndex):
    settings = page_index.settings
    assert settings.fusion == "learned"
    weights = fusion_weights()
    assert set(weights) == {"dense_score", "dense_rank", "bm25_score", "bm25_rank"}
    question = "市长朱健希望人大常委会机关围绕哪些课题建言献策？"
    vector = page_index.embeddings.encode([question])[0]
    rankings = {
        "dense": page_index.store.search(vector, settings.candidates),
        "bm25": page_index.lexical.search(question, settings.candidates),
    }
    expected = fuse_weighted(rankings, weights)[:5]
    hits = HybridRetriever(index=page_index, neighbours=False).retrieve(question, k=5, vector=vector)[0]
    assert [h.chunk.chunk_id for h in hits] == [cid for cid, _, _ in expected]
    assert [h.score for h in hits] == pytest.approx([score for _, score, _ in expected])


def test_a_fusion_weights_file_that_cannot_be_read_is_a_clear_error(tmp_path: Path):
    broken = tmp_path / "fusion.json"
    broken.write_text('{"weights": {"dense_score": "high"}}', encoding="utf-8")
    for path in (tmp_path / "missing.json", broken):
        with pytest.raises(NewsqaError, match="NEWSQA_FUSION_WEIGHTS"):
            fusion_weights(path)


def test_a_saved_bm25_build_of_an_older_format_is_rebuilt(page_index: NewsIndex, tmp_path: Path):
    from rag.lexical import LexicalIndex

    saved = tmp_path / "bm25"
    shutil.copytree(page_index.settings.bm25_dir, saved)
    columns = json.loads((saved / "columns.json").read_text(encoding="utf-8"))
    old_format = {"ids": columns["ids"], "dates": columns["dates"], "sources": ["x"] * len(columns["ids"])}
    (saved / "columns.json").write_text(json.dumps(old_format), encoding="utf-8")
    lexical = LexicalIndex(page_index.catalog, saved)
    hits = lexical.search("长沙海关", 3, Filters(sources=(str(PAGE),)))
    assert hits and lexical.refresh().source_names == (str(PAGE),)
    assert json.loads((saved / "columns.json").read_text(encoding="utf-8"))["source_names"] == [str(PAGE)]

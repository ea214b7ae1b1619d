"""The evaluation runner end to end (`python -m eval`, a real process) and the CRUD subset writer."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eval.crud_subset import write_subset
from rag.index import NewsIndex
from tests.conftest import GOLD, PAGE

SYSTEMS = ("newsqa", "bm25-only", "dense-only", "langchain")


def run_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eval", *args], capture_output=True, text=True, timeout=900, check=False
    )


@pytest.mark.slow
def test_eval_with_compare_writes_a_complete_report(page_index: NewsIndex, tmp_path: Path):
    data_dir = shutil.copytree(page_index.settings.data_dir, tmp_path / "data")
    out = tmp_path / "report"
    args = ("--qa", str(GOLD), "--corpus", str(PAGE), "--data-dir", str(data_dir), "--out", str(out))
    result = run_eval(*args, "--limit", "8", "--compare")
    assert result.returncode == 0, result.stderr
    assert "unchanged 1" in result.stderr  # the corpus was already ingested: reused, not re-embedded
    assert "newsqa:" in result.stderr and "question" in result.stderr  # the progress bar
    assert all(f"| {name} |" in result.stdout for name in SYSTEMS)  # the headline table

    records = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    gold_ids = [json.loads(line)["id"] for line in GOLD.read_text(encoding="utf-8").splitlines()[:8]]
    assert [(r["system"], r["id"]) for r in records] == [(s, i) for s in SYSTEMS for i in gold_ids]
    for r in records:
        assert {"question", "standalone_question", "answer", "refused", "correct", "citations", "retrieved"} <= set(r)
        assert r["retrieved"] and {"rank", "article_id", "relevant"} <= set(r["retrieved"][0])
        assert r["correct"] is not None and not r["error"]
        assert r["asks"] in {"who", "where", "when", "number", "list", "role", "reason", "method", "yesno", "factoid"}
    newsqa = [r for r in records if r["system"] == "newsqa"]
    assert sum(r["correct"] for r in newsqa) >= 6 and all(r["citations"] for r in newsqa if not r["refused"])

    report = (out / "report.md").read_text(encoding="utf-8")
    for heading in (
        "## Headline",
        "## Retrieval",
        "## Answer accuracy by question type",
        "## newsqa by the answer type each question asks",
        "## Latency (ms)",
        "## newsqa: wrong answers",
        "## How the numbers are computed",
    ):
        assert heading in report
    assert all(f"| {name} |" in report for name in SYSTEMS) and "| followup |" in report
    for plot in ("hit_at_k.png", "latency.png", "accuracy_by_type.png"):
        assert f"]({plot})" in report and (out / plot).read_bytes().startswith(b"\x89PNG")


def test_eval_reports_a_bad_qa_file_in_one_line(tmp_path: Path):
    bad = tmp_path / "qa.jsonl"
    bad.write_text('{"id": "1", "question": "谁？"}\n{broken\n', encoding="utf-8")
    result = run_eval("--qa", str(bad), "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "out"))
    message = " ".join(result.stderr.split())
    assert result.returncode == 2 and "line 2: invalid JSON" in message and "Traceback" not in message


def test_crud_subset_keeps_the_evidence_first_and_is_reproducible(tmp_path: Path):
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        for i in range(50):
            handle.write(json.dumps({"id": f"crud-{i:02d}", "text": f"第{i}篇"}, ensure_ascii=False) + "\n")
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"id": "q1", "question": "?", "evidence_doc_ids": ["crud-40", "crud-07"]}) + "\n")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert write_subset(corpus, qa, first, others=10, seed=3) == (12, 2)
    write_subset(corpus, qa, second, others=10, seed=3)
    ids = [json.loads(line)["id"] for line in first.read_text(encoding="utf-8").splitlines()]
    assert ids[:2] == ["crud-07", "crud-40"] and len(set(ids)) == 12 and ids[2:] == sorted(ids[2:])
    assert first.read_bytes() == second.read_bytes()

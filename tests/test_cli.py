"""The `newsqa` command line, run as a real process against a real index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rag.index import NewsIndex
from tests.conftest import PAGE


def newsqa(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_search_stats_and_batch_as_json(page_index: NewsIndex, tmp_path: Path):
    data_dir = page_index.settings.data_dir
    result = newsqa("search", "刘越高拜访了哪些省直部门？", "-k", "3", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert {"rank", "chunk_id", "article_id", "title", "date", "source", "text", "score"} <= set(hits[0])
    assert "省商务厅" in hits[0]["text"] and hits[0]["rank"] == 1

    stats = json.loads(newsqa("stats", "--json", data_dir=data_dir).stdout)
    assert stats["chunks"] == stats["chunks_chroma"] == stats["chunks_lexical"] and stats["consistent"]

    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "长沙海关关长是谁"}\n政协主席会议谁主持\n', encoding="utf-8")
    lines = newsqa("search", "--batch", str(questions), "-k", "2", data_dir=data_dir).stdout.splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["长沙海关关长是谁", "政协主席会议谁主持"]
    assert "朱光耀" in json.loads(lines[0])["hits"][0]["text"]


def test_ask_writes_each_citation_before_the_sentences_full_stop_as_the_api_does(page_index: NewsIndex):
    result = newsqa("ask", "长沙海关关长是谁？", data_dir=page_index.settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "朱光耀[1]。" in result.stdout and "。[1]" not in result.stdout


def test_ingest_remove_and_clear_errors(tmp_path: Path):
    data_dir = tmp_path / "data"
    empty = newsqa("search", "问题", data_dir=data_dir)
    assert empty.returncode == 2 and "newsqa ingest" in empty.stderr and "Traceback" not in empty.stderr

    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x00binary")
    ingested = newsqa("ingest", str(PAGE), str(bad), data_dir=data_dir)
    assert ingested.returncode == 0, ingested.stderr
    assert "binary file" in ingested.stderr and "added 7 article(s)" in ingested.stdout

    mistyped = newsqa("ingest", str(tmp_path / "no-such-page.txt"), data_dir=data_dir)
    assert mistyped.returncode == 2 and "no such file" in mistyped.stderr

    unknown = newsqa("remove", "nothing.txt", data_dir=data_dir)
    assert unknown.returncode == 2 and "no document" in unknown.stderr
    removed = newsqa("remove", PAGE.name, data_dir=data_dir)
    assert removed.returncode == 0 and "removed" in removed.stdout
    stats = json.loads(newsqa("stats", "--json", data_dir=data_dir).stdout)
    assert stats["documents"] == stats["chunks_chroma"] == stats["chunks_lexical"] == 0


def test_a_careless_command_line_gets_one_clear_line_not_a_traceback(page_index: NewsIndex, tmp_path: Path):
    data_dir = page_index.settings.data_dir
    not_utf8 = tmp_path / "questions.txt"
    not_utf8.write_bytes("长沙海关关长是谁".encode("gbk"))
    for args, says in [
        (("ask", "--batch", str(tmp_path / "missing.jsonl")), "cannot read the questions file"),
        (("ask", "--batch", str(not_utf8)), "not UTF-8"),
        (("search", "长沙", "--date-from", "2022-02-30"), "no such date: 2022-02-30"),
        (("search", "长沙", "--date-to", "2022/12/01"), "no such date: 2022/12/01"),
        (("ask", "长沙海关关长是谁", "-k", "0"), "-k"),
    ]:
        result = newsqa(*args, data_dir=data_dir)
        assert result.returncode == 2, (args, result.stderr)
        assert says in " ".join(result.stderr.split()) and "Traceback" not in result.stderr, (args, result.stderr)

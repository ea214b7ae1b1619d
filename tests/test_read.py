"""Reading files: encodings, HTML, JSONL records, and bad files skipped with a reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ingest.jsonl import count_lines, iter_jsonl_articles
from ingest.read import RawDocument, Skipped, iter_files, read_file

PAGE_TEXT = "测试标题\n\n本报讯 (记者 王五) 衡阳市今天召开会议，研究部署工作。"


def test_utf8_bom_and_gbk_are_decoded(tmp_path: Path):
    plain = tmp_path / "a.txt"
    plain.write_text(PAGE_TEXT, encoding="utf-8")
    bom = tmp_path / "b.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + PAGE_TEXT.encode("utf-8"))
    gbk = tmp_path / "c.txt"
    gbk.write_bytes(PAGE_TEXT.encode("gbk"))
    for path in (plain, bom, gbk):
        doc = read_file(path)
        assert isinstance(doc, RawDocument), doc
        assert doc.text == PAGE_TEXT


def test_bad_files_are_skipped_with_a_reason(tmp_path: Path):
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin.txt").write_bytes(b"caf\x80 na\x80ve " * 20)
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    reasons = {}
    for entry in iter_files([tmp_path, tmp_path / "missing.txt"]):
        result = read_file(entry) if isinstance(entry, Path) else entry
        assert isinstance(result, Skipped)
        reasons[result.path.name] = result.reason
    assert reasons == {
        "binary.txt": "binary file, not text",
        "empty.txt": "empty file",
        "image.png": "unsupported file type .png",
        "latin.txt": "not UTF-8 or GB18030/GBK text",
        "missing.txt": "no such file or folder",
    }


def test_html_text_is_extracted_with_headings(tmp_path: Path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>x</title><style>p{}</style></head><body><h1>标题一</h1>"
        "<p>本报讯 第一段。</p><script>alert(1)</script><p>第二段。</p></body></html>",
        encoding="utf-8",
    )
    doc = read_file(page)
    assert isinstance(doc, RawDocument)
    assert "# 标题一" in doc.text and "第二段。" in doc.text
    assert "alert" not in doc.text and "p{}" not in doc.text


def test_jsonl_keeps_ids_and_reports_bad_lines(tmp_path: Path):
    path = tmp_path / "news.jsonl"
    lines = [
        json.dumps({"id": "n1", "title": "标题", "date": "2023/7/5", "text": "正文一。", "source": "人民网"}),
        "{broken json",
        json.dumps({"id": "n2", "title": "无正文"}),
        json.dumps({"id": "n1", "text": "重复的编号。"}),
        json.dumps({"id": 7, "text": "第二条正文，没有标题。"}),
    ]
    path.write_bytes(
        "\n".join(lines).encode("utf-8")
        + b"\n"
        + json.dumps({"id": "g", "text": "国标编码的正文。"}, ensure_ascii=False).encode("gb18030")
    )
    items = list(iter_jsonl_articles(path))
    articles = [i for i in items if not isinstance(i, Skipped)]
    skipped = [i.reason for i in items if isinstance(i, Skipped)]
    assert [(a.article_id, a.title, a.date, a.paper) for a in articles] == [
        ("n1", "标题", "2023-07-05", "人民网"),
        ("7", "第二条正文，没有标题", "", ""),
        ("g", "国标编码的正文", "", ""),
    ]
    assert skipped[0].startswith("line 2: ")
    assert skipped[1:] == ['line 3: missing or empty "text"', "line 4: duplicate id 'n1'"]


def test_gzip_jsonl_is_read_as_a_stream_and_a_cut_off_archive_keeps_its_good_lines(tmp_path: Path):
    records = [{"id": f"a{i}", "title": f"标题{i}", "text": f"第{i}篇正文。" * 400} for i in range(40)]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    archive = tmp_path / "news.jsonl.gz"
    archive.write_bytes(gzip.compress(data))
    assert list(iter_files([tmp_path])) == [archive]
    doc = read_file(archive)
    assert isinstance(doc, RawDocument) and doc.kind == "jsonl"
    assert [a.article_id for a in iter_jsonl_articles(archive)] == [r["id"] for r in records]
    assert count_lines(archive) == 40

    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    items = list(iter_jsonl_articles(cut))
    good = [i for i in items if not isinstance(i, Skipped)]
    assert 0 < len(good) < 40 and [a.article_id for a in good] == [r["id"] for r in records[: len(good)]]
    assert isinstance(items[-1], Skipped) and "gzip data broken" in items[-1].reason

    fake = tmp_path / "fake.jsonl.gz"
    fake.write_text('{"id": "x", "text": "不是压缩文件"}\n', encoding="utf-8")
    skipped = read_file(fake)
    assert isinstance(skipped, Skipped) and "broken gzip file" in skipped.reason

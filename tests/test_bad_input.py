"""Bad JSONL through the real `newsqa ingest`: good records ingest, bad lines are reported, memory stays flat."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rag.catalog import Catalog
from rag.settings import Settings

GOOD = [
    {"id": f"good-{n}", "date": f"2023-07-0{n % 9 + 1}", "text": f"第{n}条新闻。衡阳市召开第{n}次会议，部署民生工作。"}
    for n in range(12)
]
HUGE_LINE_BYTES = 50 * 1024 * 1024


def good_line(record: dict, encoding: str = "utf-8") -> bytes:
    return json.dumps(record, ensure_ascii=False).encode(encoding) + b"\n"


def ingest(path: Path, data_dir: Path) -> tuple[dict, int]:
    """Run `newsqa ingest --json`; its report and peak RSS in MiB."""
    out, err = path.with_suffix(".out"), path.with_suffix(".err")
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "ingest", str(path), "--data-dir", str(data_dir), "--json"],
            stdout=stdout,
            stderr=stderr,
        )
        _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, err.read_text()
    return json.loads(out.read_text(encoding="utf-8")), usage.ru_maxrss // 1024


def test_bad_lines_are_reported_and_good_ones_ingest(tmp_path: Path):
    clean = tmp_path / "clean.jsonl"
    clean.write_bytes(b"".join(good_line(r) for r in GOOD))
    bad = tmp_path / "bad.jsonl"
    with bad.open("wb") as handle:
        handle.write(good_line(GOOD[0]))  # line 1
        handle.write(b'{"id": "broken", "text": "no closing\n')  # line 2
        handle.write(good_line({"id": "no-text", "date": "2023-07-01"}))  # line 3
        handle.write(good_line(GOOD[1], "gb18030"))  # line 4: another encoding
        huge = b'{"id": "huge", "text": "' + "长".encode() * (HUGE_LINE_BYTES // 3) + b'"}\n'
        handle.write(huge)  # line 5
        del huge
        handle.write(b"\n")  # line 6: blank, ignored
        handle.write(b'{"id": "undecodable", "text": "\xff\xfe\x80\x81"}\n')  # line 7
        for n, record in enumerate(GOOD[2:]):  # lines 8-17, alternating encodings
            handle.write(good_line(record, "gb18030" if n % 2 else "utf-8"))
        handle.write(good_line(GOOD[0]))  # line 18: duplicate id

    _, clean_rss = ingest(clean, tmp_path / "clean-data")
    report, bad_rss = ingest(bad, tmp_path / "bad-data")

    assert report["articles"] == len(GOOD)
    reasons = [s["reason"] for s in report["skipped"]]
    assert [r.split(":")[0] for r in reasons] == ["line 2", "line 3", "line 5", "line 7", "line 18"]
    assert reasons[1] == 'line 3: missing or empty "text"'
    assert reasons[2].startswith("line 5: longer than") and reasons[4] == "line 18: duplicate id 'good-0'"
    catalog = Catalog(Settings(data_dir=tmp_path / "bad-data").catalog_path)
    assert catalog.done_article_ids(str(bad)) == {r["id"] for r in GOOD}
    assert catalog.article_text(str(bad), "good-1") == GOOD[1]["text"]
    assert catalog.documents()[0].skipped == 5
    print(f"\npeak RSS: clean {clean_rss} MiB, with a {HUGE_LINE_BYTES >> 20} MiB line {bad_rss} MiB")
    assert bad_rss < clean_rss + 64

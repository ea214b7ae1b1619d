"""Word (.docx) files made with python-docx: heading styles and bold lines as headlines, tables as rows."""

from __future__ import annotations

from pathlib import Path

import docx

from ingest.docx import docx_articles
from ingest.pipeline import ingest_paths


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("聚焦冬季农业生产", level=2)
    document.add_heading("全市油菜种植面积突破八十万亩", level=1)
    document.add_paragraph("本报讯 (全媒体记者 李明远) 截至12月10日，全市今冬油菜种植面积达到81.6万亩。")
    document.add_paragraph("各县市区种植面积如下。")
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(
        table.rows, [("县市区", "面积（万亩）"), ("衡南县", "15.3"), ("祁东县", "12.1")], strict=True
    ):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    bold = document.add_paragraph()
    bold.add_run("城区新增公交线路四条").bold = True
    document.add_paragraph("本报讯 (记者 赵琳) 12月14日起，市公交集团开通四条公交线路。")
    document.save(path)
    return path


def test_headings_bold_lines_and_tables(tmp_path):
    path = make_docx(tmp_path / "wenzhang-2022-12-15.docx")
    found = docx_articles(path, str(path), path.name, "2022-12-15")
    assert [(a.title, a.subtitles, a.reporter, a.paper) for a in found] == [
        ("全市油菜种植面积突破八十万亩", ["聚焦冬季农业生产"], "李明远", ""),
        ("城区新增公交线路四条", [], "赵琳", ""),
    ]
    assert found[0].text.split("\n")[2:] == ["县市区 | 面积（万亩）", "衡南县 | 15.3", "祁东县 | 12.1"]


def test_docx_ingests_from_a_folder(tmp_path, fresh_index):
    folder = tmp_path / "inbox"
    folder.mkdir()
    make_docx(folder / "wenzhang-2022-12-15.docx")
    (folder / "broken.docx").write_bytes(b"not a zip file at all")
    report = ingest_paths(fresh_index, [folder], show_progress=False)
    assert report.articles == 2
    assert report.skipped == [(str(folder / "broken.docx"), "not a Word (.docx) file")]

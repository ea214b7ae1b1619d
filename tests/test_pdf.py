"""E-paper PDFs printed by headless Chromium from `eval.make_pages`: layout, reading order, continuations."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from eval.make_pages import (
    BUNDLED_PAGE,
    FRONT_PAGE,
    SECOND_PAGE,
    Cell,
    bundled_page,
    char_error_rate,
    page_stories,
    print_pdf,
    scan_pdf,
)
from ingest.articles import date_from_name, split_articles
from ingest.continuations import MISSING, join_continuations
from ingest.pdf import NO_TEXT_LAYER, pdf_articles
from ingest.pipeline import ingest_paths
from ingest.read import Skipped, read_file
from ingest.uploads import ingest_received
from rag.chain import Assistant
from rag.lexical import Filters
from rag.page_image import quote_boxes, source_page_image
from rag.retrieve import HybridRetriever, hit_document, source_from_document
from tests.conftest import PAGE
from ui.api.app import create_app

LEAD = FRONT_PAGE.rows[0][0].stories[0]
NARROW_HEADLINE_PAGE = replace(
    FRONT_PAGE, rows=[[Cell(3, [replace(LEAD, title="油菜扩种", kicker="", subtitles=[])])], *FRONT_PAGE.rows[1:]]
)
pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="needs chromium (apt-get install chromium)")


@pytest.fixture(scope="session")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages")
    print_pdf([FRONT_PAGE], out / "front-2022-12-15.pdf")
    print_pdf([SECOND_PAGE, FRONT_PAGE], out / "page2-then-1-2022-12-15.pdf")
    print_pdf([SECOND_PAGE], out / "page2-2022-12-15.pdf")
    print_pdf([NARROW_HEADLINE_PAGE], out / "narrow-2022-12-15.pdf")
    print_pdf([bundled_page()], out / "hengyang-daily-2022-12-15.pdf")
    scan_pdf(out / "front-2022-12-15.pdf", out / "scanned-2022-12-15.pdf")
    return out


def read(path: Path):
    articles, blank = pdf_articles(path, str(path), path.name, date_from_name(path))
    assert blank == []
    return join_continuations(articles)


def test_front_page_articles_headlines_and_page(pages):
    found = [
        (a.kind, a.title, a.layout.page, a.layout.edition, a.layout.section)
        for a in read(pages / "front-2022-12-15.pdf")
    ]
    assert sorted(found) == sorted(
        [
            ("article", "全市油菜种植面积突破八十万亩", 1, "第1版", "要闻"),
            ("teaser", "高铁新城片区控规获批", 1, "第1版", "要闻"),
            ("article", "城区新增公交线路四条", 1, "第1版", "要闻"),
            ("article", "我市新建改扩建学校十二所", 1, "第1版", "要闻"),
            ("article", "基层医疗机构实现远程会诊全覆盖", 1, "第1版", "要闻"),
            ("caption", "12月13日，南岳衡山迎来今冬首场雾凇，游客在祝融峰拍照留念", 1, "第1版", "要闻"),
            ("brief", "12月13日，市图书馆“冬日书香”阅读季启动，活动持续至明年…", 1, "第1版", "要闻"),
        ]
    )


def test_bodies_read_in_column_order_match_the_printed_text(pages):
    found = read(pages / "front-2022-12-15.pdf")
    by_title = {a.title: a for a in found}
    for story in page_stories(FRONT_PAGE):
        if story.kind not in ("article", "brief"):
            continue
        body = "\n".join(p for p in story.paragraphs if not p.startswith("（下转"))
        article = by_title.get(story.title) or next(a for a in found if a.text.startswith(body[:20]))
        assert char_error_rate(body, article.text) <= 0.01, story.title


def test_a_short_centred_headline_owns_all_the_columns_below_it(pages):
    found = read(pages / "narrow-2022-12-15.pdf")
    (lead,) = [a for a in found if a.title == "油菜扩种"]
    body = "\n".join(p for p in LEAD.paragraphs if not p.startswith("（下转"))
    assert char_error_rate(body, lead.text) <= 0.01
    assert [a.kind for a in found].count("brief") == 1  # only the real brief, no orphaned column


def test_headline_layers_and_dateline(pages):
    lead = next(a for a in read(pages / "front-2022-12-15.pdf") if a.title == "全市油菜种植面积突破八十万亩")
    assert lead.subtitles == ["聚焦冬季农业生产", "——各地抢抓晴好天气推进冬种扩面"]
    assert (lead.paper, lead.reporter, lead.date) == ("衡阳日报", "李明远、周晓", "2022-12-15")


def test_captions_and_page_header_are_kept_apart_from_bodies(pages):
    found = read(pages / "front-2022-12-15.pdf")
    captions = [a for a in found if a.kind == "caption"]
    assert [a.text for a in captions] == [
        "12月13日，南岳衡山迎来今冬首场雾凇，游客在祝融峰拍照留念。 全媒体记者 吴刚摄"
    ]
    others = "\n".join(a.text for a in found if a.kind != "caption")
    assert "雾凇" not in others
    assert "责任编辑" not in others and "星期四" not in others


def test_a_part_without_its_other_half_says_so(pages):
    lead = next(a for a in read(pages / "front-2022-12-15.pdf") if a.title == "全市油菜种植面积突破八十万亩")
    assert lead.notes == ["下转第2版" + MISSING]
    assert "下转" not in lead.text


def test_continuation_joined_whatever_the_page_order(pages):
    found = read(pages / "page2-then-1-2022-12-15.pdf")
    parts = [a for a in found if a.title == "全市油菜种植面积突破八十万亩"]
    assert len(parts) == 1
    story = parts[0]
    assert story.notes == []
    assert story.text.startswith("本报讯 (全媒体记者 李明远")
    assert story.text.endswith("今冬新增的油菜面积可为全市增产菜籽油约3000吨。")
    assert "上接" not in story.text
    assert sorted({box.page for box in story.layout.boxes}) == [1, 2]  # page 2 comes first in this file
    assert story.lines[-1].box.page == 1


def test_continuation_joined_across_files_of_one_ingest(pages, fresh_index):
    folder = pages.parent / "two-files"
    folder.mkdir()
    for name in ("front-2022-12-15.pdf", "page2-2022-12-15.pdf"):  # page 2 sorts after page 1's file: any order
        shutil.copy(pages / name, folder / name)
    report = ingest_paths(fresh_index, [folder], show_progress=False)
    assert report.articles == 7 + 1  # the front page's 7, page 2's other story; the continuation joined
    front, second = (str((folder / n).resolve()) for n in ("front-2022-12-15.pdf", "page2-2022-12-15.pdf"))
    (story,) = [a for a in fresh_index.catalog.articles(front) if a.title == "全市油菜种植面积突破八十万亩"]
    assert story.notes == [] and story.text.endswith("约3000吨。")
    assert [(box.source, box.page) for box in story.layout.boxes] == [("", 1), (second, 1)]
    assert story.lines[-1].box.source == second

    hits = HybridRetriever(index=fresh_index, k=1, neighbours=False).search("衡阳县“送技下乡”培训农民多少人次？")
    (source,) = [source_from_document(n, hit_document(h)) for n, h in enumerate(hits, start=1)]
    assert source.title == story.title and second in {box.source for box in source.boxes}
    there = [box for box in source.boxes if box.source == second]
    image = Image.open(source_page_image(source, fresh_index.settings.data_dir, highlight=there))
    (crop,) = [box for box in source.region.boxes if box.source == second]
    assert image.size == (
        pytest.approx((crop.x1 - crop.x0 + 16) * 2, abs=3),
        pytest.approx((crop.y1 - crop.y0 + 16) * 2, abs=3),
    )  # page 2's file, cropped to the part printed there
    assert [a.title for a in fresh_index.catalog.articles(second)] == ["衡州大道改造工程完工通车"]


def test_line_boxes_lie_in_the_article_region(pages):
    for article in read(pages / "front-2022-12-15.pdf"):
        (region,) = article.layout.boxes
        assert article.lines, article.title
        for line in article.lines:
            box = line.box
            assert region.x0 <= box.x0 < box.x1 <= region.x1 and region.y0 <= box.y0 < box.y1 <= region.y1
        assert "".join(article.text[line.start : line.end] for line in article.lines).replace("\n", "") == (
            article.text.replace("\n", "")
        )


def test_bundled_page_laid_out_gives_the_articles_of_the_text_version(pages):
    text = BUNDLED_PAGE.read_text(encoding="utf-8")
    expected = split_articles(text, str(BUNDLED_PAGE), BUNDLED_PAGE.name, date_from_name(BUNDLED_PAGE))
    found = read(pages / "hengyang-daily-2022-12-15.pdf")

    def meta(article):
        return (article.title, article.subtitles, article.kind, article.paper, article.reporter, article.date)

    assert sorted(map(meta, found)) == sorted(map(meta, expected))
    by_title = {a.title: a for a in found}
    for article in expected:
        assert char_error_rate(article.text, by_title[article.title].text) <= 0.01, article.title


def test_scanned_pdf_is_refused_while_the_others_ingest(pages, fresh_index):
    scanned = pages / "scanned-2022-12-15.pdf"
    assert read_file(scanned) == Skipped(scanned, NO_TEXT_LAYER)
    folder = pages.parent / "inbox"
    folder.mkdir()
    for name in ("scanned-2022-12-15.pdf", "front-2022-12-15.pdf"):
        shutil.copy(pages / name, folder / name)
    report = ingest_paths(fresh_index, [folder], show_progress=False)
    assert report.skipped == [(str(folder / "scanned-2022-12-15.pdf"), NO_TEXT_LAYER)]
    assert report.read == [str((folder / "front-2022-12-15.pdf").resolve())]
    assert report.articles == 7
    stored = fresh_index.catalog.articles(report.read[0])
    lead = next(a for a in stored if a.title == "全市油菜种植面积突破八十万亩")
    assert lead.layout.page == 1 and lead.layout.edition == "第1版" and lead.lines
    assert lead.notes == ["下转第2版" + MISSING]


def test_sources_from_a_pdf_carry_page_region_and_passage_boxes(pages, fresh_index):
    ingest_paths(fresh_index, [pages / "front-2022-12-15.pdf"], show_progress=False)
    hits = HybridRetriever(index=fresh_index, k=1, neighbours=False).search("今冬油菜种植面积达到多少万亩？")
    (source,) = [source_from_document(n, hit_document(h)) for n, h in enumerate(hits, start=1)]
    assert source.title == "全市油菜种植面积突破八十万亩"
    assert (source.region.page, source.region.edition, source.region.section) == (1, "第1版", "要闻")
    (region,) = source.region.boxes
    assert source.boxes and all(region.x0 <= b.x0 and b.x1 <= region.x1 and b.page == 1 for b in source.boxes)

    data_dir = fresh_index.settings.data_dir
    image_path = source_page_image(source, data_dir)
    image = Image.open(image_path)
    margin, scale = 8, 2
    assert image.size == (
        pytest.approx((region.x1 - region.x0 + 2 * margin) * scale, abs=3),
        pytest.approx((region.y1 - region.y0 + 2 * margin) * scale, abs=3),
    )
    pixels = np.asarray(image.convert("RGB")).astype(int)
    yellow = (pixels[..., 0] > 200) & (pixels[..., 1] > 180) & (pixels[..., 2] < 150)
    assert yellow.sum() > 1000  # the passage is shaded
    assert source_page_image(source, data_dir) == image_path  # served from the cache
    assert image_path.parent == data_dir / "page-images"

    start = source.text.index("81.6万亩")
    lines = quote_boxes(fresh_index.catalog, source, start, start + len("81.6万亩"))
    assert 1 <= len(lines) <= 2 and all(line in source.boxes for line in lines)  # 81.6万 | 亩 may wrap
    quoted = source_page_image(source, data_dir, highlight=lines)
    assert quoted != image_path and quoted.exists()


def test_the_api_serves_a_cited_pdf_page_and_sources_carry_their_place(pages, fresh_index):
    ingest_paths(fresh_index, [pages / "front-2022-12-15.pdf", PAGE], show_progress=False)
    settings = fresh_index.settings.model_copy(update={"api_key": "page-key"})
    with TestClient(create_app(settings, Assistant(settings, fresh_index), with_ui=False)) as client:
        headers = {"Authorization": "Bearer page-key"}
        answer = client.post("/api/ask", json={"question": "今冬油菜种植面积达到多少万亩？"}, headers=headers).json()
        citation = answer["citations"][0]
        source = next(s for s in answer["sources"] if s["n"] == citation["n"])
        assert source["region"]["page"] == 1 and source["boxes"] and source["source"] == "front-2022-12-15.pdf"
        url = f"/api/sources/{quote(source['chunk_id'], safe='')}/page.png"  # ids hold '#' and ':'
        span = {"start": citation["quote_start"], "end": citation["quote_end"]}
        quoted = client.get(url, params=span, headers=headers)
        assert quoted.status_code == 200 and quoted.headers["content-type"] == "image/png", (url, quoted.text)
        assert Image.open(io.BytesIO(quoted.content)).size[0] > 200
        assert client.get(url).status_code == 401
        on_text_page = Filters(sources=(str(PAGE.resolve()),))
        text_chunk = HybridRetriever(index=fresh_index, k=1).search("长沙海关", filters=on_text_page)[0].chunk.chunk_id
        missing = client.get(f"/api/sources/{quote(text_chunk, safe='')}/page.png", headers=headers)
        assert missing.status_code == 404 and "not from a PDF" in missing.json()["error"]["en"]


def test_uploaded_pdf_and_docx_ingest_through_the_upload_path(pages, fresh_index, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    received = []
    for name, made in (("front.pdf", pages / "front-2022-12-15.pdf"), ("scan.pdf", pages / "scanned-2022-12-15.pdf")):
        part = folder / f".{name}.part.pdf"
        shutil.copy(made, part)
        received.append((name, part))
    results, report = ingest_received(fresh_index, received, folder)
    assert [(r.name, r.status, r.articles) for r in results] == [
        ("front.pdf", "ingested", 7),
        ("scan.pdf", "skipped", 0),
    ]
    assert results[1].reasons == [NO_TEXT_LAYER]
    assert report.articles == 7

"""The Gradio chat in a real headless Chromium: ask, open a citation, follow up, upload good and bad files."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from eval.make_pages import bundled_page, print_pdf
from ingest.pipeline import ingest_paths
from rag.chain import Assistant
from rag.index import NewsIndex
from rag.settings import Settings
from tests.conftest import PAGE, ROOT
from tests.test_api_openai_client import running
from ui.api.app import create_app
from ui.web.app import build_ui

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANSWER_TIMEOUT_MS = 180_000
GOOD_PAGE = """石鼓区举办首届湘江龙舟邀请赛

衡阳日报讯 (全媒体记者 王明) 12月16日，石鼓区在湘江石鼓段举办首届湘江龙舟邀请赛，来自全市的十八支龙舟队参加比赛。

经过激烈角逐，蒸湘区龙舟队获得冠军。
"""

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)"
    ),
    pytest.mark.filterwarnings("ignore::Warning:gradio.queueing"),  # gradio's own use of pandas
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The UI on a free loopback port, over its own index of the bundled page (the test writes to it)."""
    index = NewsIndex(Settings(data_dir=tmp_path_factory.mktemp("ui-index")))
    ingest_paths(index, [PAGE], show_progress=False)
    yield from launched(index)


def launched(index: NewsIndex) -> Iterator[str]:
    demo = build_ui(Assistant(index.settings, index))
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def pdf_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The UI over the bundled page laid out as an e-paper PDF (printed by Chromium, then ingested)."""
    folder = tmp_path_factory.mktemp("ui-pdf")
    pdf = print_pdf([bundled_page()], folder / "hengyang-daily-2022-12-15.pdf")
    index = NewsIndex(Settings(data_dir=folder / "data"))
    ingest_paths(index, [pdf], show_progress=False)
    yield from launched(index)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.goto(app_url)
    yield page
    page.close()


def ask(page: Page, question: str, turn: int) -> None:
    """Type a question, send it, and wait until answer `turn` shows its verified citations."""
    page.locator("#nq-question textarea").fill(question)
    page.locator("#nq-send").click()
    answer = page.locator("#nq-chat .bot-row").nth(turn - 1)
    expect(answer.locator(".nq-answer")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)


def test_answer_cites_sources_and_follow_up_is_rewritten(page: Page):
    ARTIFACTS.mkdir(exist_ok=True)
    ask(page, "刘越高拜访了哪些省直部门？", turn=1)
    first = page.locator("#nq-chat .bot-row").nth(0)
    expect(first).to_contain_text("省商务厅")
    citation = first.locator("a.nq-cite").first
    expect(citation).to_have_text("[1]")
    expect(citation).to_have_attribute(
        "title", re.compile(r"^\[1\] 《刘越高率队赴省直相关部门对接工作》 2022-12-15 衡阳日报")
    )

    card = page.locator("#nq-src-1-1")
    card.locator("summary").click()  # fold the card, then let the citation open it again
    expect(card.locator(".nq-passage")).to_be_hidden()
    citation.click()
    expect(card.locator(".nq-passage")).to_be_visible()
    expect(card.locator(".nq-passage")).to_contain_text("省商务厅")
    expect(card.locator(".nq-passage mark").first).to_be_visible()  # the quoted span
    expect(card).to_have_class(re.compile(r"\bnq-flash\b"))
    assert len(page.context.pages) == 1, "a citation must not open a new tab"
    page.locator("#nq-sources").screenshot(path=ARTIFACTS / "ui-sources.png")

    ask(page, "其中哪个单位的负责人是关长？", turn=2)
    expect(page.locator("#nq-chat .user-row").nth(1).locator(".nq-standalone")).to_contain_text(
        "刘越高拜访了哪些省直部门"
    )
    expect(page.locator("#nq-chat .bot-row").nth(1)).to_contain_text("长沙海关")
    page.screenshot(path=ARTIFACTS / "ui-chat.png")

    page.get_by_text("检索与回答设置 (settings)").click()
    page.get_by_label("显示检索细节").check()
    expect(page.locator("#nq-sources .nq-timings")).to_contain_text("合计 total")
    expect(page.locator("#nq-sources .nq-details").first).to_contain_text("score")

    page.locator("#nq-new").click()
    expect(page.locator("#nq-chat .bot-row")).to_have_count(0)
    expect(page.locator("#nq-sources .nq-source")).to_have_count(0)


def test_upload_reports_bad_files_and_ingests_good_ones(page: Page, tmp_path: Path):
    good = tmp_path / "shigu-2022-12-16.md"
    good.write_text(GOOD_PAGE, encoding="utf-8")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    unsupported = tmp_path / "scan.pptx"
    unsupported.write_bytes(b"PK\x03\x04")

    page.get_by_role("tab", name="文档 Documents").click()
    table = page.locator("#nq-documents")
    expect(table).to_contain_text("hengyang-daily-2022-12-15.txt")
    page.locator("#nq-upload input[type=file]").set_input_files([binary, good, unsupported])
    report = page.locator("#nq-report")
    expect(report).to_contain_text(f"{good.name}：已导入 (ingested)，1 篇文章", timeout=ANSWER_TIMEOUT_MS)
    expect(report).to_contain_text("scan.txt：已跳过 (skipped) — binary file")
    expect(report).to_contain_text("scan.pptx：已跳过 (skipped) — 不支持的文件类型 .pptx")
    expect(table).to_contain_text(good.name)
    expect(table).not_to_contain_text("scan")
    page.screenshot(path=ARTIFACTS / "ui-documents.png")

    page.locator("#nq-remove-choice input").click()
    page.get_by_role("option", name=good.name).click()
    page.locator("#nq-remove").click()
    expect(report).to_contain_text(f"已删除 {good.name}")
    expect(table).not_to_contain_text(good.name)
    expect(table).to_contain_text("hengyang-daily-2022-12-15.txt")


def test_a_citation_of_a_pdf_shows_the_page_with_the_passage_marked(browser: Browser, pdf_app_url: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.goto(pdf_app_url)
    ask(page, "长沙海关关长是谁？", turn=1)
    citation = page.locator("#nq-chat .bot-row").nth(0).locator("a.nq-cite").first
    n = citation.inner_text().strip("[]")
    citation.click()
    card = page.locator(f"#nq-src-1-{n}")
    image = card.locator(".nq-page img")
    expect(image).to_be_visible()
    expect(card.locator(".nq-page figcaption")).to_contain_text("版面 page 1")
    width, height = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert width > 200 and height > 100  # a rendered crop of the page, not a broken image
    image.scroll_into_view_if_needed()
    page.locator("#nq-sources").screenshot(path=ARTIFACTS / "ui-page-image.png")
    page.close()


def test_the_api_docs_page_renders_offline(browser: Browser, page_index: NewsIndex):
    """/docs loads Swagger UI from the installed package: every request stays on the server, none to a CDN."""
    settings = page_index.settings
    with running(create_app(settings, Assistant(settings, page_index), with_ui=False)) as url:
        page = browser.new_page()
        elsewhere: list[str] = []
        page.on("request", lambda request: None if request.url.startswith(url) else elsewhere.append(request.url))
        page.goto(f"{url}/docs")
        operations = page.locator(".opblock-summary-path")  # one per route of /openapi.json
        expect(operations.first).to_be_visible(timeout=30_000)
        paths = [text.replace("\u200b", "") for text in operations.all_inner_texts()]
        page.screenshot(path=ARTIFACTS / "api-docs.png")
        page.close()
    assert "/api/ask" in paths and "/v1/chat/completions" in paths
    assert elsewhere == []

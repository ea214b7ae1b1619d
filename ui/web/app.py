"""The Gradio face: a cited chat over the index and a documents tab; all work is done by rag/ and ingest/."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

import gradio as gr

from ingest.read import SUPPORTED_SUFFIXES
from ingest.uploads import UploadedFile, remove_document, save_and_ingest
from rag.chain import Assistant
from rag.errors import NewsqaError
from rag.lexical import Filters
from rag.page_image import cited_page_image
from rag.settings import Settings
from rag.types import Answer
from ui.web.render import (
    SOURCES_PLACEHOLDER,
    answer_html,
    question_html,
    sources_html,
    status_html,
    streaming_html,
    upload_report_html,
)

ASSETS = Path(__file__).resolve().parent / "assets"
HEAD = f"<style>{(ASSETS / 'newsqa.css').read_text()}</style><script>{(ASSETS / 'newsqa.js').read_text()}</script>"
EXAMPLES = [
    "刘越高拜访了哪些省直部门？",
    "其中哪个单位的负责人是关长？",
    "866个民生实事项目是怎么产生的？",
    "十三届市政协第十二次主席会议由谁主持？",
]
EXAMPLE_LABELS = [EXAMPLES[0], f"{EXAMPLES[1]}（追问 follow-up）", *EXAMPLES[2:]]
CHAT_CONCURRENCY = 8
DOCUMENT_HEADERS = ["文档 source", "文章 articles", "片段 chunks", "状态 status"]
Messages = list[dict[str, str]]
ChatUpdate = tuple[str, Messages, list[Answer], str]


def llm_configured(settings: Settings) -> bool:
    """An OpenAI-compatible server was set up (as the default backend, or by giving its URL)."""
    return settings.answer_backend == "openai" or "openai_base_url" in settings.model_fields_set


def history_of(answers: list[Answer]) -> list[dict[str, str]]:
    """The chat so far, as the plain user/assistant turns the chain condenses follow-ups with."""
    turns = []
    for answer in answers:
        turns += [{"role": "user", "content": answer.question}, {"role": "assistant", "content": answer.answer}]
    return turns


def _date(value: str | None) -> str:
    return str(value or "").strip()[:10]


def chat_turn(
    assistant: Assistant,
    question: str,
    messages: Messages,
    answers: list[Answer],
    backend: str,
    k: float,
    date_from: str | None,
    date_to: str | None,
    sources: list[str] | None,
    details: bool,
) -> Iterator[ChatUpdate]:
    """Stream one answer into the chat, then show it with verified citations and its sources."""
    question = (question or "").strip()
    if not question:
        return
    turn = len(answers) + 1
    user = {"role": "user", "content": question_html(question)}
    reply = {"role": "assistant", "content": streaming_html("")}
    messages = [*messages, user, reply]
    panel = sources_html(answers[-1], len(answers), details) if answers else SOURCES_PLACEHOLDER
    yield "", messages, answers, panel
    pieces: list[str] = []
    try:
        names = tuple(assistant.index.resolve_source(name) for name in sources or ())
        filters = Filters(_date(date_from), _date(date_to), names)
        for event in assistant.stream(question, history_of(answers), k=int(k), filters=filters, backend=backend):
            if event["type"] == "token":
                pieces.append(event["text"])
                reply["content"] = streaming_html("".join(pieces))
            elif event["type"] == "reset":
                pieces.clear()
                reply["content"] = streaming_html("")
            else:
                answer: Answer = event["answer"]
                if answers and answer.standalone_question != question:
                    user["content"] = question_html(question, answer.standalone_question)
                reply["content"] = answer_html(answer, turn)
                answers = [*answers, answer]
                panel = sources_html(answer, turn, details, page_images(assistant, answer))
            yield "", messages, answers, panel
    except NewsqaError as error:
        reply["content"] = status_html(str(error), ok=False)
        yield "", messages, answers, panel


def page_images(assistant: Assistant, answer: Answer) -> dict[int, str]:
    """The page image of each cited source from a PDF, its first quote highlighted, as a data URI."""
    images: dict[int, str] = {}
    for source in answer.sources:
        quote = next(((c.quote_start, c.quote_end) for c in answer.citations if c.n == source.n), None)
        if quote is None or not source.region.page:
            continue
        image = cited_page_image(assistant.index.catalog, assistant.settings.data_dir, source, quote)
        if image is not None:
            images[source.n] = "data:image/png;base64," + base64.b64encode(image.read_bytes()).decode("ascii")
    return images


def documents_table(assistant: Assistant) -> list[list[str | int]]:
    return [[d.name, d.articles, d.chunks, d.status] for d in assistant.index.documents()]


def index_summary(assistant: Assistant) -> str:
    counts = assistant.index.catalog.counts()
    return (
        f"已收录 {counts['documents']} 个文档 · {counts['articles']} 篇文章 · {counts['chunks']} 个片段 "
        f"({counts['documents']} documents, {counts['articles']} articles, {counts['chunks']} chunks)"
    )


def document_views(assistant: Assistant) -> tuple[list[list[str | int]], gr.Dropdown, gr.Dropdown, str]:
    """The documents table, the source choices of the filter and of the remove box, and the summary."""
    index = assistant.index
    choices = [(d.name, index.public_name(d.source)) for d in index.documents()]
    return (
        documents_table(assistant),
        gr.Dropdown(choices=choices),
        gr.Dropdown(choices=choices, value=None),
        index_summary(assistant),
    )


@dataclass
class Upload:
    """A browser upload as `ingest.uploads` takes it (Starlette's `UploadFile` shape)."""

    filename: str
    file: BinaryIO


def ingest_uploads(
    assistant: Assistant,
    files: list[str] | None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 (gradio's way)
) -> str:
    """Ingest uploads one file at a time by the API's rules and code (`ingest.uploads`): a bad file
    is reported, the rest ingest."""
    files = files or []
    results: list[UploadedFile] = []

    def batch_done(name: str, done: int, total: int) -> None:
        progress((done, total), desc=f"正在导入 {name} (ingesting)", unit="chunks")

    for done, file in enumerate(files):
        name = Path(file).name
        progress((done, len(files)), desc=f"正在导入 {name} (ingesting)", unit="files")
        try:
            with open(file, "rb") as stream:
                results += save_and_ingest(assistant.index, [Upload(name, stream)], batch_done)[0]
        except NewsqaError as error:
            results.append(UploadedFile(name=name, status="skipped", reasons=[str(error)]))
    return upload_report_html(results)


def remove_choice(assistant: Assistant, source: str | None) -> str:
    if not source:
        return status_html("请先选择要删除的文档 (choose a document first)", ok=False)
    try:
        name, removed = remove_document(assistant.index, source)
    except NewsqaError as error:
        return status_html(str(error), ok=False)
    return status_html(f"已删除 {Path(name).name}（{removed} 个片段）(removed {removed} chunks)", ok=True)


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The chat and documents tabs over `assistant`; mount it on FastAPI or `.launch()` it."""
    settings = assistant.settings
    backends = [("抽取式 (extractive, offline)", "extractive")]
    if llm_configured(settings):
        backends.append((f"大模型 (LLM: {settings.openai_model})", "openai"))
    supported = " ".join(sorted(SUPPORTED_SUFFIXES))

    with gr.Blocks(title="newsqa 新闻问答", analytics_enabled=False) as demo:
        gr.HTML(
            '<div class="nq-header"><h1>新闻问答 newsqa</h1>'
            "<p>问报纸资料，每句回答都附可核验的出处 (every sentence of an answer cites its article)</p></div>",
            head=HEAD,
        )
        summary = gr.Markdown(index_summary(assistant), elem_id="nq-summary")
        answers = gr.State([])
        with gr.Tab("问答 Chat"), gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="对话 (conversation)",
                    height=560,
                    elem_id="nq-chat",
                    buttons=[],
                    feedback_options=None,
                    latex_delimiters=[],
                    render_markdown=False,
                    placeholder="请输入问题，或点击下方示例 (type a question or pick an example below)",
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="例如：刘越高拜访了哪些省直部门？",
                        show_label=False,
                        scale=1,
                        elem_id="nq-question",
                        max_lines=4,
                    )
                    send = gr.Button(
                        "提问 Ask", variant="primary", size="md", scale=0, min_width=100, elem_id="nq-send"
                    )
                    clear = gr.Button("新对话 (new conversation)", size="md", scale=0, min_width=230, elem_id="nq-new")
                gr.Examples(EXAMPLES, inputs=question, label="示例问题 (examples)", example_labels=EXAMPLE_LABELS)
                with gr.Accordion("检索与回答设置 (settings)", open=False):
                    with gr.Row():
                        backend = gr.Radio(
                            backends,
                            value=settings.answer_backend,
                            label="回答方式 (answer backend)",
                        )
                        k = gr.Slider(1, 12, value=settings.k, step=1, label="来源数 k (number of sources)")
                    with gr.Row():
                        date_from = gr.DateTime(include_time=False, type="string", label="起始日期 (from)")
                        date_to = gr.DateTime(include_time=False, type="string", label="截止日期 (to)")
                    source_filter = gr.Dropdown(multiselect=True, label="只查这些文档 (only these documents)")
                    details = gr.Checkbox(label="显示检索细节：检索方式、得分、各阶段耗时 (retrieval details)")
            with gr.Column(scale=2):
                panel = gr.HTML(
                    SOURCES_PLACEHOLDER, elem_id="nq-sources", max_height=720, padding=True, js_on_load=None
                )
        with gr.Tab("文档 Documents"):
            uploads = gr.File(
                label=f"上传文档 (upload): {supported}", file_count="multiple", type="filepath", elem_id="nq-upload"
            )
            report = gr.HTML(elem_id="nq-report")
            table = gr.Dataframe(headers=DOCUMENT_HEADERS, interactive=False, elem_id="nq-documents", wrap=True)
            with gr.Row():
                doomed = gr.Dropdown(label="选择文档 (document)", scale=3, elem_id="nq-remove-choice")
                remove = gr.Button("删除 (remove)", variant="stop", scale=1, elem_id="nq-remove")

        document_outputs = [table, source_filter, doomed, summary]
        inputs = [question, chatbot, answers, backend, k, date_from, date_to, source_filter, details]
        gr.on(
            [question.submit, send.click],
            partial(chat_turn, assistant),
            inputs,
            [question, chatbot, answers, panel],
            concurrency_limit=CHAT_CONCURRENCY,  # questions go on while an upload ingests
        )
        gr.on(
            [clear.click, chatbot.clear],
            lambda: ([], [], SOURCES_PLACEHOLDER, ""),
            None,
            [chatbot, answers, panel, question],
        )
        details.change(
            lambda found, on: (
                sources_html(found[-1], len(found), on, page_images(assistant, found[-1]))
                if found
                else SOURCES_PLACEHOLDER
            ),
            [answers, details],
            panel,
        )

        uploads.upload(partial(ingest_uploads, assistant), uploads, report, concurrency_id="writes").then(
            lambda: (None, *document_views(assistant)), None, [uploads, *document_outputs]
        )

        def pick(event: gr.SelectData) -> str:
            return assistant.index.public_name(assistant.index.documents()[event.index[0]].source)

        table.select(pick, None, doomed)
        remove.click(partial(remove_choice, assistant), doomed, report, concurrency_id="writes").then(
            lambda: document_views(assistant), None, document_outputs
        )
        demo.load(lambda: document_views(assistant), None, document_outputs)
    return demo

"""The `newsqa` command line: ingest, search, ask, chat, stats, documents, remove, serve, ui, demo, eval."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eval.command import evaluate
from rag.cite import with_markers
from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.lexical import Filters
from rag.question_file import read_questions
from rag.retrieve import HybridRetriever, Mode, hit_document
from rag.settings import Settings
from rag.types import Answer, Hit
from ui.api.exposure import check_exposure

app = typer.Typer(
    help="newsqa — 新闻问答：带核验引用的中文报纸问答助手 (cited QA over Chinese newspapers).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Index folder (default: $NEWSQA_DATA_DIR or ./newsqa-data).")
]
ChromaUrl = Annotated[str | None, typer.Option("--chroma-url", help="Use a Chroma server, e.g. http://127.0.0.1:8001.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def hit_json(rank: int, hit: Hit) -> dict:
    """A hit as JSON: its rank, the chunk's text and the metadata every LangChain document of it carries."""
    document = hit_document(hit)
    return {"rank": rank, "text": document.page_content, **document.metadata}


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (see README: formats).")],
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
    as_json: AsJson = False,
) -> None:
    """导入文档 Ingest files and folders into the index (idempotent, resumable)."""
    from ingest.pipeline import ingest_paths

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise NewsqaError(f"找不到 {', '.join(missing)}", f"no such file or folder: {', '.join(missing)}")
    index = NewsIndex(Settings.with_options(data_dir=data_dir, chroma_url=chroma_url))
    report = ingest_paths(
        index,
        paths,
        show_progress=not as_json and sys.stderr.isatty(),
        on_skip=None if as_json else lambda path, reason: err.print(f"[yellow]skipped[/] {path}: {reason}"),
    )
    if as_json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        out.print(report.summary())


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="问题 The question.")] = None,
    k: Annotated[int, typer.Option("-k", min=1, help="Number of hits.")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25.")] = "hybrid",
    date_from: Annotated[str, typer.Option(help="Only articles on or after YYYY-MM-DD.")] = "",
    date_to: Annotated[str, typer.Option(help="Only articles on or before YYYY-MM-DD.")] = "",
    source: Annotated[list[str] | None, typer.Option(help="Only these documents (path or file name).")] = None,
    batch: Annotated[Path | None, typer.Option(help="Questions file: one a line, or JSONL with `question`.")] = None,
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
    as_json: AsJson = False,
) -> None:
    """检索 Search the index (hybrid: dense + BM25, fused by score)."""
    if mode not in ("hybrid", "dense", "bm25"):
        raise NewsqaError(f"未知检索模式 {mode}", f"unknown mode {mode}: use hybrid, dense or bm25")
    if (query is None) == (batch is None):
        raise NewsqaError("请给出一个问题或 --batch 文件", "give either a question or --batch FILE")
    index = NewsIndex(Settings.with_options(data_dir=data_dir, chroma_url=chroma_url))
    index.require_content()
    sources = tuple(index.resolve_source(s) for s in source or [])
    retriever = HybridRetriever(index=index, k=k, mode=_mode(mode), filters=Filters(date_from, date_to, sources))
    if batch is not None:
        for item in read_questions(batch):
            hits = retriever.search(str(item["question"]))
            print(
                json.dumps(
                    {"question": item["question"], "hits": [hit_json(i, h) for i, h in enumerate(hits, 1)]},
                    ensure_ascii=False,
                ),
                flush=True,
            )
        return
    hits = retriever.search(query or "")
    if as_json:
        print(json.dumps([hit_json(i, h) for i, h in enumerate(hits, 1)], ensure_ascii=False, indent=2))
        return
    for rank, hit in enumerate(hits, 1):
        c = hit.chunk
        how = "neighbour of a hit" if hit.neighbour_of else "+".join(hit.found_by)
        out.print(f"[bold]{rank}.[/] {c.title}  [dim]{c.date} {c.paper} · {how} · {hit.score:.4f}[/]")
        out.print(f"   {c.text}", highlight=False)


def _mode(mode: str) -> Mode:
    return "dense" if mode == "dense" else "bm25" if mode == "bm25" else "hybrid"


def print_answer(answer: Answer) -> None:
    """The answer (unsupported sentences marked), notices, then the numbered sources with the quoted passage."""
    for notice in answer.notices:
        err.print(f"[yellow]{notice}[/]")
    if answer.standalone_question != answer.question:
        out.print(f"[dim]（理解为 understood as：{answer.standalone_question}）[/]")
    for sentence in answer.sentences:
        style = "" if sentence.supported else "[red]⚠ "
        markers = "".join(f"[{n}]" for n in sentence.cites)
        out.print(f"{style}{with_markers(sentence.text, markers)}", highlight=False)
        for flag in sentence.flags:
            out.print(f"   [red]{flag}[/]")
    quotes = {c.n: c.quote for c in answer.citations}
    out.print("\n[bold]来源 Sources[/]" if not answer.refused else "\n[bold]最接近的资料 Closest sources[/]")
    for source in answer.sources:
        if source.n in quotes or answer.refused:
            passage = quotes.get(source.n, source.text[:80] + "…")
            out.print(
                f"[{source.n}] {source.title}  [dim]{source.date} {source.paper}[/]\n    {passage}", highlight=False
            )


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="问题 The question.")] = None,
    k: Annotated[int | None, typer.Option("-k", min=1, help="Number of sources.")] = None,
    backend: Annotated[str | None, typer.Option(help="extractive (offline) or openai.")] = None,
    batch: Annotated[Path | None, typer.Option(help="Questions: one a line, or JSONL with question/history.")] = None,
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
    as_json: AsJson = False,
) -> None:
    """问答 Answer a question with verified citations."""
    from rag.chain import Assistant

    if (question is None) == (batch is None):
        raise NewsqaError("请给出一个问题或 --batch 文件", "give either a question or --batch FILE")
    assistant = Assistant(Settings.with_options(data_dir=data_dir, chroma_url=chroma_url))
    if batch is not None:
        for item in read_questions(batch):
            answer = assistant.ask(str(item["question"]), item.get("history") or [], k=k, backend=backend)
            print(answer.model_dump_json(), flush=True)
        return
    answer = assistant.ask(question or "", k=k, backend=backend)
    if as_json:
        print(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


@app.command()
def chat(
    backend: Annotated[str | None, typer.Option(help="extractive (offline) or openai.")] = None,
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """对话 An interactive multi-turn session (empty line or Ctrl-D to quit, /new for a new conversation)."""
    from rag.chain import Assistant

    assistant = Assistant(Settings.with_options(data_dir=data_dir, chroma_url=chroma_url))
    history: list[dict] = []
    while True:
        try:
            question = input("\n问 > ").strip()
        except EOFError:
            break
        if not question:
            break
        if question == "/new":
            history = []
            continue
        try:
            answer = assistant.ask(question, history, backend=backend)
        except NewsqaError as error:
            err.print(f"[red]{error}[/]")
            continue
        print_answer(answer)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]


@app.command()
def stats(data_dir: DataDir = None, chroma_url: ChromaUrl = None, as_json: AsJson = False) -> None:
    """统计 Documents, articles and chunks in Chroma and in the lexical index (they must agree)."""
    numbers = NewsIndex(Settings.with_options(data_dir=data_dir, chroma_url=chroma_url)).stats()
    if as_json:
        print(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    table = Table(show_header=False)
    for key, value in numbers.items():
        table.add_row(key, str(value))
    out.print(table)


@app.command()
def documents(data_dir: DataDir = None, chroma_url: ChromaUrl = None, as_json: AsJson = False) -> None:
    """文档列表 List ingested documents."""
    docs = NewsIndex(Settings.with_options(data_dir=data_dir, chroma_url=chroma_url)).documents()
    if as_json:
        print(json.dumps([d.model_dump() for d in docs], ensure_ascii=False, indent=2))
        return
    table = Table("status", "articles", "chunks", "skipped", "path")
    for d in docs:
        table.add_row(d.status, str(d.articles), str(d.chunks), str(d.skipped), d.source)
    table.columns[-1].overflow = "fold"  # a long path wraps whole, never cut with an ellipsis
    out.print(table)


@app.command()
def remove(
    source: Annotated[str, typer.Argument(help="Document path (or its unique file name).")],
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """删除文档 Remove a document from Chroma and the lexical index."""
    from ingest.uploads import remove_document

    name, removed = remove_document(NewsIndex(Settings.with_options(data_dir=data_dir, chroma_url=chroma_url)), source)
    out.print(f"removed {name} ({removed} chunks)")


Host = Annotated[str, typer.Option("--host", help="Address to listen on (not loopback: needs NEWSQA_API_KEY).")]
Insecure = Annotated[
    bool, typer.Option("--insecure", help="Allow a non-loopback host without NEWSQA_API_KEY (anyone can use it).")
]


def bundled_corpus() -> Path:
    """The bundled 衡阳日报 page: in a checkout (corpus/), or where an installed wheel put it."""
    for folder in (Path(__file__).resolve().parent.parent / "corpus", Path(sys.prefix) / "share" / "newsqa" / "corpus"):
        if folder.is_dir() and any(folder.glob("*.txt")):
            return folder
    raise NewsqaError("找不到随附的示例报纸", "the bundled demo page is not installed")


def run_server(settings: Settings, host: str, port: int, insecure: bool, demo: bool, with_api: bool) -> None:
    """Serve the app; with `demo`, first ingest the bundled page into an empty index."""
    check_exposure(host, settings.api_key, insecure)  # before anything heavy is loaded
    from ingest.pipeline import ingest_paths
    from ui.api.app import serve as serve_app

    index = NewsIndex(settings)
    if demo and index.catalog.counts()["chunks"] == 0:
        corpus = bundled_corpus()
        out.print(f"ingesting the bundled page from {corpus} …")
        out.print(ingest_paths(index, [corpus], show_progress=sys.stderr.isatty()).summary())
    out.print(f"open http://{host}:{port}/" + (f" (UI), http://{host}:{port}/docs (API)" if with_api else ""))
    serve_app(settings, host, port, insecure, index=index, with_api=with_api)


SERVERS = (  # name, help, default port, ingest the bundled page first, with the /api and /v1 routes
    ("serve", "服务 Serve the HTTP API (/api, OpenAI-compatible /v1) and the web UI at /.", 8000, False, True),
    ("demo", "演示 Ingest the bundled 衡阳日报 page (into an empty index), then serve like `serve`.", 8000, True, True),
    ("ui", "网页聊天 The browser chat alone (no /api routes), by the same rules as `serve`.", 7860, False, False),
)


def add_server_command(name: str, doc: str, default_port: int, demo: bool, with_api: bool) -> None:
    def command(
        host: Host = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = default_port,
        insecure: Insecure = False,
        data_dir: DataDir = None,
        chroma_url: ChromaUrl = None,
    ) -> None:
        settings = Settings.with_options(data_dir=data_dir, chroma_url=chroma_url)
        run_server(settings, host, port, insecure, demo, with_api)

    command.__doc__ = doc
    app.command(name)(command)


for server in SERVERS:
    add_server_command(*server)


app.command("eval")(evaluate)


def main() -> None:
    """Entry point: user errors print one clear line and exit 2, never a traceback."""
    try:
        app()
    except NewsqaError as error:
        err.print(f"[red]错误 error:[/] {error}")
        sys.exit(2)


if __name__ == "__main__":
    main()

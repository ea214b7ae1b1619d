"""The `newsqa` command line: ingest, search, stats and remove (every command takes --data-dir)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.lexical import Filters
from rag.retrieve import HybridRetriever, Mode
from rag.settings import Settings
from rag.types import Hit

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
ChromaUrl = Annotated[str | None, typer.Option("--chroma-url", help="Use a Chroma server, e.g. http://127.0.0.1:8000.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def make_settings(data_dir: Path | None = None, chroma_url: str | None = None, **extra: object) -> Settings:
    """Settings from env/toml, with the command-line options that were given on top."""
    overrides = {
        key: value
        for key, value in {"data_dir": data_dir, "chroma_url": chroma_url, **extra}.items()
        if value is not None
    }
    return Settings(**overrides)


def hit_json(rank: int, hit: Hit) -> dict:
    c = hit.chunk
    return {
        "rank": rank,
        "chunk_id": c.chunk_id,
        "article_id": c.article_id,
        "title": c.title,
        "date": c.date,
        "paper": c.paper,
        "source": c.source,
        "text": c.text,
        "start": c.start,
        "end": c.end,
        "score": round(hit.score, 6),
        "found_by": hit.found_by,
        "neighbour_of": hit.neighbour_of,
    }


def read_questions(path: Path) -> list[dict]:
    """One question a line: plain text, or JSONL with a `question` field (and optional `history`)."""
    items = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise NewsqaError(
                    f"{path} 第 {line_no} 行不是有效的 JSON", f"{path} line {line_no}: invalid JSON ({error.msg})"
                ) from error
            if not isinstance(record, dict) or not str(record.get("question", "")).strip():
                raise NewsqaError(f"{path} 第 {line_no} 行缺少 question", f'{path} line {line_no}: no "question" field')
            items.append(record)
        else:
            items.append({"question": line})
    return items


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt .md .html .jsonl).")],
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
    as_json: AsJson = False,
) -> None:
    """导入文档 Ingest files and folders into the index (idempotent, resumable)."""
    from ingest.pipeline import ingest_paths

    index = NewsIndex(make_settings(data_dir, chroma_url))
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
    k: Annotated[int, typer.Option("-k", help="Number of hits.")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25.")] = "hybrid",
    date_from: Annotated[str, typer.Option(help="Only articles on or after YYYY-MM-DD.")] = "",
    date_to: Annotated[str, typer.Option(help="Only articles on or before YYYY-MM-DD.")] = "",
    source: Annotated[list[str] | None, typer.Option(help="Only these documents (path or file name).")] = None,
    batch: Annotated[Path | None, typer.Option(help="Questions file: one a line, or JSONL with `question`.")] = None,
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
    as_json: AsJson = False,
) -> None:
    """检索 Search the index (hybrid: dense + BM25, fused by RRF)."""
    if mode not in ("hybrid", "dense", "bm25"):
        raise NewsqaError(f"未知检索模式 {mode}", f"unknown mode {mode}: use hybrid, dense or bm25")
    if (query is None) == (batch is None):
        raise NewsqaError("请给出一个问题或 --batch 文件", "give either a question or --batch FILE")
    index = NewsIndex(make_settings(data_dir, chroma_url))
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


@app.command()
def stats(data_dir: DataDir = None, chroma_url: ChromaUrl = None, as_json: AsJson = False) -> None:
    """统计 Documents, articles and chunks in Chroma and in the lexical index (they must agree)."""
    numbers = NewsIndex(make_settings(data_dir, chroma_url)).stats()
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
    docs = NewsIndex(make_settings(data_dir, chroma_url)).documents()
    if as_json:
        print(json.dumps([d.__dict__ for d in docs], ensure_ascii=False, indent=2))
        return
    table = Table("source", "status", "articles", "chunks", "skipped records")
    for d in docs:
        table.add_row(d.source, d.status, str(d.articles), str(d.chunks), str(d.skipped))
    out.print(table)


@app.command()
def remove(
    source: Annotated[str, typer.Argument(help="Document path (or its unique file name).")],
    data_dir: DataDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """删除文档 Remove a document from Chroma and the lexical index."""
    index = NewsIndex(make_settings(data_dir, chroma_url))
    resolved = index.resolve_source(source)
    removed = index.remove(resolved)
    index.lexical.refresh()
    out.print(f"removed {resolved} ({removed} chunks)")


BUNDLED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
DEMO_QUESTIONS = (
    "刘越高拜访了哪些省直部门？",
    "866个民生实事项目是怎么产生的？",
    "十三届市政协第十二次主席会议由谁主持？",
)


@app.command()
def demo(data_dir: DataDir = None, chroma_url: ChromaUrl = None) -> None:
    """演示 Ingest the bundled 衡阳日报 page (if the index is empty) and search it."""
    from ingest.pipeline import ingest_paths

    index = NewsIndex(make_settings(data_dir, chroma_url))
    if index.catalog.counts()["chunks"] == 0:
        out.print(f"ingesting the bundled page from {BUNDLED_CORPUS} …")
        out.print(ingest_paths(index, [BUNDLED_CORPUS], show_progress=sys.stderr.isatty()).summary())
    retriever = HybridRetriever(index=index, k=2, neighbours=False)
    for question in DEMO_QUESTIONS:
        out.print(f"\n[bold]? {question}[/]")
        for rank, hit in enumerate(retriever.search(question), 1):
            out.print(
                f"  {rank}. {hit.chunk.title} [dim]({'+'.join(hit.found_by)})[/]\n     {hit.chunk.text[:120]}…",
                highlight=False,
            )


def main() -> None:
    """Entry point: user errors print one clear line and exit 2, never a traceback."""
    try:
        app()
    except NewsqaError as error:
        err.print(f"[red]错误 error:[/] {error}")
        sys.exit(2)


if __name__ == "__main__":
    main()

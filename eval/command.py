"""The evaluation's command line: `newsqa eval …` and `python -m eval …` run this one command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from rag.errors import NewsqaError
from rag.settings import Settings


def evaluate(
    qa: Annotated[Path, typer.Option("--qa", help="Gold QA JSONL: {id, question, answer_groups?, ...}.")],
    corpus: Annotated[list[Path] | None, typer.Option("--corpus", help="Ingest first (repeatable).")] = None,
    backend: Annotated[str | None, typer.Option(help="extractive or openai.")] = None,
    k: Annotated[int | None, typer.Option("--k", help="Sources per answer.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Report folder (default eval/out/<qa name>).")] = None,
    compare: Annotated[bool, typer.Option("--compare", help="Also BM25-only, dense-only, LangChain RAG.")] = False,
    baseline: Annotated[
        list[str] | None, typer.Option("--baseline", help="Only these baselines (repeatable): bm25, dense, langchain.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N questions.")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Index folder.")] = None,
    chroma_url: Annotated[str | None, typer.Option("--chroma-url", help="Use a Chroma server.")] = None,
) -> None:
    """评测 Evaluate retrieval, answers and citations on a gold QA set; writes report.md and results.jsonl."""
    from eval.run import BASELINES, run_eval  # heavy (plots, baselines): only when evaluating

    run_eval(
        qa,
        Settings.with_options(data_dir=data_dir, chroma_url=chroma_url),
        out_dir or Path("eval/out") / qa.stem,
        corpus or [],
        backend,
        k,
        BASELINES if compare else tuple(baseline or ()),
        limit,
    )


def main() -> None:
    """`python -m eval`: the evaluation alone; user errors print one line and exit 2."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(evaluate)
    try:
        app()
    except NewsqaError as error:
        print(f"错误 error: {error}", file=sys.stderr)
        sys.exit(2)

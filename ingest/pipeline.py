"""Ingest files into the index: read → clean/lay out → articles → chunks → embed → Chroma + BM25.

Text pages go through `ingest.clean`, PDFs through `ingest.pdf`, Word files through `ingest.docx`.
The new or changed PDFs of one run are laid out together, so that a story continued on another
page is joined (`ingest.continuations`) whether the pages are in one file or in several; the
joined story belongs to the file of its first part.

Idempotent and resumable: a file whose content hash is already indexed is skipped; a changed
file replaces its old chunks; a file whose ingest was interrupted resumes after its last
committed batch of articles (vectors are upserted by id, so a repeated batch adds nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ingest.articles import date_from_name, split_articles
from ingest.chunk import chunk_article
from ingest.continuations import join_continuations
from ingest.docx import docx_articles
from ingest.jsonl import count_lines, iter_jsonl_articles
from ingest.pdf import NO_TEXT_LAYER, pdf_articles
from ingest.read import RawDocument, Skipped, iter_files, read_file
from rag.index import NewsIndex
from rag.settings import Settings
from rag.types import Article, Chunk

ProgressHook = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What one ingest run did, for the summary line and the faces."""

    read: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0
    chunks: int = 0
    replaced: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"read {len(self.read)} file(s), unchanged {len(self.unchanged)}, skipped {len(self.skipped)}; "
            f"added {self.articles} article(s), {self.chunks} chunk(s)"
        )

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "articles": self.articles,
            "chunks": self.chunks,
        }


Laid = dict[str, tuple[list[Article], list[int]]]  # source -> (articles, pages without text) of the PDFs of a run


def _lay_out_pdfs(index: NewsIndex, docs: list[RawDocument]) -> Laid:
    """Articles of the run's new or changed PDFs, a story continued from one file into another joined."""
    fresh = []
    for doc in docs:
        record = index.catalog.document(str(doc.path))
        if doc.kind == "pdf" and not (record and record.sha256 == doc.sha256 and record.status == "done"):
            fresh.append(doc)
    laid = {str(d.path): pdf_articles(d.path, str(d.path), d.path.name, date_from_name(d.path)) for d in fresh}
    joined = join_continuations([article for articles, _ in laid.values() for article in articles])
    return {source: ([a for a in joined if a.source == source], blank) for source, (_, blank) in laid.items()}


def _articles_of(doc: RawDocument, done: set[str], laid: Laid) -> Iterator[Article | Skipped]:
    if doc.kind == "jsonl":
        yield from iter_jsonl_articles(doc.path, skip_ids=done)
        return
    source, name, date = str(doc.path), doc.path.name, date_from_name(doc.path)
    if doc.kind == "pdf":
        articles, blank = laid[source]
        for page in blank:
            yield Skipped(doc.path, f"page {page}: {NO_TEXT_LAYER}")
    elif doc.kind == "docx":
        articles = docx_articles(doc.path, source, name, date)
    else:
        articles = split_articles(doc.text, source, name, date)
    for article in articles:
        if article.article_id not in done:
            yield article


class _Progress:
    """Progress of one document: articles of a JSONL archive (its lines are counted first), chunks of
    a page (it is split first); shown as a bar and told to `hook` as (file name, done, total)."""

    def __init__(self, doc: RawDocument, show: bool, hook: ProgressHook | None) -> None:
        self.name, self.hook, self.done = doc.path.name, hook, 0
        self.total = count_lines(doc.path) if doc.kind == "jsonl" else 0
        unit = "article" if doc.kind == "jsonl" else "chunk"
        self.bar = tqdm(total=self.total or None, desc=self.name, unit=unit, disable=not show, leave=False)

    def set_total(self, total: int) -> None:
        self.total = self.bar.total = total

    def advance(self, units: int, chunks: int) -> None:
        self.done += units
        self.bar.update(units)
        self.bar.set_postfix(chunks=chunks, refresh=False)
        if self.hook:
            self.hook(self.name, self.done, self.total or self.done)


def _chunking(settings: Settings) -> tuple[int, int, int]:
    return settings.chunk_size, settings.chunk_max, settings.chunk_overlap


def ingest_document(
    index: NewsIndex,
    doc: RawDocument,
    report: IngestReport,
    show_progress: bool,
    on_progress: ProgressHook | None,
    laid: Laid | None = None,
) -> None:
    """Ingest one readable document (skipping, replacing or resuming as its hash says); `laid` holds
    the run's PDFs already laid out (with continuations across files joined).

    Chunks are embedded and committed in batches of `ingest_batch_chunks`, an article of any length
    included; an article's row is committed with its last chunk, so a crash never leaves a half
    article that looks whole, and a resumed ingest skips the chunks already stored.
    """
    source, settings = str(doc.path), index.settings
    record = index.catalog.document(source)
    if record and record.sha256 == doc.sha256 and record.status == "done":
        report.unchanged.append(source)
        return
    resuming = bool(record and record.sha256 == doc.sha256 and record.status == "ingesting")
    if record and (record.sha256 != doc.sha256 or record.status == "removing"):
        index.remove(source)
        if record.sha256 != doc.sha256:
            report.replaced.append(source)
    twin = index.catalog.same_content(doc.sha256, source)
    if twin:  # the same file under another name: its passages would answer twice
        report.skipped.append((source, f"same content as {twin.name}, already indexed"))
        return
    if doc.kind == "pdf" and (laid is None or source not in laid):
        laid = _lay_out_pdfs(index, [doc])
    index.catalog.begin_document(source, doc.path.name, doc.sha256, doc.kind)
    done = index.catalog.done_article_ids(source)
    progress = _Progress(doc, show_progress, on_progress)
    items: Iterable[Article | Skipped | tuple[Article, list[Chunk]]] = _articles_of(doc, done, laid or {})
    if doc.kind != "jsonl":  # a page's articles are few: chunk them first, to count the chunks to embed
        items = [
            item if isinstance(item, Skipped) else (item, chunk_article(item, *_chunking(settings))) for item in items
        ]
        progress.set_total(sum(len(item[1]) for item in items if isinstance(item, tuple)))
    else:
        progress.advance(len(done), 0)
    pending_articles: list[Article] = []
    pending_chunks: list[Chunk] = []
    skipped_records = 0

    def flush() -> None:
        index.add(pending_articles, pending_chunks)
        report.articles += len(pending_articles)
        report.chunks += len(pending_chunks)
        progress.advance(len(pending_articles) if doc.kind == "jsonl" else len(pending_chunks), report.chunks)
        pending_articles.clear()
        pending_chunks.clear()

    for item in items:
        if isinstance(item, Skipped):
            report.skipped.append((str(item.path), item.reason))
            skipped_records += 1
            progress.advance(1 if doc.kind == "jsonl" else 0, report.chunks)
            continue
        article, chunks = item if isinstance(item, tuple) else (item, None)
        if chunks is None:
            chunks = chunk_article(article, *_chunking(settings))
        stored = index.catalog.stored_chunk_ids([c.chunk_id for c in chunks]) if resuming else set()
        for chunk in chunks:
            if chunk.chunk_id not in stored:
                pending_chunks.append(chunk)
            if len(pending_chunks) >= settings.ingest_batch_chunks:
                flush()
        pending_articles.append(article)
        if len(pending_chunks) >= settings.ingest_batch_chunks:
            flush()
    flush()
    progress.bar.close()
    index.catalog.finish_document(source, skipped_records)
    report.read.append(source)


def ingest_paths(
    index: NewsIndex,
    paths: Iterable[Path],
    show_progress: bool = True,
    on_progress: ProgressHook | None = None,
    on_skip: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Ingest files and folders; bad files are skipped with a reason while the rest ingest."""
    report = IngestReport()
    docs: list[RawDocument] = []
    for entry in iter_files(paths):
        doc = read_file(entry) if isinstance(entry, Path) else entry
        if isinstance(doc, Skipped):
            report.skipped.append((str(doc.path), doc.reason))
            if on_skip:
                on_skip(str(doc.path), doc.reason)
        else:
            docs.append(doc)
    laid = _lay_out_pdfs(index, docs)
    for doc in docs:
        skipped_before = len(report.skipped)
        ingest_document(index, doc, report, show_progress, on_progress, laid)
        if on_skip:
            for path, reason in report.skipped[skipped_before:]:
                on_skip(path, reason)
    index.lexical.refresh()
    return report

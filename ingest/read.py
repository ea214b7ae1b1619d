"""Read files and folders into raw documents: detect encodings, extract HTML text, skip bad files.

PDF and Word files are only checked and hashed here (a PDF needs a text layer); `ingest.pdf` and
`ingest.docx` lay them out into articles.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

import pypdfium2 as pdfium

from ingest.pdf import NO_TEXT_LAYER, has_text_layer

SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".jsonl", ".pdf", ".docx"}
LAID_OUT = {".pdf": "pdf", ".docx": "docx"}  # suffix -> RawDocument.kind
GZIP_ERRORS = (gzip.BadGzipFile, EOFError)  # not gzip at all / cut off part-way


def is_jsonl(path: Path) -> bool:
    """A JSONL file, plain or gzip-compressed (`.jsonl.gz`, as archives are often kept)."""
    return path.name.lower().endswith((".jsonl", ".jsonl.gz"))


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES or is_jsonl(path)


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, decompressed on the fly when it is gzip."""
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")


@dataclass(frozen=True)
class RawDocument:
    """A readable file: its resolved path, decoded text (empty for JSONL), content hash and kind."""

    path: Path
    text: str
    sha256: str
    kind: str  # "page" (txt/md/html), "jsonl", "pdf" or "docx"


@dataclass(frozen=True)
class Skipped:
    """A file (or a record in one) that was not ingested, and why."""

    path: Path
    reason: str


def iter_files(paths: Iterable[Path]) -> Iterator[Path | Skipped]:
    """Expand folders (recursively, sorted) into supported files; report unsupported ones."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith("."):
                    continue
                if is_supported(child):
                    yield child
                else:
                    yield Skipped(child, f"unsupported file type {child.suffix or '(none)'}")
        elif path.is_file():
            if is_supported(path):
                yield path
            else:
                yield Skipped(path, f"unsupported file type {path.suffix or '(none)'}")
        else:
            yield Skipped(path, "no such file or folder")


def decode_bytes(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or GB18030/GBK; raise ValueError when neither fits."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as err:
        raise ValueError("not UTF-8 or GB18030/GBK text") from err


def looks_binary(data: bytes) -> bool:
    """True when the first 8 KiB hold NUL bytes or mostly control bytes."""
    head = data[:8192]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and controls / len(head) > 0.1


class _HtmlText(HTMLParser):
    """Collect visible text; headings become `# ` lines, block elements end lines."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "section", "article", "header", "footer", "title"})
    HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
    HIDDEN = frozenset({"script", "style", "noscript", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.HEADINGS:
            self.parts.append("\n\n# ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.HEADINGS or tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data.replace("\n", " "))


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, paragraphs separated by blank lines."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _read_jsonl(path: Path) -> RawDocument | Skipped:
    """A JSONL file is only hashed (as a stream) here: `ingest.jsonl` decodes it line by line."""
    try:
        with path.open("rb") as handle:
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        with open_bytes(path) as handle:
            head = handle.read(8192)
    except GZIP_ERRORS as err:
        return Skipped(path, f"broken gzip file: {err}")
    except OSError as err:
        return Skipped(path, f"cannot read: {err.strerror or err}")
    if not head.strip():
        return Skipped(path, "empty file")
    if looks_binary(head):
        return Skipped(path, "binary file, not text")
    return RawDocument(path.resolve(), "", sha256, "jsonl")


def _read_laid_out(path: Path, data: bytes) -> RawDocument | Skipped:
    """A PDF (with a text layer) or a Word file, hashed; its pages are read when it is ingested."""
    kind = LAID_OUT[path.suffix.lower()]
    if kind == "pdf":
        if not data.startswith(b"%PDF"):
            return Skipped(path, "not a PDF file")
        try:
            if not has_text_layer(path):
                return Skipped(path, NO_TEXT_LAYER)
        except pdfium.PdfiumError as err:
            return Skipped(path, f"broken PDF: {err}")
    elif not zipfile.is_zipfile(path):
        return Skipped(path, "not a Word (.docx) file")
    return RawDocument(path.resolve(), "", hashlib.sha256(data).hexdigest(), kind)


def read_file(path: Path) -> RawDocument | Skipped:
    """Read one supported file, or say why it is skipped."""
    if is_jsonl(path):
        return _read_jsonl(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        return Skipped(path, f"cannot read: {err.strerror or err}")
    if not data.strip():
        return Skipped(path, "empty file")
    if path.suffix.lower() in LAID_OUT:
        return _read_laid_out(path, data)
    if looks_binary(data):
        return Skipped(path, "binary file, not text")
    try:
        text = decode_bytes(data)
    except ValueError as err:
        return Skipped(path, str(err))
    suffix = path.suffix.lower()
    if suffix in {".html", ".htm"}:
        text = html_to_text(text)
    if not text.strip():
        return Skipped(path, "no text content")
    return RawDocument(path.resolve(), text, hashlib.sha256(data).hexdigest(), "page")

"""The one upload path of every face: safe names in the upload folder, limits, ingesting, removing.

The API and the browser UI both call `save_and_ingest` and `remove_document`; the index's writer
lock makes uploads and removals take turns (a turn not had within `write_wait_seconds` is a 503),
while questions go on.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Literal, Protocol
from urllib.parse import unquote

from pydantic import BaseModel, Field

from ingest.pipeline import IngestReport, ProgressHook, ingest_paths
from ingest.read import SUPPORTED_SUFFIXES, Skipped, read_file
from rag.errors import NewsqaError
from rag.index import NewsIndex

COPY_BLOCK = 1 << 20
MAX_NAME_BYTES = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_PART_FILE = re.compile(r"^\.[0-9a-f]{32}(\.\w+)?$")


class UploadedFile(BaseModel):
    """What happened to one uploaded file; `reasons` say why it (or some of its records) was skipped."""

    name: str
    source: str = ""
    status: Literal["ingested", "replaced", "unchanged", "skipped"]
    reasons: list[str] = Field(default_factory=list)
    articles: int = 0
    chunks: int = 0


class FileLike(Protocol):
    """What an upload offers (Starlette's `UploadFile`): a name and a readable file."""

    filename: str | None
    file: BinaryIO


def safe_name(filename: str | None) -> str:
    """The base name of an uploaded file, NFKC-normalised without format characters (bidi overrides,
    zero-width marks); refuses '..', empty, hidden, control-character (also percent-encoded) and
    unsupported names."""
    raw = filename or ""
    normal = "".join(c for c in unicodedata.normalize("NFKC", raw) if unicodedata.category(c) != "Cf")
    parts = re.split(r"[\\/]", normal)
    name = parts[-1].strip()
    if ".." in parts or not name or name.startswith(".") or _CONTROL.search(raw + unquote(raw)):
        raise NewsqaError(
            f"不允许的文件名 {raw!r}：不能为空、隐藏或含有路径 ..",
            f"file name not allowed: {raw!r} (empty, hidden or '..' path names are refused)",
        )
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise NewsqaError(f"文件名过长 {name[:40]}…", f"file name too long ({name[:40]}…, > {MAX_NAME_BYTES} bytes)")
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        allowed = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise NewsqaError(
            f"不支持的文件类型 {suffix or '（无扩展名）'}：{name}，只接受 {allowed}",
            f"unsupported file type {suffix or '(none)'} of {name}: use {allowed}",
            status=415,
        )
    return name


def receive(files: Sequence[FileLike], folder: Path, max_files: int, max_bytes: int) -> list[tuple[str, Path]]:
    """Check names and count, then write each upload to a hidden part file in `folder`: (name, part) pairs.

    Nothing is kept when any file breaks a rule.
    """
    if not files:
        raise NewsqaError("没有上传文件", "no files uploaded")
    if len(files) > max_files:
        raise NewsqaError(
            f"一次最多上传 {max_files} 个文件（收到 {len(files)} 个）",
            f"too many files: {len(files)} > {max_files} per upload",
        )
    names = [safe_name(upload.filename) for upload in files]
    if len(set(names)) < len(names):
        raise NewsqaError("上传的文件名重复", "two uploaded files have the same name")
    folder.mkdir(parents=True, exist_ok=True)
    received: list[tuple[str, Path]] = []
    try:
        for name, upload in zip(names, files, strict=True):
            part = folder / f".{uuid.uuid4().hex}{Path(name).suffix.lower()}"
            received.append((name, part))
            _copy_limited(upload.file, part, max_bytes, name)
    except BaseException:
        for _, part in received:
            part.unlink(missing_ok=True)
        raise
    return received


def _copy_limited(source: BinaryIO, target: Path, max_bytes: int, name: str) -> None:
    size = 0
    with target.open("wb") as out:
        while block := source.read(COPY_BLOCK):
            size += len(block)
            if size > max_bytes:
                raise NewsqaError(
                    f"文件 {name} 过大（上限 {max_bytes} 字节）",
                    f"file {name} is too large (limit {max_bytes} bytes)",
                    status=413,
                )
            out.write(block)


def ingest_received(
    index: NewsIndex, received: Sequence[tuple[str, Path]], folder: Path, on_progress: ProgressHook | None = None
) -> tuple[list[UploadedFile], IngestReport]:
    """Move readable uploads into `folder` under their names and ingest them; unreadable ones are dropped.

    An unreadable upload (binary, empty, undecodable) never replaces a file of the same name.
    """
    results: dict[str, UploadedFile] = {}
    targets: list[Path] = []
    for name, part in received:
        doc = read_file(part)
        if isinstance(doc, Skipped):
            part.unlink(missing_ok=True)
            results[name] = UploadedFile(name=name, status="skipped", reasons=[doc.reason])
            continue
        target = folder / name
        if target.resolve().parent != folder.resolve():
            raise NewsqaError(f"不允许的文件名 {name!r}", f"file name not allowed: {name!r}")
        part.replace(target)
        targets.append(target)
    report = ingest_paths(index, targets, show_progress=False, on_progress=on_progress)
    for target in targets:
        source = str(target.resolve())
        record = index.catalog.document(source)
        status = "replaced" if source in report.replaced else "unchanged" if source in report.unchanged else "ingested"
        if record is None:  # skipped whole (the same content is indexed under another name): not kept
            status = "skipped"
            target.unlink(missing_ok=True)
        results[target.name] = UploadedFile(
            name=target.name,
            source=index.public_name(source),
            status=status,
            reasons=[reason for path, reason in report.skipped if path == source],
            articles=record.articles if record else 0,
            chunks=record.chunks if record else 0,
        )
    return [results[name] for name, _ in received], report


def save_and_ingest(
    index: NewsIndex, files: Sequence[FileLike], on_progress: ProgressHook | None = None
) -> tuple[list[UploadedFile], IngestReport]:
    """Receive uploads (by the settings' limits) into `<data_dir>/uploads/` and ingest them, when the
    writer lock is had within `write_wait_seconds`; part files never outlive the call. `on_progress`
    hears (file name, done, total) after each committed batch."""
    settings = index.settings
    folder = upload_folder(index)
    received = receive(files, folder, settings.max_upload_files, settings.max_upload_bytes)
    try:
        with index.writer.writing(settings.write_wait_seconds):
            return ingest_received(index, received, folder, on_progress)
    finally:
        for _, part in received:
            part.unlink(missing_ok=True)


def remove_document(index: NewsIndex, name: str) -> tuple[str, int]:
    """Remove a document (by any name `resolve_source` takes) from every store, and our copy of an
    upload; (its public name, chunks removed)."""
    with index.writer.writing(index.settings.write_wait_seconds):
        source = index.resolve_source(name)
        removed = index.remove(source)
        index.lexical.refresh()
        discard(upload_folder(index), source)
    return index.public_name(source), removed


def upload_folder(index: NewsIndex) -> Path:
    return index.settings.data_dir / "uploads"


def remove_stale_parts(folder: Path) -> int:
    """Delete the hidden part files that interrupted uploads left behind (at start-up); how many."""
    stale = [p for p in folder.glob(".*") if p.is_file() and _PART_FILE.match(p.name)] if folder.is_dir() else []
    for part in stale:
        part.unlink(missing_ok=True)
    return len(stale)


def discard(folder: Path, source: str) -> None:
    """Delete our copy of an uploaded document (documents ingested from elsewhere are left alone)."""
    path = Path(source)
    if path.parent == folder.resolve():
        path.unlink(missing_ok=True)

"""Uploaded files: safe names inside the upload folder, size and count limits, and ingesting them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from ingest.pipeline import IngestReport, ingest_paths
from ingest.read import SUPPORTED_SUFFIXES, Skipped, read_file
from rag.api_models import UploadedFile
from rag.errors import NewsqaError
from rag.index import NewsIndex

COPY_BLOCK = 1 << 20
MAX_NAME_BYTES = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FileLike(Protocol):
    """What an upload offers (Starlette's `UploadFile`): a name and a readable file."""

    filename: str | None
    file: BinaryIO


def safe_name(filename: str | None) -> str:
    """The base name of an uploaded file; refuses '..', empty, hidden, control-character and unsupported names."""
    raw = filename or ""
    parts = re.split(r"[\\/]", raw)
    name = parts[-1]
    if ".." in parts or not name.strip() or name.startswith(".") or _CONTROL.search(raw):
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
    index: NewsIndex, received: Sequence[tuple[str, Path]], folder: Path
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
    report = ingest_paths(index, targets, show_progress=False)
    for target in targets:
        source = str(target.resolve())
        record = index.catalog.document(source)
        status = "replaced" if source in report.replaced else "unchanged" if source in report.unchanged else "ingested"
        results[target.name] = UploadedFile(
            name=target.name,
            source=source,
            status=status,
            reasons=[reason for path, reason in report.skipped if path == source],
            articles=record.articles if record else 0,
            chunks=record.chunks if record else 0,
        )
    return [results[name] for name, _ in received], report


def discard(folder: Path, source: str) -> None:
    """Delete our copy of an uploaded document (documents ingested from elsewhere are left alone)."""
    path = Path(source)
    if path.parent == folder.resolve():
        path.unlink(missing_ok=True)

"""Question files for batch runs: one question a line, or JSONL with `question` (and `history`)."""

from __future__ import annotations

import json
from pathlib import Path

from rag.errors import NewsqaError


def read_questions(path: Path) -> list[dict]:
    """One question a line: plain text, or JSONL with a `question` field (and optional `history`)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
        raise NewsqaError(f"无法读取问题文件 {path}", f"cannot read the questions file {path}: {reason}") from error
    items = []
    for line_no, line in enumerate(text.splitlines(), start=1):
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

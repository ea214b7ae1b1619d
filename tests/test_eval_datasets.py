"""The dev-set builders: CMRC as a corpus and QA set, and the unanswerable variant of a CRUD subset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.cmrc import DEFAULT_DATA, convert
from eval.crud_unanswerable import build, holds_answer


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_unanswerable_variant_removes_every_article_holding_the_answer(tmp_path: Path):
    articles = [
        {"id": "e1", "text": "广州塔高600米，是广州的地标。"},
        {"id": "copy", "text": "据报道，广州塔 高600米。"},  # not evidence, but holds the answer
        {"id": "topic", "text": "广州塔每年接待大量游客。"},  # same topic, no answer: stays
        {"id": "e2", "text": "深圳湾大桥全长5.5公里。"},
    ]
    qa = [
        {"id": "q1", "question": "广州塔有多高？", "answer_groups": [["600米"]], "evidence_doc_ids": ["e1"]},
        {"id": "q2", "question": "深圳湾大桥多长？", "answer_groups": [["5.5公里"]], "evidence_doc_ids": ["e2"]},
    ]
    subset, questions = _write(tmp_path / "subset.jsonl", articles), _write(tmp_path / "qa.jsonl", qa)
    kept, unanswerable, answerable = build(subset, questions, tmp_path / "out", n=1, seed=0)
    written = [json.loads(line) for line in (tmp_path / "out" / "qa.jsonl").read_text("utf-8").splitlines()]
    corpus = [json.loads(line)["id"] for line in (tmp_path / "out" / "corpus.jsonl").read_text("utf-8").splitlines()]
    assert (unanswerable, answerable) == (1, 1) and kept == len(corpus)
    gone = next(q for q in written if q["answer_groups"] == [])
    assert gone["type"] == "unanswerable"
    if gone["id"] == "q1":
        assert corpus == ["topic", "e2"]
    else:
        assert corpus == ["e1", "copy", "topic"]
    assert holds_answer("全长 5.5公里", [["5.5公里"]]) and not holds_answer("全长", [["5.5公里"]])


def test_unanswerable_variant_removes_an_article_holding_part_of_the_answer_but_not_a_common_word(tmp_path: Path):
    articles = [
        {"id": "e1", "text": "美国政府宣布，汽油每吨提高240元，柴油每吨提高230元。"},
        {"id": "half", "text": "美国消息：汽油每吨提高240元。"},  # one of the two answers: removed
        *({"id": f"us{i}", "text": f"美国第{i}条新闻。"} for i in range(5)),  # 美国 is an answer too common to tell
        {"id": "e2", "text": "深圳湾大桥全长5.5公里。"},
    ]
    qa = [
        {
            "id": "q1",
            "question": "汽油和柴油每吨提高多少元？美国哪个部门宣布？",
            "answer_groups": [["240元"], ["230元"], ["美国"]],
            "evidence_doc_ids": ["e1"],
        },
        {"id": "q2", "question": "深圳湾大桥多长？", "answer_groups": [["5.5公里"]], "evidence_doc_ids": ["e2"]},
    ]
    subset, questions = _write(tmp_path / "subset.jsonl", articles), _write(tmp_path / "qa.jsonl", qa)
    build(subset, questions, tmp_path / "out", n=2, seed=0)
    corpus = [json.loads(line)["id"] for line in (tmp_path / "out" / "corpus.jsonl").read_text("utf-8").splitlines()]
    assert corpus == [f"us{i}" for i in range(5)]


def test_unanswerable_variant_removes_a_whole_answer_of_common_words(tmp_path: Path):
    articles = [
        {"id": "e1", "text": "2023年，美国总统宣布新政。"},
        {"id": "dup", "text": "2023年，美国总统访华。"},  # the whole answer, in words too common to tell
        *({"id": f"us{i}", "text": f"美国第{i}条新闻。"} for i in range(3)),
        *({"id": f"y{i}", "text": f"2023年第{i}条新闻。"} for i in range(3)),
    ]
    qa = [
        {
            "id": "q1",
            "question": "哪国哪年宣布新政？",
            "answer_groups": [["美国"], ["2023年"]],
            "evidence_doc_ids": ["e1"],
        }
    ]
    subset, questions = _write(tmp_path / "subset.jsonl", articles), _write(tmp_path / "qa.jsonl", qa)
    build(subset, questions, tmp_path / "out", n=1, seed=0)
    corpus = [json.loads(line)["id"] for line in (tmp_path / "out" / "corpus.jsonl").read_text("utf-8").splitlines()]
    assert corpus == ["us0", "us1", "us2", "y0", "y1", "y2"]


@pytest.mark.skipif(not DEFAULT_DATA.is_dir(), reason="the shared CMRC trial set is not on this machine")
def test_cmrc_becomes_a_corpus_and_a_qa_set_with_unanswerable_questions(tmp_path: Path):
    contexts, answerable, unanswerable = convert(DEFAULT_DATA, tmp_path)
    assert (contexts, answerable, unanswerable) == (213, 843, 157)
    first = json.loads((tmp_path / "qa.jsonl").read_text("utf-8").splitlines()[0])
    assert set(first) == {"id", "question", "answer_groups", "evidence_doc_ids", "type"}

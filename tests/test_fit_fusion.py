"""The fusion fit on a real index of the bundled page: weights written, and ranking no worse than either retriever."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.fit_fusion import main
from rag.index import NewsIndex
from tests.conftest import GOLD


def test_fit_fusion_writes_weights_that_rank_at_least_as_well_as_each_retriever(
    page_index: NewsIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "fusion.json"
    main(["--set", f"page={GOLD}:{page_index.settings.data_dir}", "--out", str(out)])
    fitted = json.loads(out.read_text(encoding="utf-8"))
    assert set(fitted["weights"]) == {"dense_score", "dense_rank", "bm25_score", "bm25_rank"}
    assert fitted["fit"]["depth"] in (30, 50, 100)
    row = fitted["fit"]["mrr"]["page"]
    assert row["all"] >= max(row["bm25"], row["dense"])
    assert "| page |" in capsys.readouterr().out

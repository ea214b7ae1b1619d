"""One settings object: env vars `NEWSQA_*`, an optional `newsqa.toml`, and CLI overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Settings(BaseSettings):
    """Paths, models, retrieval sizes, backends and server URLs."""

    model_config = SettingsConfigDict(env_prefix="NEWSQA_", toml_file="newsqa.toml", extra="ignore")

    data_dir: Path = Path("newsqa-data")
    chroma_url: str | None = None
    collection: str = "newsqa_chunks"

    embedding_model: str = "m3e-small"
    embedding_quantize: bool = True
    embed_batch_size: int = 8
    ingest_batch_chunks: int = 256

    chunk_size: int = 300
    chunk_max: int = 400
    chunk_overlap: int = 80

    k: int = 5
    candidates: int = 100  # from each retriever; fit with the fusion weights: python -m eval.fit_fusion
    fusion: Literal["learned", "convex", "rrf"] = "learned"
    fusion_weights: Path | None = None  # the learned fusion's weights; None: the ones shipped (rag/fusion.json)
    dense_weight: float = Field(0.4, ge=0.0, le=1.0)  # fusion = "convex": the dense score's weight
    rrf_k: int = 60
    neighbours: int = 1

    answer_backend: Literal["extractive", "openai"] = "extractive"
    answer_selection: Literal["rules", "model"] = "rules"  # the extractive answerer: rules, or the fitted model
    rank_by_meaning: bool = False  # rules: weigh the best contenders' nearness in meaning (an encode per question)
    openai_base_url: str = "http://127.0.0.1:8081/v1"
    openai_model: str = "local"
    openai_api_key: str = "not-needed"
    llm_timeout: float = 120.0

    max_question_chars: int = 500
    max_history_turns: int = 20
    api_key: str | None = None
    max_history_chars: int = 20_000
    max_upload_bytes: int = 20 * 1024 * 1024
    max_upload_files: int = 20
    write_wait_seconds: float = 10.0
    max_auth_failures: int = 10  # failed keys or UI passwords per client address a minute, then 429

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @classmethod
    def with_options(cls, **options: object) -> Settings:
        """Settings from env/toml, with the options given (command-line flags) on top; None means not given."""
        return cls(**{key: value for key, value in options.items() if value is not None})

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"

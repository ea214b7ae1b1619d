"""Domain types shared by every stage: articles, chunks, search hits, citations and answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Box(BaseModel):
    """A rectangle on a page of a paged source: 1-based page, PDF points from the page's top left;
    `source` names the file when it is not the article's own (a story continued in another file)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    source: str = ""


class TextLine(BaseModel):
    """Where the characters `start:end` of an article's text are printed."""

    start: int
    end: int
    box: Box


class Layout(BaseModel):
    """Where a text sits in a paged source (PDF): page, 版次/版名 when printed, and its boxes."""

    page: int = 0
    edition: str = ""  # 版次 as printed: "第1版", "A03版"
    section: str = ""  # 版名: "要闻"
    boxes: list[Box] = Field(default_factory=list)


class Article(BaseModel):
    """One article of a source document, with the metadata found in its headline and dateline.

    `kind` is "article", "brief" (no headline), "caption" (a photo's caption) or "teaser" (导读:
    a headline pointing to another page). `layout` holds the page and the article's regions,
    `lines` where each line of its text is printed, and `notes` what a reader should know (a
    continuation whose other part was not ingested).
    """

    article_id: str
    title: str
    text: str
    source: str
    date: str = ""
    paper: str = ""
    reporter: str = ""
    subtitles: list[str] = Field(default_factory=list)
    has_headline: bool = True
    kind: str = "article"
    layout: Layout = Field(default_factory=Layout)
    lines: list[TextLine] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Chunk(BaseModel):
    """A passage of an article; `start`/`end` are character offsets into the article text."""

    chunk_id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int
    title: str
    source: str
    date: str = ""
    paper: str = ""
    reporter: str = ""
    region: Layout = Field(default_factory=Layout)  # the article's page and regions
    boxes: list[Box] = Field(default_factory=list)  # the lines of this passage

    @property
    def indexed_text(self) -> str:
        """What both indices see: the headline with every chunk, so titles are searchable."""
        return f"{self.title}\n{self.text}"


class Hit(BaseModel):
    """A retrieved chunk with its fused score and the retrievers that found it."""

    chunk: Chunk
    score: float
    found_by: list[str] = Field(default_factory=list)
    ranks: dict[str, int] = Field(default_factory=dict)
    neighbour_of: str | None = None


class Source(BaseModel):
    """A numbered source of an answer: what `[n]` opens."""

    n: int
    chunk_id: str
    article_id: str
    title: str
    date: str
    paper: str
    source: str
    text: str
    start: int
    end: int
    score: float
    found_by: list[str] = Field(default_factory=list)
    region: Layout = Field(default_factory=Layout)  # PDF sources: page, 版次/版名, the article's regions
    boxes: list[Box] = Field(default_factory=list)  # PDF sources: the lines of this passage


class Citation(BaseModel):
    """One verified `[n]` of an answer sentence, with the quoted span inside its chunk."""

    n: int
    chunk_id: str
    article_id: str
    title: str
    quote: str
    quote_start: int = -1
    quote_end: int = -1
    sentence: int = 0


class AnswerSentence(BaseModel):
    """A sentence of the answer, with the sources that support it and any flags raised."""

    text: str
    cites: list[int] = Field(default_factory=list)
    supported: bool = True
    flags: list[str] = Field(default_factory=list)


class Answer(BaseModel):
    """The result of asking a question."""

    question: str
    answer: str
    refused: bool
    standalone_question: str
    short_answer: str = ""  # the span alone (a name with its role, a number with its unit, a date), when found
    citations: list[Citation] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    sentences: list[AnswerSentence] = Field(default_factory=list)
    backend: str = "extractive"
    notices: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)

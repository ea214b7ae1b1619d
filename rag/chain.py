"""The answer chain, LangChain LCEL from injected parts: condense → retrieve → answer → verify.

`build_chain(retriever, answerers, ...)` composes the steps with `RunnablePassthrough.assign`, so the
chain is one `Runnable` over a dict: `invoke` returns the whole state with its `"answer"` (the
verified `Answer`), and `stream`/`astream` yield the state's keys as they are made — `{"text":
TextChunk}` once per answer token (the LLM backend streams), then `{"answer": Answer}`.
Callbacks and tracing see every step, the retriever and the chat model as child runs.

`Assistant` builds the default parts from the settings (hybrid retriever, extractive and LLM
answerers, rule and LLM condensers) and offers `ask` and `stream` over the chain. No step holds a
lock: readers never wait for an ingest, and a dropped stream leaves nothing behind.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import (
    Runnable,
    RunnableConfig,
    RunnableGenerator,
    RunnableLambda,
    RunnablePassthrough,
)

from rag.answer.extractive import answer_extractive, question_parts
from rag.answer.grounds import unsupported_terms
from rag.answer.selection import answer_by_model
from rag.cite import REFUSAL, verify
from rag.condense import condense_rules
from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.lexical import Filters
from rag.limits import check_question
from rag.names import learn_names
from rag.prompts import ANSWER_PROMPT, CONDENSE_PROMPT, format_history, format_sources
from rag.retrieve import HybridRetriever, source_from_document
from rag.settings import Settings
from rag.types import Answer, Source

PART_K = 2
FALLBACK_NOTICE = "大模型服务不可用，已改用抽取式回答 (LLM server unavailable: answered extractively)"
UNSUPPORTED_NOTICE = (
    "大模型的回答没有一句能被来源核实，已改用抽取式回答 "
    "(no sentence of the LLM's answer is supported by its cited sources: answered extractively)"
)
REFUSAL_NOTICE = (
    "大模型未能回答，但资料中有答案，已改用抽取式回答 "
    "(the LLM refused though the sources hold an answer: answered extractively)"
)
BACKENDS = ("extractive", "openai")
State = dict[str, Any]


@dataclass(frozen=True)
class TextChunk:
    """A piece of the answer text as it streams; `failed` marks an LLM that broke off (the text so far is void).

    Chunks add up as LangChain's streamed outputs do, so `invoke` sees the whole text.
    """

    text: str = ""
    failed: bool = False
    refused: bool | None = None  # the answerer's own verdict, when it knows it (the extractive one does)
    short_answer: str = ""  # the span alone, when the answerer finds it (the extractive answerers do)

    def __add__(self, other: TextChunk) -> TextChunk:
        if other.failed:
            return other
        refused = other.refused if other.refused is not None else self.refused
        return TextChunk(self.text + other.text, self.failed, refused, other.short_answer or self.short_answer)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def llm_errors() -> tuple[type[BaseException], ...]:
    """The errors of an unreachable or slow LLM server (imported only when an LLM is used)."""
    from rag.answer.llm import LLM_ERRORS

    return LLM_ERRORS


# the steps ---------------------------------------------------------------------------------------


def start_state(settings: Settings, request: dict) -> State:
    """Check a request (`question`, `history`, `k`, `filters`, `backend`) and open the chain's state."""
    question = str(request.get("question") or "").strip()
    history = list(request.get("history") or [])[-2 * settings.max_history_turns :]
    check_question(settings, question, history)
    backend = request.get("backend") or settings.answer_backend
    if backend not in BACKENDS:
        raise NewsqaError(f"未知的回答方式 {backend}", f"unknown backend {backend}: use extractive or openai")
    return {
        "question": question,
        "history": history,
        "k": request.get("k"),
        "filters": request.get("filters"),
        "backend": backend,
        "notices": [],
        "timings": {},
        "started": time.perf_counter(),
    }


def retrieve_sources(retriever: BaseRetriever, state: State, config: RunnableConfig) -> list[Source]:
    """The question's sources, then two more passages for each part of a several-part question."""
    started = time.perf_counter()
    options: dict[str, Any] = {}
    if state["k"]:
        options["k"] = state["k"]
    if state["filters"]:
        options["filters"] = state["filters"]
    parts = question_parts(state["standalone"])
    if len(parts) == 1:
        documents = retriever.invoke(state["standalone"], config, **options)
    else:  # one batch: the question and each of its parts, which add their PART_K best passages
        documents, *per_part = retriever.batch([state["standalone"], *parts], config, **options)
        seen = {_document_key(d) for d in documents}
        for found in per_part:
            best = [d for d in found if not d.metadata.get("neighbour_of")][:PART_K]
            for document in best:
                if _document_key(document) not in seen:
                    seen.add(_document_key(document))
                    documents.append(document)
    state["timings"]["retrieve_ms"] = _ms(started)
    return [source_from_document(n, d) for n, d in enumerate(documents, start=1)]


def _document_key(document: Document) -> str:
    return document.id or document.page_content


@dataclass
class Evidence:
    """How the answer step reads the index: an article's text, whether a word is indexed at all, and
    the index's embedding model (for sentence-level similarity)."""

    article_text: Callable[[Source], str]
    has_term: Callable[[str], bool]
    encode: Callable[[list[str]], Any]

    @classmethod
    def of(cls, index: NewsIndex) -> Evidence:
        """From the index; a passage the catalog does not know (a foreign retriever's) is its own article."""
        return cls(
            lambda s: index.catalog.article_text(s.source, s.article_id) or s.text,
            index.lexical.has_term,
            lambda texts: index.embeddings.encode(texts),
        )


def extractive_answerer(
    evidence: Evidence, selection: str = "rules", by_meaning: bool = False
) -> Runnable[State, TextChunk]:
    """The offline answerer as a chain step: one chunk, the short answer and the cited sentences (or the
    refusal). `selection` "rules" is the default answerer, which with `by_meaning` re-ranks its best
    contenders by their nearness in meaning to the question; "model" the model-based one
    (`rag.answer.selection`, weights fit on the dev sets).
    """

    def answer(state: State) -> TextChunk:
        args = (state["question"], state["standalone"], state["sources"], evidence.article_text, evidence.has_term)
        if selection == "model":
            text, refused, short = answer_by_model(*args, evidence.encode)
            return TextChunk(text, refused=refused, short_answer=short)
        text, refused, short = answer_extractive(*args, evidence.encode if by_meaning else None)
        return TextChunk(text, refused=refused, short_answer=short)

    return RunnableLambda(answer, name="extractive_answer")


def llm_answerer(model: Runnable) -> Runnable[State, TextChunk]:
    """prompt | chat model | text, streamed token by token; a server that fails (before or during the
    answer) ends the stream with a `failed` chunk, and the verify step answers extractively instead."""
    tokens = (
        RunnableLambda(lambda s: {"question": s["standalone"], "sources": format_sources(s["sources"])})
        | ANSWER_PROMPT
        | model
        | StrOutputParser()
    )

    def stream(states: Iterator[State], config: RunnableConfig) -> Iterator[TextChunk]:
        try:
            for state in states:
                for token in tokens.stream(state, config):
                    yield TextChunk(token)
        except llm_errors():
            yield TextChunk(failed=True)

    async def astream(states: AsyncIterator[State], config: RunnableConfig) -> AsyncIterator[TextChunk]:
        try:
            async for state in states:
                async for token in tokens.astream(state, config):
                    yield TextChunk(token)
        except llm_errors():
            yield TextChunk(failed=True)

    return RunnableGenerator(stream, astream, name="llm_answer")


def llm_condenser(model: Runnable) -> Runnable[State, str]:
    """The LLM rewrites a follow-up into a standalone question; its first line is the question."""
    return (
        RunnableLambda(lambda s: {"history": format_history(s["history"]), "question": s["question"]})
        | CONDENSE_PROMPT
        | model
        | StrOutputParser()
        | RunnableLambda(lambda text: (text.strip().splitlines() or [""])[0].strip())
    )


def build_chain(
    retriever: BaseRetriever,
    answerers: dict[str, Runnable[State, TextChunk]],
    evidence: Evidence,
    settings: Settings,
    llm_condense: Runnable[State, str] | None = None,
) -> Runnable[dict, State]:
    """condense → retrieve → answer → verify, from the parts given; input: `question`, `history`,
    `k`, `filters`, `backend`; output: the state, whose `"answer"` is the verified `Answer`."""

    def condense(state: State) -> str:
        started = time.perf_counter()
        standalone = condense_rules(state["question"], state["history"])
        if llm_condense is not None and state["backend"] == "openai" and state["history"]:
            try:
                standalone = llm_condense.invoke(state) or standalone
            except llm_errors():
                _note_fallback(state)
        state["timings"]["condense_ms"] = _ms(started)
        return standalone

    def retrieve(state: State, config: RunnableConfig) -> list[Source]:
        return retrieve_sources(retriever, state, config)

    def answer(state: State) -> Runnable[State, TextChunk]:
        state["answer_started"] = time.perf_counter()
        return answerers[state["backend"]] if state["backend"] in answerers else answerers["extractive"]

    def verified(state: State) -> Answer:
        return verify_answer(state, answerers["extractive"], evidence)

    return (
        RunnableLambda(lambda request: start_state(settings, request), name="start")
        | RunnablePassthrough.assign(standalone=RunnableLambda(condense, name="condense"))
        | RunnablePassthrough.assign(sources=RunnableLambda(retrieve, name="retrieve"))
        | RunnablePassthrough.assign(text=RunnableLambda(answer, name="answer"))
        | RunnablePassthrough.assign(answer=RunnableLambda(verified, name="verify"))
    ).with_config(run_name="newsqa")


def _note_fallback(state: State) -> None:
    if FALLBACK_NOTICE not in state["notices"]:
        state["notices"].append(FALLBACK_NOTICE)


def verify_answer(state: State, extractive: Runnable[State, TextChunk], evidence: Evidence) -> Answer:
    """The answer with every `[n]` checked against its source.

    An LLM answer is kept when at least one of its sentences is supported by a source it cites. It is
    replaced, with a notice, by the extractive answer (the extractive answerer run on the same state)
    when the LLM failed, when no sentence of its reply is supported (bare `[1] [2]` markers, citations
    that all fail verification), or when it refused while the extractive answerer answers. An LLM
    answer naming what the sources lack is refused.
    """
    chunk: TextChunk = state["text"]
    backend = state["backend"]
    if chunk.failed:
        _note_fallback(state)
        backend, chunk = "extractive", extractive.invoke(state)
    refused = chunk.refused if chunk.refused is not None else REFUSAL in chunk.text
    text = chunk.text
    state["timings"]["answer_ms"] = _ms(state.get("answer_started", state["started"]))
    started = time.perf_counter()
    sources: list[Source] = state["sources"]
    lacking = False
    if not refused and backend == "openai":
        missing = unsupported_terms(state["standalone"], sources, evidence.article_text, evidence.has_term)
        if missing:
            state["notices"].append(
                f"资料中没有“{'、'.join(missing)}”，回答已拒绝 (sources lack: {', '.join(missing)})"
            )
            text, refused, lacking = REFUSAL + "。", True, True
    sentences, citations = verify(text, sources)
    if backend == "openai" and not lacking:
        supported = any(s.cites for s in sentences)
        if refused or not supported:  # an answer beats a refusal, and a refusal beats text nothing supports
            fallback = extractive.invoke(state)
            fallback_refused = fallback.refused if fallback.refused is not None else REFUSAL in fallback.text
            if not refused or not fallback_refused:
                state["notices"].append(REFUSAL_NOTICE if refused else UNSUPPORTED_NOTICE)
                backend, chunk, text, refused = "extractive", fallback, fallback.text, fallback_refused
                sentences, citations = verify(text, sources)
    state["timings"]["verify_ms"] = _ms(started)
    state["timings"]["total_ms"] = _ms(state["started"])
    return Answer(
        question=state["question"],
        answer=text,
        refused=refused,
        standalone_question=state["standalone"],
        citations=citations,
        sources=sources,
        sentences=sentences,
        short_answer=chunk.short_answer,
        backend=backend,
        notices=state["notices"],
        timings=state["timings"],
    )


# the assistant -----------------------------------------------------------------------------------


def chat_model(settings: Settings) -> Runnable:
    """The configured OpenAI-compatible chat model (imported when first asked for)."""
    from rag.answer.llm import chat_model as make

    return make(settings)


class Assistant:
    """The default chain over one index; holds the loaded model and stores between questions.

    Every part can be replaced: `retriever` (any LangChain `BaseRetriever`), `llm` (any LangChain
    chat model; the OpenAI-compatible server of the settings by default).
    """

    def __init__(
        self,
        settings: Settings,
        index: NewsIndex | None = None,
        retriever: BaseRetriever | None = None,
        llm: Runnable | None = None,
    ) -> None:
        self.settings = settings
        self.index = index or NewsIndex(settings)
        learn_names(self.index.catalog.names())
        self.retriever = retriever or HybridRetriever(index=self.index, k=settings.k)
        self.evidence = Evidence.of(self.index)
        self._llm = llm
        self.chain = build_chain(
            self.retriever,
            {
                "extractive": extractive_answerer(self.evidence, settings.answer_selection, settings.rank_by_meaning),
                "openai": RunnableLambda(self._llm_answer),
            },
            self.evidence,
            settings,
            RunnableLambda(self._llm_condense),
        )

    @property
    def llm(self) -> Runnable:
        if self._llm is None:
            self._llm = chat_model(self.settings)
        return self._llm

    def _llm_answer(self, state: State) -> Runnable[State, TextChunk]:
        return llm_answerer(self.llm)

    def _llm_condense(self, state: State) -> Runnable[State, str]:
        return llm_condenser(self.llm)

    def request(
        self,
        question: str,
        history: Sequence[dict] = (),
        k: int | None = None,
        filters: Filters | None = None,
        backend: str | None = None,
    ) -> dict:
        """The chain's input; the index must hold something to answer from."""
        self.index.require_content()
        return {"question": question, "history": list(history), "k": k, "filters": filters, "backend": backend}

    def ask(self, question: str, history: Sequence[dict] = (), **options: Any) -> Answer:
        return self.chain.invoke(self.request(question, history, **options))["answer"]

    def stream(self, question: str, history: Sequence[dict] = (), **options: Any) -> Iterator[dict]:
        """Events of one answer: {"type": "token", "text"} …, maybe {"type": "reset"} (the LLM broke off,
        or its reply was replaced: drop the text so far; the final text follows as one token), then
        {"type": "answer", "answer"}."""
        framer = EventFramer()
        for chunk in self.chain.stream(self.request(question, history, **options)):
            yield from framer.events(chunk)

    async def astream(self, question: str, history: Sequence[dict] = (), **options: Any) -> AsyncIterator[dict]:
        """`stream`, asynchronously: cancelling the consumer cancels the generation."""
        framer = EventFramer()
        async for chunk in self.chain.astream(self.request(question, history, **options)):
            for event in framer.events(chunk):
                yield event


class EventFramer:
    """Turns the chain's streamed state chunks into the events the faces show.

    When the verified answer is not the text streamed so far (the LLM broke off, or its reply was
    replaced by the extractive answer or a refusal), a `reset` tells the client to drop what it
    showed, and the final text follows as one token, before the `answer`.
    """

    def __init__(self) -> None:
        self.streamed: list[str] = []
        self.reset = False

    def events(self, chunk: dict) -> list[dict]:
        events: list[dict] = []
        if isinstance(text := chunk.get("text"), TextChunk):
            if text.failed:
                self.reset = True
                self.streamed.clear()
                events.append({"type": "reset"})
            elif text.text:
                self.streamed.append(text.text)
                events.append({"type": "token", "text": text.text})
        if isinstance(answer := chunk.get("answer"), Answer):
            shown = "".join(self.streamed)
            if answer.answer != shown:
                if shown or not self.reset:  # the text shown is not the answer: take it back
                    self.reset = True
                    events.append({"type": "reset"})
                self.streamed = [answer.answer]
                events.append({"type": "token", "text": answer.answer})
            events.append({"type": "answer", "answer": answer})
        return events

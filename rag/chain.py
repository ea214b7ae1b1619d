"""The answer chain (LangChain LCEL): condense → retrieve → answer → verify citations.

`Assistant.ask` runs the chain; `Assistant.stream` runs the same steps and yields answer tokens
as they come, then the verified `Answer`. The `openai` backend falls back to `extractive`, with a
visible notice, when the LLM server is down or too slow.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from rag.answer import sources_from_hits
from rag.answer.extractive import answer_extractive, question_parts, unsupported_terms
from rag.cite import REFUSAL, verify
from rag.condense import CONDENSE_PROMPT, condense_rules, history_text
from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.lexical import Filters
from rag.names import learn_names
from rag.retrieve import HybridRetriever
from rag.settings import Settings
from rag.types import Answer, Source

PART_K = 2
FALLBACK_NOTICE = "大模型服务不可用，已改用抽取式回答 (LLM server unavailable: answered extractively)"
State = dict[str, Any]


def _llm() -> ModuleType:
    """The LLM answerer (`rag.answer.llm`), imported when first used: openai and langchain-openai take
    a second to import, which an offline question never needs."""
    from rag.answer import llm

    return llm


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


class Assistant:
    """Answers questions over one index; holds the loaded model and stores between questions."""

    def __init__(self, settings: Settings, index: NewsIndex | None = None) -> None:
        self.settings = settings
        self.index = index or NewsIndex(settings)
        learn_names(self.index.catalog.names())
        self.chain: Runnable[State, Answer] = (
            RunnableLambda(self._condense)
            | RunnableLambda(self._retrieve)
            | RunnableLambda(self._answer)
            | RunnableLambda(self._verify)
        )

    # public --------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[dict] = (),
        k: int | None = None,
        filters: Filters | None = None,
        backend: str | None = None,
    ) -> Answer:
        return self.chain.invoke(self._start(question, history, k, filters, backend))

    def stream(
        self,
        question: str,
        history: Sequence[dict] = (),
        k: int | None = None,
        filters: Filters | None = None,
        backend: str | None = None,
    ) -> Iterator[dict]:
        """Events: {"type": "token", "text"}, {"type": "reset"} (after a fallback), {"type": "answer", "answer"}."""
        state = self._retrieve(self._condense(self._start(question, history, k, filters, backend)))
        started = time.perf_counter()
        if state["backend"] == "openai":
            pieces: list[str] = []
            llm = _llm()
            try:
                for token in llm.stream_llm_answer(self.settings, state["standalone"], state["sources"]):
                    pieces.append(token)
                    yield {"type": "token", "text": token}
                state["text"] = "".join(pieces)
                state["refused"] = REFUSAL in state["text"]
            except llm.LLM_ERRORS:
                if pieces:
                    yield {"type": "reset"}
                self._fall_back(state)
        else:
            self._answer_offline(state)
        if state["backend"] == "extractive":
            yield {"type": "token", "text": state["text"]}
        state["timings"]["answer_ms"] = _ms(started)
        yield {"type": "answer", "answer": self._verify(state)}

    # steps ---------------------------------------------------------------------------------
    def _start(
        self, question: str, history: Sequence[dict], k: int | None, filters: Filters | None, backend: str | None
    ) -> State:
        question = (question or "").strip()
        if not question:
            raise NewsqaError("问题不能为空", "the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise NewsqaError(
                f"问题过长（{len(question)} 字，上限 {self.settings.max_question_chars} 字）",
                f"the question is too long ({len(question)} > {self.settings.max_question_chars} characters)",
            )
        backend = backend or self.settings.answer_backend
        if backend not in ("extractive", "openai"):
            raise NewsqaError(f"未知的回答方式 {backend}", f"unknown backend {backend}: use extractive or openai")
        self.index.require_content()
        turns = list(history)[-2 * self.settings.max_history_turns :]
        return {
            "question": question,
            "history": turns,
            "k": k or self.settings.k,
            "filters": filters,
            "backend": backend,
            "notices": [],
            "timings": {},
            "started": time.perf_counter(),
        }

    def _condense(self, state: State) -> State:
        started = time.perf_counter()
        state["standalone"] = condense_rules(state["question"], state["history"])
        if state["backend"] == "openai" and state["history"]:
            prompt = CONDENSE_PROMPT.format(history=history_text(state["history"]), question=state["question"])
            llm = _llm()
            try:
                rewritten = str(llm.chat_model(self.settings).invoke(prompt).content).strip().splitlines()
                if rewritten and rewritten[0].strip():
                    state["standalone"] = rewritten[0].strip()
            except llm.LLM_ERRORS:
                self._fall_back(state, answer=False)
        state["timings"]["condense_ms"] = _ms(started)
        return state

    def _retrieve(self, state: State) -> State:
        started = time.perf_counter()
        retriever = HybridRetriever(index=self.index, k=state["k"])
        parts = question_parts(state["standalone"])
        queries = [state["standalone"], *parts] if len(parts) > 1 else [state["standalone"]]
        vectors = self.index.embeddings.encode(queries)  # one batch: the question and each of its parts
        embed_ms = _ms(started)
        hits, detail = retriever.retrieve(state["standalone"], filters=state["filters"], vector=vectors[0])
        detail["embed_ms"] = embed_ms
        seen = {hit.chunk.chunk_id for hit in hits}
        for part, vector in zip(queries[1:], vectors[1:], strict=True):  # each part gets its own best passages
            for hit in retriever.retrieve(part, k=PART_K, filters=state["filters"], vector=vector)[0]:
                if hit.chunk.chunk_id not in seen and hit.neighbour_of is None:
                    seen.add(hit.chunk.chunk_id)
                    hits.append(hit)
        state["sources"] = sources_from_hits(hits)
        state["timings"]["retrieve_ms"] = _ms(started)
        state["timings"].update({f"retrieve_{key}": round(value, 2) for key, value in detail.items()})
        return state

    def _answer(self, state: State) -> State:
        started = time.perf_counter()
        if state["backend"] == "openai":
            llm = _llm()
            try:
                state["text"] = "".join(llm.stream_llm_answer(self.settings, state["standalone"], state["sources"]))
                state["refused"] = REFUSAL in state["text"]
            except llm.LLM_ERRORS:
                self._fall_back(state)
        else:
            self._answer_offline(state)
        state["timings"]["answer_ms"] = _ms(started)
        return state

    def _verify(self, state: State) -> Answer:
        started = time.perf_counter()
        sources: list[Source] = state["sources"]
        if not state["refused"] and state["backend"] == "openai":
            missing = unsupported_terms(state["standalone"], sources, self._article_text, self.index.lexical.has_term)
            if missing:
                state["notices"].append(
                    f"资料中没有“{'、'.join(missing)}”，回答已拒绝 (sources lack: {', '.join(missing)})"
                )
                state["text"], state["refused"] = REFUSAL + "。", True
        sentences, citations = verify(state["text"], sources)
        state["timings"]["verify_ms"] = _ms(started)
        state["timings"]["total_ms"] = _ms(state["started"])
        return Answer(
            question=state["question"],
            answer=state["text"],
            refused=state["refused"],
            standalone_question=state["standalone"],
            citations=citations,
            sources=sources,
            sentences=sentences,
            backend=state["backend"],
            notices=state["notices"],
            timings=state["timings"],
        )

    # helpers -------------------------------------------------------------------------------
    def _answer_offline(self, state: State) -> None:
        state["text"], state["refused"] = answer_extractive(
            state["question"], state["standalone"], state["sources"], self._article_text, self.index.lexical.has_term
        )

    def _fall_back(self, state: State, answer: bool = True) -> None:
        if FALLBACK_NOTICE not in state["notices"]:
            state["notices"].append(FALLBACK_NOTICE)
        state["backend"] = "extractive"
        if answer:
            self._answer_offline(state)

    def _article_text(self, source: Source) -> str:
        return self.index.catalog.article_text(source.source, source.article_id)

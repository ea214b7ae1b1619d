"""newsqa as LangChain users expect it: callbacks see the retriever and the LLM, `chain.stream`
streams tokens, async works, and the README's two examples run (our retriever in a user's chain,
our chain over a user's model)."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda, RunnablePassthrough
from langchain_openai import ChatOpenAI

from rag.chain import Assistant, TextChunk
from rag.index import NewsIndex
from rag.lexical import Filters
from rag.retrieve import HybridRetriever
from tests.fake_llm_server import FakeLLM

QUESTION = "长沙海关的关长是谁？"


class Recorder(BaseCallbackHandler):
    """Which kinds of runs started: retriever, chat model, chain steps."""

    def __init__(self) -> None:
        self.retrievers: list[str] = []
        self.chat_models = 0
        self.chains: list[str] = []

    def on_retriever_start(self, serialized: Any, query: str, **kwargs: Any) -> None:
        self.retrievers.append(query)

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.chat_models += 1

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.chains.append(kwargs.get("name") or "")


def llm_assistant(index: NewsIndex, base_url: str) -> Assistant:
    settings = index.settings.model_copy(update={"answer_backend": "openai", "openai_base_url": base_url})
    return Assistant(settings, index)


def request(assistant: Assistant, **options: Any) -> dict:
    return assistant.request(QUESTION, **options)


def test_callbacks_see_the_retriever_the_llm_and_each_step(page_index: NewsIndex):
    recorder = Recorder()
    with FakeLLM(["长沙海关关长是朱光耀[1]。"]) as llm:
        result = llm_assistant(page_index, llm.base_url).chain.invoke(
            request(Assistant(page_index.settings, page_index)), {"callbacks": [recorder]}
        )
    assert recorder.retrievers == [QUESTION]
    assert recorder.chat_models == 1
    assert {"newsqa", "condense", "retrieve", "verify"} <= set(recorder.chains)
    assert result["answer"].backend == "openai" and "朱光耀" in result["answer"].answer


def test_chain_stream_yields_llm_tokens_one_by_one(page_index: NewsIndex):
    with FakeLLM(["朱光耀是长沙海关关长[1]。"]) as llm:
        assistant = llm_assistant(page_index, llm.base_url)
        chunks = list(assistant.chain.stream(request(assistant)))
    texts = [c["text"] for c in chunks if isinstance(c.get("text"), TextChunk)]
    answers = [c["answer"] for c in chunks if "answer" in c]
    assert len(texts) > 1
    assert "".join(t.text for t in texts) == answers[0].answer == "朱光耀是长沙海关关长[1]。"


def test_async_invoke_and_stream(page_index: NewsIndex):
    assistant = Assistant(page_index.settings, page_index)

    async def run() -> tuple[dict, list[dict]]:
        whole = await assistant.chain.ainvoke(request(assistant))
        events = [event async for event in assistant.astream(QUESTION)]
        return whole, events

    whole, events = asyncio.run(run())
    assert "朱光耀" in whole["answer"].answer
    assert events[-1]["type"] == "answer" and events[-1]["answer"].answer == whole["answer"].answer


def test_filters_and_k_are_given_at_call_time(page_index: NewsIndex):
    retriever = HybridRetriever(index=page_index)
    assert len(retriever.invoke("长沙海关", k=1)) >= 1
    assert retriever.invoke("长沙海关", filters=Filters(date_from="2030-01-01")) == []


def test_readme_example_our_retriever_in_your_chain(page_index: NewsIndex):
    """README: "Use newsqa's retriever in your own LCEL chain" (with a local OpenAI-compatible server)."""
    with FakeLLM(["朱光耀。"]) as server:
        # --- README example, as printed there (base_url points at your model server) ---
        retriever = HybridRetriever(index=page_index, k=3)
        prompt = ChatPromptTemplate.from_template("根据资料回答。\n资料：{context}\n问题：{question}")
        model = ChatOpenAI(base_url=server.base_url, api_key="none", model="local")

        def join(documents: list[Document]) -> str:
            return "\n\n".join(d.page_content for d in documents)

        chain = {"context": retriever | join, "question": RunnablePassthrough()} | prompt | model | StrOutputParser()
        reply = chain.invoke("长沙海关的关长是谁？")
        # --- end of example ---
    assert reply == "朱光耀。"
    assert "朱光耀" in server.requests[0]["messages"][-1]["content"]  # the retrieved passage reached the model


def test_readme_example_our_chain_over_your_model(page_index: NewsIndex):
    """README: "Run newsqa's chain over your own chat model" (any LangChain chat model)."""
    with FakeLLM(["长沙海关关长是朱光耀[1]。"]) as server:
        # --- README example ---
        my_model = ChatOpenAI(base_url=server.base_url, api_key="none", model="local")
        assistant = Assistant(page_index.settings, page_index, llm=my_model)
        answer = assistant.ask("长沙海关的关长是谁？", backend="openai")
        # --- end of example ---
    assert answer.backend == "openai" and answer.citations and "朱光耀" in answer.citations[0].quote


def test_a_foreign_retriever_plugs_into_the_chain(page_index: NewsIndex):
    """Any BaseRetriever feeds the chain (as the evaluation's LangChain baseline does)."""
    passage = "长沙海关党委书记、关长朱光耀介绍了情况。"
    found = RunnableLambda(lambda query: [Document(page_content=passage, metadata={"title": "测试"})])
    assistant = Assistant(page_index.settings, page_index, retriever=_AsRetriever(runnable=found))
    answer = assistant.ask(QUESTION)
    assert answer.sources[0].text == passage and "朱光耀" in answer.answer


class _AsRetriever(BaseRetriever):
    runnable: Any

    def _get_relevant_documents(self, query: str, *, run_manager: Any) -> list[Document]:
        return self.runnable.invoke(query)

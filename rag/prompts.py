"""The prompts of the LLM backend, as LangChain `ChatPromptTemplate`s, and how sources and history fill them."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.prompts import ChatPromptTemplate

from rag.cite import REFUSAL
from rag.types import Source

ANSWER_SYSTEM = (
    "你是严谨的新闻资料问答助手，只依据用户给出的编号资料回答问题。\n"
    "规则：\n"
    "1. 直接回答：用一到两句简短的中文回答，尽量照抄资料原文中含有答案的句子或词语。\n"
    "2. 每句话末尾标注它所依据的资料编号，格式为 [1] 或 [1][2]，编号只能是给出的资料编号。\n"
    "3. 人名、机构名、数字和日期必须与资料原文完全一致，不得推测或补充资料中没有的内容。\n"
    "4. 不要只输出编号，编号前面必须有回答的文字。\n"
    f"5. 只要有一条资料含有答案就必须回答；只有所有资料都没有答案时，才只回答：{REFUSAL}。\n"
)
ANSWER_EXAMPLE = "例如问题“某市市长是谁？”，资料[3]写有“某市市长张三”，就回答：某市市长是张三[3]。"
ANSWER_PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", ANSWER_SYSTEM),
        (
            "human",
            f"资料：\n\n{{sources}}\n\n问题：{{question}}\n请用一到两句话回答，每句末尾标注资料编号。{ANSWER_EXAMPLE}",
        ),
    ]
)
CONDENSE_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "human",
            "根据下面的对话历史，把用户的后续问题改写成一个不依赖上下文、意思完整的独立问题。"
            "把代词（他、她、其中、这些、那里等）换成它指代的具体对象。只输出改写后的问题，不要回答它。\n\n"
            "对话历史：\n{history}\n\n后续问题：{question}\n独立问题：",
        )
    ]
)


def format_sources(sources: Sequence[Source]) -> str:
    """The numbered sources as the answer prompt shows them: [n]《title》（paper date）, then the passage."""
    return "\n\n".join(f"[{s.n}]《{s.title}》（{s.paper} {s.date}）\n{s.text}" for s in sources)


def format_history(history: Sequence[dict]) -> str:
    """Earlier turns as the condense prompt shows them, one a line: 用户：… / 助手：…"""
    return "\n".join(f"{'用户' if t.get('role') == 'user' else '助手'}：{t.get('content', '')}" for t in history)

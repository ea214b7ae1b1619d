"""Join the parts of a story continued on another page ("下转第2版" … "上接第1版", 转 / 接 alike).

A part that ends with a jump to page N and a part on page N that says it continues from the
first part's page are one article, whatever order the pages come in; when several parts on a
page could match, the one whose headline shares most characters wins. A part whose other half
was not ingested stays an article, and its note says so.
"""

from __future__ import annotations

from ingest.articles import JUMP
from rag.types import Article, TextLine

MISSING = "（另一部分未收录）"
_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


def edition_number(text: str) -> str:
    """'第3版' / '3' / '三' / 'A03' -> '3' / 'A3' (letters kept, leading zeros and numerals normalised)."""
    core = text.removeprefix("第").removesuffix("版").strip()
    if core and all(c in _NUMERALS for c in core):
        if len(core) == 1:
            return str(_NUMERALS[core])
        tens, _, ones = core.partition("十")
        return str(_NUMERALS.get(tens, 1) * 10 + _NUMERALS.get(ones, 0))
    letters = "".join(c for c in core if c.isalpha()).upper()
    digits = "".join(c for c in core if c.isdigit()).lstrip("0")
    return letters + digits


def _edition(article: Article) -> str:
    return edition_number(article.layout.edition) if article.layout.edition else str(article.layout.page)


def _jump(article: Article, verb: str) -> str | None:
    """The page number a part jumps to (verb 转) or comes from (verb 接), if it says so."""
    for note in article.notes:
        match = JUMP.search(note)
        if match and match.group("verb") == verb:
            return edition_number(match.group("number"))
    return None


def _likeness(a: Article, b: Article) -> int:
    return len(set(a.title) & set(b.title))


def join(first: Article, second: Article) -> Article:
    """`first` with `second`'s text, lines and boxes appended (boxes in another file name it)."""
    shift = len(first.text) + 1
    elsewhere = {"source": second.source} if second.source != first.source else {}
    lines = first.lines + [
        TextLine(start=line.start + shift, end=line.end + shift, box=line.box.model_copy(update=elsewhere))
        for line in second.lines
    ]
    boxes = first.layout.boxes + [box.model_copy(update=elsewhere) for box in second.layout.boxes]
    layout = first.layout.model_copy(update={"boxes": boxes})
    notes = [n for n in first.notes + second.notes if not JUMP.search(n)]
    return first.model_copy(
        update={
            "text": f"{first.text}\n{second.text}",
            "lines": lines,
            "layout": layout,
            "notes": notes,
            "reporter": first.reporter or second.reporter,
        }
    )


def join_continuations(articles: list[Article]) -> list[Article]:
    """Join continued parts; parts without their other half get a note that says so."""
    incoming = [a for a in articles if _jump(a, "接")]
    taken: dict[str, Article] = {}  # article_id of a continuation -> the first part it was joined to
    joined: dict[str, Article] = {}
    for article in articles:
        target = _jump(article, "转")
        if target is None:
            continue
        here = _edition(article)
        candidates = [
            b for b in incoming if b.article_id not in taken and _edition(b) == target and _jump(b, "接") == here
        ]
        if candidates:
            second = max(candidates, key=lambda b: _likeness(article, b))
            taken[second.article_id] = article
            joined[article.article_id] = join(article, second)
    out = []
    for article in articles:
        if article.article_id in taken:
            continue
        if article.article_id in joined:
            out.append(joined[article.article_id])
        elif _jump(article, "转") or _jump(article, "接"):
            notes = [n + MISSING if JUMP.search(n) else n for n in article.notes]
            out.append(article.model_copy(update={"notes": notes}))
        else:
            out.append(article)
    return out

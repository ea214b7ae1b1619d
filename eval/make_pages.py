"""Make realistic e-paper test pages: HTML newspaper layouts printed to PDF by headless Chromium.

A page is a masthead/header strip (报名, 日期, 版次, 版名, 责任编辑) over rows of cells; a cell
spans some of the page's five columns and holds stories stacked top to bottom. A story is a
headline (引题 / 主题 / 副题) over a body set in CSS columns, a headline-less brief, a teaser
box (导读), or a photo with its caption. `page_stories` lists what was printed, so tests compare
what `ingest.pdf` extracts with it (`char_error_rate`).

    python -m eval.make_pages OUT_DIR     # front page, page 2, both in one file, the bundled page, 20 pages
"""

from __future__ import annotations

import difflib
import html
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium

from ingest.articles import date_from_name, split_articles

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]
COLUMNS = 5
ROOT = Path(__file__).resolve().parent.parent
BUNDLED_PAGE = ROOT / "corpus" / "hengyang-daily-2022-12-15.txt"


@dataclass
class Story:
    """One item of a page: kind is "article", "brief", "teaser" or "photo"."""

    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    kicker: str = ""
    subtitles: list[str] = field(default_factory=list)
    kind: str = "article"
    caption: str = ""
    columns: int = 1  # body columns inside the cell


@dataclass
class Cell:
    """A rectangle of the page `span` columns wide holding stories one under another."""

    span: int
    stories: list[Story]


@dataclass
class Page:
    """One printed page (版) of a paper."""

    edition: int
    section: str
    editor: str
    rows: list[list[Cell]]
    paper: str = "衡阳日报"
    date: str = "2022年12月15日 星期四"
    body_pt: float = 10  # body type size; headlines are set in proportion
    height_mm: int = 420  # A3 by default


CSS = """
@page { size: 297mm var(--height); margin: 12mm; }
body { margin: 0; font-family: 'Noto Serif CJK SC'; color: #111; }
header { display: flex; justify-content: space-between; align-items: flex-end;
         border-bottom: 2px solid #a00; padding-bottom: 2mm; margin-bottom: 5mm; font: 10pt 'Noto Sans CJK SC'; }
header .paper { font: 700 30pt 'Noto Serif CJK SC'; color: #a00; }
.row { display: flex; gap: 6mm; margin-bottom: 6mm; border-bottom: 0.5px solid #999; padding-bottom: 4mm; }
.cell { display: flex; flex-direction: column; gap: 6mm; }
.kicker { font: 13pt 'Noto Sans CJK SC'; text-align: center; }
h1 { font: 700 22pt 'Noto Sans CJK SC'; text-align: center; margin: 1mm 0; }
.sub { font: 13pt 'Noto Sans CJK SC'; text-align: center; }
.body { margin-top: 3mm; column-gap: 6mm; font-size: var(--body); line-height: 1.5; text-align: justify; }
.body p { margin: 0; text-indent: 2em; }
.teaser { border: 1.5px solid #a00; padding: 3mm; }
.teaser h1 { font-size: 17pt; }
.teaser .ref { font: var(--body) 'Noto Sans CJK SC'; text-align: right; }
.photo { height: 55mm; background: linear-gradient(135deg, #789, #cba); }
figcaption { font: 8pt 'Noto Sans CJK SC'; line-height: 1.4; margin-top: 1.5mm; text-align: justify; }
footer { border-top: 0.5px solid #999; font: 8pt 'Noto Sans CJK SC'; padding-top: 1mm; }
"""


def _story_html(story: Story) -> str:
    esc = html.escape
    if story.kind == "photo":
        return (
            f'<figure style="margin:0"><div class="photo"></div><figcaption>{esc(story.caption)}</figcaption></figure>'
        )
    parts = ['<div class="teaser">' if story.kind == "teaser" else "<article>"]
    if story.kicker:
        parts.append(f'<div class="kicker">{esc(story.kicker)}</div>')
    if story.title:
        parts.append(f"<h1>{esc(story.title)}</h1>")
    parts.extend(f'<div class="sub">{esc(line)}</div>' for line in story.subtitles)
    if story.kind == "teaser":
        parts.append(f'<div class="ref">{esc(story.paragraphs[0])}</div></div>')
        return "".join(parts)
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in story.paragraphs)
    parts.append(f'<div class="body" style="columns:{story.columns}">{paragraphs}</div></article>')
    return "".join(parts)


def page_html(page: Page) -> str:
    """The page as one HTML document."""
    rows = []
    for row in page.rows:
        cells = "".join(
            f'<div class="cell" style="flex:{cell.span} 1 0">{"".join(_story_html(s) for s in cell.stories)}</div>'
            for cell in row
        )
        rows.append(f'<div class="row">{cells}</div>')
    header = (
        f'<header><span class="paper">{html.escape(page.paper)}</span><span>{html.escape(page.date)}</span>'
        f"<span>第{page.edition}版 {html.escape(page.section)}</span>"
        f"<span>责任编辑：{html.escape(page.editor)}</span></header>"
    )
    style = CSS.replace("var(--height)", f"{page.height_mm}mm")
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{style}</style></head>'
        f'<body><div style="--body:{page.body_pt}pt">{header}{"".join(rows)}</div></body></html>'
    )


def print_pdf(pages: list[Page], out: Path) -> Path:
    """Print pages (one PDF page each, in order) into `out` with headless Chromium."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise RuntimeError("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    body = "".join(
        page_html(page).split("<body>", 1)[1].replace("</body></html>", "") + '<div style="break-after:page"></div>'
        for page in pages
    )
    document = page_html(pages[0]).split("<body>", 1)[0] + f"<body>{body}</body></html>"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "page.html"
        source.write_text(document, encoding="utf-8")
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", source.as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return out


def scan_pdf(pdf: Path, out: Path, scale: float = 1.5) -> Path:
    """A scan of a PDF: every page rendered to an image and saved as an image-only PDF (no text layer)."""
    document = pdfium.PdfDocument(pdf)
    try:
        images = [document[i].render(scale=scale).to_pil().convert("RGB") for i in range(len(document))]
    finally:
        document.close()
    images[0].save(out, "PDF", resolution=72 * scale, save_all=True, append_images=images[1:])
    return out


def char_error_rate(expected: str, found: str) -> float:
    """Character errors over the expected length; errors counted from difflib's edit script (an upper
    bound on the edit distance: a replaced run counts its longer side)."""
    matcher = difflib.SequenceMatcher(None, expected, found, autojunk=False)
    errors = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal")
    return errors / max(1, len(expected))


def page_stories(page: Page) -> list[Story]:
    """The stories printed on a page, row by row, each cell top to bottom."""
    return [story for row in page.rows for cell in row for story in cell.stories]


# -- the generated front page and its page 2 ------------------------------------------------------

_LEAD = Story(
    kicker="聚焦冬季农业生产",
    title="全市油菜种植面积突破八十万亩",
    subtitles=["——各地抢抓晴好天气推进冬种扩面"],
    columns=3,
    paragraphs=[
        "本报讯 (全媒体记者 李明远 通讯员 周晓) 记者从市农业农村局获悉，截至12月10日，全市今冬油菜种植面积达到"
        "81.6万亩，比去年同期增加6.2万亩，创近五年新高。",
        "今年以来，市农业农村局把冬种扩面作为稳粮增油的重要抓手，组织200名农技人员下沉到田间地头，"
        "指导农户选用早熟高产品种，推广机械直播和“稻油轮作”模式。衡南县、祁东县等产油大县率先完成播种任务，"
        "其中衡南县种植面积达到15.3万亩，居全市第一。",
        "在祁东县归阳镇，种植大户王建国正驾驶播种机在田里来回作业。他告诉记者，今年流转了320亩稻田种油菜，"
        "全部采用机械化播种，每亩成本比人工节省约80元。“政府有补贴，技术员随叫随到，我们种得放心。”",
        "市农业农村局负责人介绍，下一步将加强田间管理和病虫害防治，确保油菜安全越冬，为明年粮油丰收打下坚实基础。",
        "（下转第2版）",
    ],
)
_TEASER = Story(
    kind="teaser",
    title="高铁新城片区控规获批",
    subtitles=["——未来五年将建成30所中小学"],
    paragraphs=[">>> 详见第三版"],
)
_METRO = Story(
    title="城区新增公交线路四条",
    columns=2,
    paragraphs=[
        "本报讯 (记者 赵琳) 12月14日起，市公交集团开通18路、26路、31路和K5路四条公交线路，"
        "覆盖高铁新城、白沙洲工业园等新建片区，惠及沿线约12万居民。",
        "据介绍，四条新线路共设站点96个，首末班时间为早6时至晚9时，全部使用新能源车辆。"
        "市民可通过“衡阳公交”小程序查询车辆实时位置。",
    ],
)
_BRIEF = Story(
    kind="brief",
    paragraphs=[
        "本报讯 (记者 孙悦) 12月13日，市图书馆“冬日书香”阅读季启动，活动持续至明年2月，"
        "将举办讲座、展览和亲子阅读等活动42场。",
    ],
)
_PHOTO = Story(
    kind="photo",
    caption="12月13日，南岳衡山迎来今冬首场雾凇，游客在祝融峰拍照留念。 全媒体记者 吴刚 摄",
)
_SCHOOL = Story(
    kicker="办好人民满意的教育",
    title="我市新建改扩建学校十二所",
    columns=2,
    paragraphs=[
        "本报讯 (全媒体记者 刘芳) 今年我市新建、改扩建中小学和幼儿园12所，新增学位1.8万个，城区大班额问题基本消除。",
        "市教育局相关负责人表示，明年将继续实施学位扩容工程，重点解决高铁新城、蒸湘北片等人口导入区域的入学需求，"
        "同时加强乡村学校教师队伍建设，推动城乡教育均衡发展。",
        "据统计，全市今年共招聘中小学教师860名，其中农村学校教师占比超过六成。",
    ],
)
_HEALTH = Story(
    title="基层医疗机构实现远程会诊全覆盖",
    columns=2,
    paragraphs=[
        "本报讯 (记者 陈静 通讯员 黄河) 近日，随着常宁市最后一批乡镇卫生院接入市远程医疗平台，"
        "我市176家基层医疗机构全部实现与市级医院远程会诊。",
        "远程医疗平台由市中心医院牵头建设，提供远程会诊、影像诊断、心电诊断等服务。今年以来，平台已开展远程会诊"
        "5300余例，让群众在家门口就能看上专家号。",
        "市卫健委负责人说，接下来将推动平台向村卫生室延伸，并把检查结果互认范围扩大到全市二级以上医院。",
    ],
)
_CONTINUED = Story(
    title="全市油菜种植面积突破八十万亩",
    columns=3,
    paragraphs=[
        "（上接第1版）",
        "在衡阳县，县农业农村局组织技术人员开展“送技下乡”活动，累计培训农民4000余人次，发放技术资料1.2万份。"
        "该县还对连片种植100亩以上的经营主体给予每亩50元奖补。",
        "市农业农村局测算，按亩产150公斤计算，今冬新增的油菜面积可为全市增产菜籽油约3000吨。",
    ],
)
_PAGE2_OTHER = Story(
    title="衡州大道改造工程完工通车",
    columns=2,
    paragraphs=[
        "本报讯 (记者 杨帆) 12月12日，衡州大道提质改造工程全面完工并恢复通车。改造后的道路由双向四车道拓宽为"
        "双向六车道，新增非机动车道和人行道共8.6公里。",
        "工程总投资2.3亿元，同步完成了雨污分流管网和路灯改造。",
    ],
)

FRONT_PAGE = Page(
    edition=1,
    section="要闻",
    editor="张伟",
    rows=[
        [Cell(3, [_LEAD]), Cell(2, [_TEASER, _METRO])],
        [Cell(1, [_PHOTO, _BRIEF]), Cell(2, [_SCHOOL]), Cell(2, [_HEALTH])],
    ],
)
SECOND_PAGE = Page(edition=2, section="综合", editor="王强", rows=[[Cell(3, [_CONTINUED]), Cell(2, [_PAGE2_OTHER])]])


def bundled_page() -> Page:
    """The bundled 衡阳日报 page's articles laid out as a real page (from `ingest.articles` of the text)."""
    found = split_articles(
        BUNDLED_PAGE.read_text(encoding="utf-8"), str(BUNDLED_PAGE), BUNDLED_PAGE.name, date_from_name(BUNDLED_PAGE)
    )
    stories = []
    for article in found:
        if article.kind == "teaser":
            stories.append(
                Story(
                    kind="teaser",
                    title=article.title,
                    subtitles=article.subtitles,
                    paragraphs=[">>> " + article.text.rsplit("，", 1)[-1].rstrip("。")],
                )
            )
        elif article.has_headline:
            kicker, subs = _split_subtitles(article.subtitles)
            stories.append(
                Story(
                    title=article.title, kicker=kicker, subtitles=subs, paragraphs=article.text.split("\n"), columns=2
                )
            )
        else:
            stories.append(Story(kind="brief", paragraphs=article.text.split("\n"), columns=2))
    xinhua, teaser, liu, qiaocheng, zhu, zheng, renda = stories
    liu.paragraphs += qiaocheng.paragraphs  # on the page the 华侨城 paragraphs follow the 刘越高 story
    liu.columns = zhu.columns = 3
    return Page(
        edition=1,
        section="要闻",
        editor="刘敏",
        rows=[[Cell(3, [xinhua, liu]), Cell(2, [teaser, zheng])], [Cell(3, [zhu]), Cell(2, [renda])]],
        body_pt=8,
        height_mm=460,
    )


def _split_subtitles(subtitles: list[str]) -> tuple[str, list[str]]:
    """Lines the text version put before its title are 引题; a 专栏 tag and ——副题 follow the title."""
    kicker = next((s for s in subtitles if not s.startswith(("—", "“")) and not s.endswith("①")), "")
    return kicker, [s for s in subtitles if s != kicker]


def main(argv: list[str]) -> None:
    out = Path(argv[0] if argv else "pages")
    out.mkdir(parents=True, exist_ok=True)
    print_pdf([FRONT_PAGE], out / "front-2022-12-15.pdf")
    print_pdf([SECOND_PAGE], out / "page2-2022-12-15.pdf")
    print_pdf([FRONT_PAGE, SECOND_PAGE], out / "two-pages-2022-12-15.pdf")
    print_pdf([bundled_page()], out / "hengyang-daily-2022-12-15.pdf")
    print_pdf([FRONT_PAGE, SECOND_PAGE] * 10, out / "twenty-pages-2022-12-15.pdf")
    scan_pdf(out / "front-2022-12-15.pdf", out / "scanned-2022-12-15.pdf")
    for path in sorted(out.glob("*.pdf")):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])

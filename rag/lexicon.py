"""One set of word lists for question analysis, name collection, condensing and citation checks.

Every list states a fact of Chinese (or of China's administrative map), never of one paper: part-of-
speech tags of jieba, the titles that head an organisational unit (X长, 书记, 主任 …), bodies of any
level of government (国家/省/市/县 … 局/厅/委), the words a paper uses for its own region (我省, 全市),
the measure words a number is counted in, and the head nouns of keyword questions (…的主演, …日期).
"""

from __future__ import annotations

import re

PERSON_FLAGS = frozenset({"nr", "nrfg", "nrt"})
PLACE_FLAGS = frozenset({"ns"})
ORG_FLAGS = frozenset({"nt"})
# a place a common noun names, after 在/到/于…: 在游客中心, 到山顶, 于吉达港, 在福建沿海一带
PLACE_PHRASE = re.compile(
    r"(?:在|到|于|至|赴|往|从)[\u4e00-\u9fff]{0,8}?"
    r"(?:中心|馆|场|站|港|楼|院|寺|庙|山|山顶|村|镇|乡|街|路|区|县|市|省|州|国|岛|湖|河|江|海|宫|园|厅|室|校|基地"
    r"|境内|境外|一带|沿海|附近|地区|现场|门口|家中|网上)"
)
NAME_FLAGS = PERSON_FLAGS | PLACE_FLAGS | ORG_FLAGS | {"nz"}  # proper names a sentence states
GLUED = "是有在著说称为于和与的被将把给对从向会能"  # characters jieba glues to the end of a name it does not know
ABBREVIATION_FLAG = "j"  # jieba's tag for abbreviations (国常会, 人大)

# Units of organisation whose head is "<unit>长" (厅长, 院长, 关长, 校长, 行长 …) and titles of other forms.
_HEAD_UNITS = "部厅局处科司署关院校所馆站队团组社行会庭省市县区乡镇村州军师旅营连舰船机"
TITLE_PATTERN = (
    r"(?:常务)?副?(?:(?:党组|党委|党工委|纪委|工委)?(?:副)?书记|(?:董事|理事|秘书|检察|审计|["
    + _HEAD_UNITS
    + r"])长|(?:总)?经理|主任|主席|总裁|总监|总编辑|主编|发言人|总理|大使|委员|院士)"
)
TITLE = re.compile(TITLE_PATTERN)
# What answers "担任什么职务": a title, or a post named by its holder's role (议员, 总督, 知县, 推官, 教练)
ROLE = re.compile(
    TITLE_PATTERN
    + r"|议员|总督|巡抚|知[县府州]|(?:推|法|判|警|外交|检察|指挥|长)官"
    + r"|主持人|教授|教练|导演|编剧|制片人|研究员|大臣|将军|元帅"
)
# When something happened, without a calendar date: an era year (承光元年, 万历二十年), a year in brackets
# (（577年）), a period (孔雀王朝时期, 唐末, 19世纪), an age (十八岁起)
PERIOD = re.compile(
    r"[\u4e00-\u9fff]{2}(?:元|[一二三四五六七八九十]{1,3})年|公元前?\d{1,4}年|[（(]\d{1,4}年"
    r"|时期|年间|年代|世纪|末年|初年|时代[早中晚初末]期|[秦汉晋隋唐宋元明清][初末]"
    r"|(?:\d{1,3}|[一二三四五六七八九十]{1,3})岁(?:时|那年|开始|起|以后|之后)"
)

# A body of government at any level: 国家统计局, 省水利厅, 市发展和改革委员会, 县教育局 (not a level or a
# kind of body: 省级部门, 市直部门).
BODY = re.compile(
    r"(?:国家|中央|国务院|自治区|省|市|州|县|区)(?!级)[\u4e00-\u9fff]{1,10}?(?:委员会|办公厅|办公室|部(?!门)|厅|局|委|署|院)"
)

# How a paper names its own region (我省, 全市) or the country (我国, 全国), and common nouns jieba tags
# as places (城市, 当地): none is a place name that must be found literally.
OWN_REGION = re.compile(
    r"^(?:我|全|本|该|各|当|外)(?:国|省|市|区|县|州|镇|乡|村|地)$"
    r"|^(?:中国|国内|国外|境外|海外|全球|世界|城市|城乡|农村|乡村|地区|地方|国家|省份|县城)$"
)
OWN_PROVINCE = re.compile(r"我省|全省|本省")

# China's provincial-level divisions, which a provincial paper writes as 我省/全省.
PROVINCES = frozenset(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 "
    "贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门".split()
)

# Measure words and units a counted answer carries (the "asked unit" of 多少X / 几X).
UNITS = (
    "岁 度 ℃ 元 万元 亿元 美元 人 名 位 个 家 项 次 件 条 座 所 辆 架 艘 只 头 张 本 部 场 届 种 类 天 日 年 月 周 "
    "小时 分钟 秒 米 千米 公里 平方米 平方公里 亩 公顷 吨 千克 公斤 克 升 千瓦 瓦 倍 %"
).split()
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
NUMBER = rf"(?:\d+(?:[.,]\d+)*|[{_CN_DIGITS}]+)(?:多|余|几)?(?:万|亿)?"

# The asked unit from a noun of the question: an age is counted in 岁, a temperature in 度 …
UNIT_NOUNS = (
    (re.compile(r"年龄|年纪|几岁|多少岁|多大岁数|享年"), "岁"),
    (re.compile(r"温度|气温|多少度|几度|高温|低温"), "度"),
    (re.compile(r"比例|百分之|占比|比重|增长率|增速|率是|百分比"), "%"),  # before 元: 投资增速 is a share
    # an amount named by a -额 noun (总额, 销售额; not 名额, a count), an income or a fund is money
    (re.compile(r"价格|票价|多少钱|费用|售价|成本|补贴|投资|(?<!名)额|营收|收入|利润|产值|生产总值|资金|经费"), "元"),
    (re.compile(r"人数|多少人|几个人|几人|多少名"), "人"),
    (re.compile(r"多久|多长时间|时长|历时多少|持续多少"), "时长"),
)
# Units that answer for the asked one (an amount of 万元 answers 元; a share in 成 or 个百分点 answers %).
UNIT_FORMS = {
    "岁": r"岁|周岁",
    "度": r"度|℃|摄氏度",
    "元": r"元|块|美元|欧元|日元|港元|港币|英镑|镑|卢布|韩元|澳元|加元|法郎|美金",
    "人": r"人|名|位|人次",
    "名": r"人|名|位|人次",
    "位": r"人|名|位|人次",
    "天": r"天|日",
    "日": r"天|日",
    "周": r"周|星期",
    "时长": r"年|个月|月|周|星期|天|日|小时|分钟|秒|昼夜",  # a span of time answers 多久
    "%": r"%|％|成|个百分点|\s*[:：比]\s*\d",  # 比例约为1：7
    "美元": r"美元|美金",  # a currency the question names is the one that answers
    "欧元": r"欧元",
    "英镑": r"英镑",
    "日元": r"日元",
    "港元": r"港元|港币",
}

# Head nouns that type a keyword question without a question word (北京冬奥会开幕日期, 电影的主演).
HEAD_NOUNS = (
    ("when", re.compile(r"(?:日期|时间|时候|年份|月份|开幕日|截止日)$")),
    (
        "number",
        re.compile(
            r"(?:产量|营收|收入|增长|增速|增幅|人数|数量|总量|规模|金额|吞吐量|票房|面积|人口|销量|销售额|价格|"
            r"GDP|总值|比例|比重|占比|[^效]率|多少|年龄|温度|长度|高度|距离)$"
        ),
    ),
    (
        "who",
        re.compile(
            r"(?:得主|主演|旗手|冠军|亚军|导演|作者|创始人|创办人|负责人|主持人|发言人|演唱者|设计者|发明者|"
            r"获得者|继任者|主角|队长|教练)$"
        ),
    ),
    ("where", re.compile(r"(?:地点|地址|位置|所在地|举办地|发源地|产地|总部|首都|省会)$")),
)

# Words that point back to an earlier turn of a chat (其中, 这些, 该, 他, and a counted "两个报告" or
# "三项措施" that the question does not name): a follow-up leaning on context.
CONTEXT_WORDS = re.compile(
    r"其中|这些|那些|这个|那个|这位|那位|这次|此次|该|上述|那里|这里|其|此|他们|她们|他|她|它"
    r"|[两三四五六七八九十](?:个|项|份|大)"
)

# A dateline opening a story, with the byline in brackets after it: 衡阳日报讯（全媒体记者 陈润）, 本报讯,
# 新华社北京12月14日电（记者 …）, 中新网北京7月24日电 (记者 …), 央视网消息：: a news organisation (本报, or
# a name ending in 社/报/台/网/新闻/客户端), where and when it was filed, and the credit. Without a date
# only an agency's (…社) place and 电 standing alone count (新华社北京电, not 全社会用电量). Ingest reads the paper and
# the reporters from it; answers drop it. `WIRE_DATELINE` finds one anywhere in a text.
_DATELINE_BODY = (
    r"(?P<paper>本报|[\u4e00-\u9fff·]{1,12}?(?:社|报|台|网|新闻|客户端)(?![社报台网]))"
    r"(?:讯|消息[:：]|(?P<place>[\u4e00-\u9fff]{0,8}?)(?:\d{4}年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})日(?:电|讯)"
    r"|(?<=社)[\u4e00-\u9fff]{2,6}?电(?=\s|[（(]|$))"  # an agency may leave the date out: 新华社北京电 （记者…）
)
DATELINE = re.compile(rf"^\s*{_DATELINE_BODY}\s*(?:[（(](?P<credit>[^）)]{{1,60}})[）)])?\s*")
WIRE_DATELINE = re.compile(_DATELINE_BODY)
# A byline in brackets inside a sentence: （记者 魏华都）, (全媒体记者 陈润 通讯员 …).
CREDIT = re.compile(r"[（(][^）)]{0,30}记者[^）)]{0,30}[）)]")
# Questions about who wrote or photographed a story, which its byline answers.
ASKS_BYLINE = re.compile(r"记者|通讯员|作者|撰稿|摄影|供稿|报道者")
# A superlative a question asks for (投资最大, 首个; not 最近 or 最终, which are times) and the words
# that state one in an answer: a sentence without any cannot say which is the largest.
ASKS_SUPERLATIVE = re.compile(r"最(?![近终后初])[\u4e00-\u9fff]|之最|首个|首位")
STATES_SUPERLATIVE = re.compile(r"最|第一|首个|首位|首次|之首|榜首|居首|领先|冠军|之最|头号|首屈")

# A question word or phrase (谁, 哪一年, 什么时候, 多少): what a question asks, not what it is about.
QUESTION_WORD = re.compile(
    r"为什么|为何|什么时候|什么时间|什么样的?|什么|哪一?[个些里儿位所座家种类条项年月天名]|哪国|哪|谁|多少|"
    r"几[个项次家位名人条年天岁度元倍种所座届场月号日]?|何时|何地|何处|怎样|怎么样?|如何"
)

# Words a question and an article use for the same thing (facts of Chinese, not of one paper): a
# question's 别名 is held by an article that writes 别称 or 又名.
_SAME_MEANING = (
    "别名 别称 又称 又名 俗称 俗名 亦称 也称 称为 称之为 被称为 史称 人称",
    "出生地 出生于 生于 出生在",
    "职务 职位 官职 担任",
    "就读 就学 毕业于 求学",
    "著作 作品 著有 撰有",
    "特点 特征 特色",
    "症状 表现 病征",
    "位置 位于 坐落",
    "由来 得名 名称来源 得来",
    "名字 名称 命名 取名",
    "曾经 曾任 曾经担任",
    "现今 现任 目前 如今 现在",
    "地方 地区 等地 一带",
    "种植 栽培 栽种 引种",
    "种类 类型 分类",
    "不良影响 副作用 危害",
    "举行 召开 举办",
)
SAME_MEANING = {word: set(group.split()) - {word} for group in _SAME_MEANING for word in group.split()}

"""The slot where a question's question word stands, on sentences written for these tests, and the short
answer it gives each question type."""

from __future__ import annotations

from datetime import date

from rag.answer.slot import slot
from rag.answer.span import short_span


def test_the_words_between_both_sides_of_the_question_word_are_the_slot():
    found = slot("四泉教堂是由谁设计的？", "四泉教堂由建筑师博罗米尼设计，于1646年完工。")
    assert found == "建筑师博罗米尼"  # a name jieba does not know stays whole, without the question's own words


def test_the_noun_naming_the_kind_of_answer_need_not_be_written():
    assert slot("阿夸弗雷斯卡现效力于哪个球队？", "阿夸弗雷斯卡现效力意甲热那亚。") == "意甲热那亚"
    assert slot("马库斯是哪个国家的赛车手？", "马库斯是一位德国的赛车手。") == "一位德国"


def test_quotes_and_bylines_do_not_open_a_short_answer():
    assert slot("和平会议计划在哪里举行？", "据报道，“和平会议”在沙特举行。") == "沙特"
    sentence = "中新网香港7月23日电 (记者 魏华都)记者23日获悉，研讨会由励志教育青年基金主办"
    assert "魏华都" not in short_span("研讨会由谁举办？", sentence)[1]


def test_one_side_found_runs_to_the_clause_end():
    assert slot("新馆选址在什么地方？", "经过论证，新馆选址在江东区湘江北岸，明年开工。") == "江东区湘江北岸"
    assert slot("什么的出现缓解了拥挤？", "1960年代组屋的出现才缓解了这一状况。") == "1960年代组屋"


def test_a_sentence_without_the_questions_words_has_no_slot():
    assert slot("新馆由谁设计？", "全市今年新建道路12条。") == ""
    assert slot("新馆的设计", "新馆由市设计院设计。") == ""  # no question word


def test_a_slot_does_not_cross_a_clause_nor_keep_a_note_in_brackets():
    sentence = "马库斯（1980年6月13日－），出生于斯图加特，是一位德国的赛车手"
    assert slot("马库斯是哪个国家的赛车手？", sentence) == "一位德国"


def test_who_and_where_take_the_slot_and_reasons_take_the_sentence():
    sentence = "四泉教堂由建筑师博罗米尼设计，于1646年完工"
    assert short_span("四泉教堂是由谁设计的？", sentence) == ("建筑师博罗米尼", "建筑师博罗米尼")
    reason = "由于连日降雨，湘江水位上涨，渡口暂停运营"
    assert short_span("渡口为什么暂停运营？", reason) == ("", reason)


def test_a_name_comes_with_the_title_the_sentence_puts_before_it():
    sentence = "并分别与省商务厅党组书记谭平，长沙海关党委书记、关长朱光耀，省工信厅厅长雷绍业举行座谈"
    assert short_span("长沙海关关长是谁？", sentence) == ("关长朱光耀", "关长朱光耀")


def test_a_slot_of_function_words_answers_nothing():
    sentence = "在前期试点基础上，进一步扩大新车预查验试点"
    assert short_span("哪个机构扩大了新车预查验试点？", sentence) == ("", sentence)
    assert short_span("哪个单位扩大了新车预查验试点？", "交管局扩大了新车预查验试点")[1] == "交管局"


def test_a_factoid_slot_is_the_short_answer_but_not_shown_before_the_sentence():
    written, short = short_span("新馆主要展出什么？", "新馆主要展出衡阳出土的青铜器，共300余件。")
    assert (written, short) == ("", "衡阳出土的青铜器")


def test_a_when_answer_is_the_date_where_the_question_word_stands_not_the_first_date():
    sentence = "21日，法官宣布，这起案件的庭审将于2024年5月20日开始，并将持续两周"
    assert short_span("案件的庭审将于哪一天开始？", sentence, date(2023, 7, 22)) == ("2024年5月20日", "2024年5月20日")
    # without a slot, the date the question's words stand nearest to
    nearest = "10日，协会公布：新馆的奠基日期为3月8日"
    assert short_span("新馆奠基是什么时候？", nearest, date(2023, 2, 11))[0] == "3月8日"


def test_a_role_is_the_title_written_before_the_name_the_question_gives():
    sentence = "在省城期间，市长王强还与省林业厅厅长赵刚进行了会谈"
    assert short_span("赵刚担任什么职务？", sentence) == ("省林业厅厅长", "省林业厅厅长")  # not 进行了会谈
    listing = "并分别与省交通厅党组书记李明，市海关党委书记、关长孙涛，省水运局局长周平举行座谈"
    assert short_span("孙涛是谁？", listing)[1] == "市海关党委书记、关长"  # who a named person is: the titles
    assert short_span("市海关关长是谁？", listing)[1] == "关长孙涛"  # who holds a post: the name

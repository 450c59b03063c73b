"""Fixed replies the engine gives when it does not answer from an intent (zh, en).

Kept apart from the engine so wording can be reviewed in one place.
"""

from __future__ import annotations

from datetime import date

HOTLINE = {
    "zh": "其他问题请拨打12345政务服务便民热线，或访问海珠区人民政府网站 www.haizhu.gov.cn。",
    "en": "For anything else, call the 12345 government service hotline or visit the Haizhu "
    "District government website www.haizhu.gov.cn.",
}

COVERS = {
    "zh": "我根据《{title}》（{published}发布）回答问题，"
    "可以问：学位和学校、托育、重点项目、城中村改造、道路交通、公园绿化、医疗、就业、文体、经济数据等。",
    "en": "I answer from Haizhu District's official report on its {results_year} results and "
    "{plan_year} plan (published {published}): school places, childcare, major projects, "
    "urban-village renovation, roads and transport, parks, health, jobs, culture and sports, and "
    "the headline economic figures.",
}

# before an answer to a question about a place in Haizhu (南武中学附近托位有多少)
WHOLE_DISTRICT = {
    "zh": "报告只有海珠区全区的数字，没有{places}一带的。",
    "en": "The report gives figures for Haizhu District as a whole, not for {places} alone.",
}

FALLBACK = {
    "low_score": {
        "zh": "抱歉，这个问题我在报告里找不到答案。",
        "en": "Sorry, I can't find an answer to that in the report.",
    },
    "empty": {
        "zh": "请输入您的问题，例如“海珠区有多少个托位？”",
        "en": 'Please type a question, for example "How many childcare places are there?"',
    },
    "too_long": {
        "zh": "问题太长了，请用一两句话简要提问。",
        "en": "That message is too long; please ask in a sentence or two.",
    },
    "other_place": {
        "zh": "我只能回答海珠区的情况，无法提供{places}的数据，请向当地政府查询。",
        "en": "I can only answer about Haizhu District, not about {places}; please ask the local "
        "government there.",
    },
    "personal": {
        "zh": "个人的具体情况（如入学资格、补偿、申请条件）我无法判断，请咨询相关部门或拨打12345热线。",
        "en": "I can't decide individual cases (eligibility, compensation, applications); please "
        "contact the department concerned or call the 12345 hotline.",
    },
    "procedure": {
        "zh": "报告只有统计数字和工作计划，没有办事流程（如何报名、申请、需要什么材料、去哪里办）。"
        "办事请拨打12345政务服务便民热线，或查看海珠区人民政府网站 www.haizhu.gov.cn 的办事服务。",
        "en": "The report has figures and plans, not procedures (how to apply or enrol, which "
        "documents, where to go). For that, call the 12345 government service hotline or see "
        "www.haizhu.gov.cn.",
    },
    "request": {
        "zh": "我只回答海珠区发展报告里的数字和计划，不能写诗、讲笑话、翻译或荐股，也不作评论和预测。",
        "en": "I only answer with the figures and plans of Haizhu District's report; I can't write "
        "poems, tell jokes, translate, give stock tips, or offer opinions and predictions.",
    },
    "fragment": {
        "zh": "这句话要接着前面的问题才看得懂，请把问题说完整，例如“海珠区有多少个托位？”",
        "en": 'I need the whole question to answer that, for example "How many childcare places '
        'are there?"',
    },
    "detail": {
        "zh": "报告没有写到您问的这一项（比如高度、面积、营收、价格或人名），我不能给出这个数字。",
        "en": "The report does not give that detail (a height, an area, revenue, a price or a "
        "name), so I can't give a figure for it.",
    },
    "no_period": {
        "zh": "报告（{published}发布）只有{results_year}年实绩和{plan_year}年计划目标，没有{years}年的这项数字。",
        "en": "The report (published {published}) has only {results_year} results and {plan_year} "
        "targets, no {years} figure for this.",
    },
    "none_of_these": {
        "zh": "好的。请换个说法再问一次，或者问问别的。",
        "en": "All right. Please rephrase your question or ask something else.",
    },
}

RELATED_FIGURES = {
    "zh": "报告里有相关的数字，可点下面的按钮查看。",
    "en": "The report's related figures are one tap away below.",
}

CLARIFY = {"zh": "您想问的是哪一项？", "en": "Did you mean one of these?"}

# Time notes: the first line of an answer when the report cannot give what was asked for the
# period asked. {published} is the report's publication month; years come from its metadata.
NOT_IN_REPORT = {
    "zh": "报告（{published}发布）只有{results_year}年实绩和{plan_year}年计划目标，没有{years}年的数字。"
    "以下是报告中最新的相关数字。",
    "en": "The report (published {published}) has only {results_year} results and {plan_year} "
    "targets, no figures for {years}. Here are its latest related figures.",
}
NOT_FOR_THIS = {
    "zh": "报告没有{years}年的这项数字，以下是报告中的相关数字。",
    "en": "The report has no {years} figure for this. Here is what it has.",
}
PLAN_ONLY = {
    "zh": "报告只有{years}年的计划目标，没有{years}年实际完成的数字。",
    "en": "The report has only the {years} targets, not what was actually achieved in {years}.",
}
DONE_UNKNOWN = {
    "zh": "报告（{published}发布）只写了{years}年的计划目标，无法说明是否已经完成；"
    "现在的进展请拨打12345政务服务便民热线查询。",
    "en": "The report (published {published}) only sets the {years} targets; it cannot say "
    "whether they were met. For the current state, call the 12345 hotline.",
}
DONE_AS_OF_REPORT = {
    "zh": "截至报告发布（{published}），这是{years}年的计划目标，之后的进展请拨打12345政务服务便民热线查询。",
    "en": "As of the report ({published}) this was a {years} target; for progress since then, "
    "call the 12345 hotline.",
}

# Footer: the status of a fact on the day the answer is read.
RESULT = {"zh": "{year}年实绩", "en": "{year} result"}
PLAN_RUNNING = {
    "zh": "{year}年计划目标（截至报告发布尚未完成）",
    "en": "{year} plan (a target, not yet met as of the report)",
}
PLAN_OVER = {
    "zh": "{year}年计划目标（{published}定下，报告无法说明是否完成）",
    "en": "{year} plan (a target set in {published}; the report cannot say whether it was met)",
}
SOURCE_LINE = {
    "zh": "《{title}》（{published}发布）{sections}",
    "en": "{title} (published {published}), section {sections}",
}


def month(day: date, lang: str) -> str:
    """2025年3月 / March 2025."""
    return f"{day.year}年{day.month}月" if lang == "zh" else day.strftime("%B %Y")


def years_text(years: list[int], lang: str) -> str:
    """2026 / 2026、2027 (zh) or 2026 and 2027 (en)."""
    shown = [str(y) for y in years]
    if lang == "zh":
        return "、".join(shown)
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]

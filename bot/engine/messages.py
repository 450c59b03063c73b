"""Fixed replies the engine gives when it does not answer from an intent (zh, en).

Kept apart from the engine so wording can be reviewed in one place.
"""

from __future__ import annotations

HOTLINE = {
    "zh": "其他问题请拨打12345政务服务便民热线，或访问海珠区人民政府网站 www.haizhu.gov.cn。",
    "en": "For anything else, call the 12345 government service hotline or visit the Haizhu "
    "District government website www.haizhu.gov.cn.",
}

COVERS = {
    "zh": "我根据《海珠区2024年国民经济和社会发展计划执行情况与2025年计划草案的报告》回答问题，"
    "可以问：学位和学校、托育、重点项目、城中村改造、道路交通、公园绿化、医疗、就业、文体、经济数据等。",
    "en": "I answer from Haizhu District's official report on its 2024 results and 2025 plan: "
    "school places, childcare, major projects, urban-village renovation, roads and transport, "
    "parks, health, jobs, culture and sports, and the headline economic figures.",
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
    "none_of_these": {
        "zh": "好的。请换个说法再问一次，或者问问别的。",
        "en": "All right. Please rephrase your question or ask something else.",
    },
}

CLARIFY = {"zh": "您想问的是哪一项？", "en": "Did you mean one of these?"}

OTHER_YEAR = {
    "zh": "（报告只有2024年的实绩和2025年的计划，没有{years}年的数字。以下是报告中的相关内容。）",
    "en": "(The report covers only 2024 results and the 2025 plan, not {years}. Here is what it says.)",
}

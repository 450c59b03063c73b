"""Examples added by staff from Telegram, on top of the content files (the overlay).

An added example is a citizen's question that staff attached to an intent. `with_added` gives
the content with those examples appended to their intents (the files are never touched; `python
-m bot examples export` writes them there later). `check_added` is the test an example must pass
before it goes live, the same rules `check` applies to the files' examples: the engine built
with it must answer it with its own intent, and no example of another intent may change hands.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.content.load import Content
from bot.engine.answer import Answer, Lang
from bot.engine.normalize import detect_lang

MAX_EXAMPLE = 200  # characters: an example is a question, not a document


@dataclass(frozen=True, slots=True)
class AddedExample:
    """One question staff attached to an intent."""

    intent: str
    question: str

    @property
    def lang(self) -> Lang:
        return detect_lang(self.question)


def with_added(content: Content, added: Sequence[AddedExample]) -> tuple[Content, list[str]]:
    """The content with `added` appended to their intents' examples, and the problems (an
    example whose intent no longer exists, or one the intent already has, is left out)."""
    by_intent: dict[str, dict[Lang, list[str]]] = {}
    problems: list[str] = []
    known = {li.intent.id: li for li in content.intents}
    for ex in added:
        li = known.get(ex.intent)
        if li is None:
            problems.append(f"added example {ex.question!r}: intent '{ex.intent}' no longer exists")
            continue
        own = [*li.intent.examples.zh, *li.intent.examples.en]
        extra = by_intent.setdefault(ex.intent, {"zh": [], "en": []})
        if ex.question in own or ex.question in extra[ex.lang]:
            continue
        extra[ex.lang].append(ex.question)
    if not by_intent:
        return content, problems
    intents = []
    for li in content.intents:
        more = by_intent.get(li.intent.id)
        if more is None:
            intents.append(li)
            continue
        examples = li.intent.examples.model_copy(
            update={
                "zh": [*li.intent.examples.zh, *more["zh"]],
                "en": [*li.intent.examples.en, *more["en"]],
            }
        )
        intent = li.intent.model_copy(update={"examples": examples})
        intents.append(dataclasses.replace(li, intent=intent))
    return dataclasses.replace(content, intents=intents), problems


Asker = Callable[[str], Answer]
# the guards' refusals: no example can make the bot answer these (bot.engine.guards)
_GUARDED = {
    "other_place": "it asks about another place",
    "personal": "it asks about a personal case",
    "procedure": "it asks how or where to do something",
    "request": "it asks for something other than the report's facts",
    "too_long": "it is too long",
    "empty": "it has no words",
}


def check_added(
    after: Asker,
    example: AddedExample,
    examples: Sequence[tuple[str, str]],
    same: Callable[[str], str],
    title: Callable[[str], str],
) -> list[str]:
    """Why `example` must not be added, as far as the example itself goes (empty: it may):
    it must not be another intent's example already, and `after` (the engine with it) must
    answer it with its intent. `examples` are every (intent, example) of the content before;
    `same` is the normaliser's text (two examples that normalise alike are one); `title`
    names an intent. Whether it takes other intents' examples is Engine.check_example's."""
    problems: list[str] = []
    key = same(example.question)
    for intent, text in examples:
        if intent != example.intent and same(text) == key:
            problems.append(f"it is already an example of '{intent}' ({title(intent)}): {text!r}")
            return problems
    answer = after(example.question)
    if answer.decision == "fallback" and answer.reason in _GUARDED:
        problems.append(
            f"the bot refuses questions like it ({_GUARDED[answer.reason]}), "
            "example or not: it cannot be answered with figures"
        )
    elif answer.decision != "answer" or answer.intent != example.intent:
        got = answer.intent or ", ".join(answer.intents) or answer.decision
        problems.append(f"even with it as an example, the bot answers it with '{got}'")
    return problems

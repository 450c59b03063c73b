"""What the engine remembers of a conversation: the last answer, as plain data.

The caller keeps one `Context` per asker per chat (bot.conversation stores them) and hands it to
`Engine.ask`; `Context.after(answer)` is the context the next question is read against. It holds
no figures: only what was understood and answered, so a fragment (那去年呢, 普惠的占多少, what
about last year?) can be read as the same topic with a new year, aspect or named thing, and a
typed reply to "which one did you mean?" (a number, or words of one choice) can pick it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, get_args

from bot.engine.answer import Answer, Lang, Script


@dataclass(frozen=True, slots=True)
class Context:
    understood: str  # the question as answered (a fragment joined to what it followed)
    lang: Lang
    script: Script
    intents: tuple[str, ...] = ()  # what was answered
    years: tuple[int, ...] = ()  # the years asked
    choices: tuple[str, ...] = ()  # a "which one did you mean?" question's candidates, in order

    @classmethod
    def after(cls, answer: Answer, before: Context | None = None) -> Context | None:
        """The context after `answer`: an answer or a clarifying question starts a new one; a
        refusal or fallback leaves the one before (番禺呢 refused; 那去年呢 goes on), and so does
        an answer about the bot itself (thanks, goodbye); another place refused with Haizhu's
        topic offered starts one on that topic."""
        if answer.decision == "answer" and answer.topical:
            return cls(
                answer.understood or answer.question,
                answer.lang,
                answer.script,
                answer.intents or ((answer.intent,) if answer.intent else ()),
                answer.years,
            )
        if answer.reason == "other_place" and answer.related:
            # 天河区GDP多少, refused: 那海珠呢 asks Haizhu's (the topic offered, by its title:
            # the question names the other place)
            return cls(
                answer.related[0].title,
                answer.lang,
                answer.script,
                (answer.related[0].intent,),
                answer.years,
            )
        if answer.decision == "clarify":
            return cls(
                answer.understood or answer.question,
                answer.lang,
                answer.script,
                (),
                answer.years,
                tuple(c.intent for c in answer.candidates),
            )
        return before

    def to_json(self) -> str:
        return json.dumps(
            {
                "understood": self.understood,
                "lang": self.lang,
                "script": self.script,
                "intents": list(self.intents),
                "years": list(self.years),
                "choices": list(self.choices),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Context | None:
        """A stored context, or None when it cannot be read (stored by other code, damaged)."""
        try:
            raw: Any = json.loads(text)
            lang, script = raw["lang"], raw["script"]
            if lang not in get_args(Lang) or script not in get_args(Script):
                return None
            return cls(
                str(raw["understood"]),
                lang,
                script,
                tuple(str(i) for i in raw.get("intents", ())),
                tuple(int(y) for y in raw.get("years", ())),
                tuple(str(i) for i in raw.get("choices", ())),
            )
        except (ValueError, KeyError, TypeError):
            return None

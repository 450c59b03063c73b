"""The path of a question through the engine, in order, in one place.

    screen -> (a clarify choice picked) -> normalize -> resolve time -> rank -> decide
           -> prefer the topic named -> rank clauses
           -> prefer the conversation's topic, and the year it asks
           -> by figure -> the answers' own words
           -> guards (off-topic, fragment, request, procedure, personal case, other place,
              a detail not given)
           -> several parts -> answer both -> time note
           -> compose (`finish`)

Each step is a function or small object over a `Query` (bot.engine.query); a new guard is one
more step in `Pipeline.steps`, with its own tests. With a conversation's context, a fragment
that does not stand alone runs the steps again as the last question joined with it
(bot.engine.followup).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from bot.content import Content
from bot.engine.answer import ABOUT_BOT, GLOSSARY_TOPIC, Answer, Lang, Related
from bot.engine.clock import Clock
from bot.engine.context import Context
from bot.engine.detail import AskedDetail
from bot.engine.followup import EXACT, FollowUp, asks_plan, names_time, year_shift
from bot.engine.frozen import evolve
from bot.engine.guards import (
    Fragment,
    OffTopic,
    OtherPlace,
    Personal,
    Procedure,
    Request,
    answer_texts,
    screen,
)
from bot.engine.match import Matcher
from bot.engine.meaning import Meaning
from bot.engine.near import whole_district
from bot.engine.normalize import (
    Normalized,
    Normalizer,
    detect_lang,
    fold,
    tells_lang,
    tells_script,
)
from bot.engine.query import Incoming, Query, Step
from bot.engine.rank import (
    AddAskedYear,
    AnswerBoth,
    GeneralOnlyWhenSure,
    MultiPart,
    PinyinReading,
    PreferAskedYear,
    Rank,
    RankClauses,
    by_figure,
    decide_step,
    prefer_context,
    prefer_named,
)
from bot.engine.render import Composer
from bot.engine.terms import ByAnswerWords
from bot.engine.when import ResolveTime, TimeNote, asked_years


def standard_steps(
    content: Content,
    normalizer: Normalizer,
    matchers: Mapping[Lang, Matcher],
    composer: Composer,
    pinyin_reading: PinyinReading,
) -> list[Step]:
    """The steps between normalising and composing, in the order they run."""
    intents = content.intents
    fact_years = frozenset(f.year for f in content.facts.values())
    general = frozenset(i for i, li in enumerate(intents) if li.intent.topic in ABOUT_BOT)
    return [
        ResolveTime(fact_years),
        Rank(matchers, normalizer, pinyin_reading),
        decide_step,
        prefer_named,
        RankClauses(normalizer),
        prefer_context,
        PreferAskedYear([li.years for li in intents], answer_texts(intents)),
        by_figure,
        ByAnswerWords(intents),
        GeneralOnlyWhenSure(general, normalizer),
        Meaning(
            {
                normalizer.text(k): i
                for i, li in enumerate(intents)
                if li.intent.topic == GLOSSARY_TOPIC
                for k in li.intent.keywords
            }
        ),
        OffTopic(composer),
        Fragment(composer),
        Request(composer),
        Procedure(composer),
        Personal(composer, intents),
        OtherPlace(composer, intents, normalizer),
        AskedDetail(composer, intents, content.lexicon, normalizer),
        MultiPart(normalizer, fact_years, general=general),
        AnswerBoth(normalizer),
        AddAskedYear([li.years for li in intents]),
        TimeNote(intents, content.source, composer, normalizer),
        whole_district,
    ]


def received(question: str) -> Incoming:
    """The question as received, with any lone surrogate (possible in a JSON-decoded message)
    replaced so that the conversions and the question log, which encode to UTF-8, accept it."""
    question = question or ""
    if not question.isascii():
        try:
            question.encode("utf-8")
        except UnicodeEncodeError:
            question = question.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    text = question.strip()
    return Incoming(question, text, detect_lang(text))


def compose(composer: Composer) -> Callable[[Query], Answer]:
    """The last step: the answer (with the intents answered together and the note), the
    question which one was meant, or the fallback with the best candidates."""

    def step(q: Query) -> Answer:
        d = q.decision
        candidates = composer.candidates(d, q.lang, q.script)
        if d.kind == "answer" and d.best is not None:
            return composer.answer(
                d.best,
                q.question,
                q.lang,
                q.script,
                q.top_score,
                candidates,
                q.norm.text,
                q.today,
                q.note,
                q.also,
            )
        if d.kind == "clarify":
            return composer.clarify(
                q.question, q.lang, q.script, q.top_score, candidates, q.norm.text
            )
        return composer.fallback(
            q.question, "low_score", q.lang, q.script, q.norm.text, q.top_score, candidates
        )

    return step


class Pipeline:
    """Runs a question through `steps`; the first step that returns an Answer ends it, and
    `finish` composes the answer of a question that passed them all."""

    def __init__(
        self,
        normalizer: Normalizer,
        matchers: Mapping[Lang, Matcher],
        composer: Composer,
        steps: Sequence[Step],
        finish: Callable[[Query], Answer],
        clock: Clock,
        followup: FollowUp | None = None,
    ) -> None:
        self.normalizer = normalizer
        self.matchers = matchers
        self.composer = composer
        self.steps = tuple(steps)
        self.finish = finish
        self.clock = clock
        self.followup = followup

    def ask(self, question: str, context: Context | None = None) -> Answer:
        """Answer one question, read against the conversation's last answer if given."""
        answer = self._ask(question, context)
        if (
            context is not None
            and context.intents
            and answer.reason == "other_place"
            and answer.related
            and self.followup is not None
        ):
            return self._offer_last_topic(answer, context)
        return answer

    def _offer_last_topic(self, answer: Answer, context: Context) -> Answer:
        """A follow-up that only moves to another place (鹤龙呢, and Panyu?), refused: the figures
        offered are the last answer's topic's, not what the place's name resembles (鹤龙: the
        dragon boats), and so 咁海珠呢 goes back to that topic."""
        norm = self.normalizer.normalize(answer.question)
        rest = fold(answer.question)
        for place in norm.places:
            rest = rest.replace(place, " ")
        if self.normalizer.names_topic(rest):
            return answer  # (天河区GDP多少 after托位: the GDP is offered)
        indices = self.followup.indices(context.intents[:1]) if self.followup else []
        if not indices:
            return answer
        i = indices[0]
        offered = Related(
            self.composer.intent_id(i), self.composer.title(i, answer.lang, answer.script)
        )
        return evolve(answer, related=(offered,))

    def _ask(self, question: str, context: Context | None = None) -> Answer:
        incoming = received(question)
        if context is not None and incoming.lang != context.lang and not tells_lang(incoming.text):
            # ok, PM10?: the conversation's language goes on
            incoming = evolve(incoming, lang=context.lang)
        refused = screen(incoming, self.composer)
        if refused is not None:
            return refused
        today = self.clock()
        if context is not None and self.followup is not None:
            chosen = self.followup.pick(incoming, context)
            if chosen is not None:
                answer = self.composer.answer(
                    chosen, incoming.question, context.lang, context.script, 100.0, (), "", today
                )
                return evolve(
                    answer, understood=context.understood, years=context.years, followed=True
                )
        norm = self.normalizer.normalize(incoming.text)
        if (
            context is not None
            and context.script != norm.script
            and not tells_script(incoming.text)
        ):
            # 咁前年呢 is the same in both scripts: the conversation's goes on
            norm = evolve(norm, script=context.script)
        if context is None and norm.bare and asks_plan(norm):
            # (今年有什么目标 sent first asks the plan: bare only after an answer)
            norm = evolve(norm, bare=False)
        if context is not None and norm.bare and not norm.offtopic:
            # a bare fragment (那去年呢, 增长多少) answers nothing alone, as the `Fragment` guard
            # would tell after ranking it: in a conversation, not ranked alone at all
            alone = self._bare(incoming, norm, today)
        else:
            alone = self._run(incoming, incoming.text, norm, today)
        if context is None or self.followup is None:
            return alone
        shift = year_shift(incoming.text)
        joined = self.followup.joined(context, incoming)
        if not self.followup.wanted(incoming, norm, alone, context):
            if self.followup.weakly_alone(norm, alone, context):
                followed = self._read_with(incoming, joined, norm, context, today, shift)
                if followed.decision == "answer" and followed.intents[:1] == context.intents[:1]:
                    return evolve(followed, followed=True)
            return alone
        followed = self._read_with(incoming, joined, norm, context, today, shift)
        if (
            norm.bare
            and followed.decision == "answer"
            and self.followup.indices(context.intents)  # (none after "which one did you mean?")
            and not self.followup.in_family(followed.intents, context.intents)
        ):
            # a bare fragment read as another topic (那今年目标呢 after 每千人多少个, joined: the
            # model plans): read against the name of the last answer's topic instead
            again = self._read_with(
                incoming, self.followup.titled(context, incoming), norm, context, today, shift
            )
            if again.decision == "answer" and self.followup.in_family(
                again.intents, context.intents
            ):
                followed = again
        if (
            followed.decision in ("fallback", "clarify")
            and alone.reason == "fragment"
            and self.followup.indices(context.intents)
        ):
            # a bare fragment (佔幾成) after a question that does not name its topic
            # (達到國家推薦標準嘅有幾間, answered on the topic's words; 占GDP比重 then 今年目标,
            # a which-one question joined): joined to the topic's name instead
            titled = self.followup.titled(context, incoming)
            again = self._read_with(incoming, titled, norm, context, today, shift)
            if again.decision == "answer" and set(again.intents) & set(context.intents):
                followed = again
        if followed.reason == "no_period":
            return evolve(followed, followed=True)
        if followed.decision != "answer":
            # a detail the last answer's topic does not give (投资几多 after a school with no
            # investment figure) says so and offers that topic; anything else falls back alone,
            # as does a detail of the question's own topic (how many fires, after the games)
            if followed.reason == "detail" and alone.decision != "answer":
                if alone.reason == "detail" and alone.related:
                    return alone
                return evolve(followed, followed=True)
            if (
                followed.reason == "detail"
                and alone.intents
                and alone.score < EXACT
                and not self.followup.names_keyword_of(norm.text, alone.intents[0])
            ):
                # (喺边间学校 after the Hong Kong and Macao classes: alone, the new schools'
                # answer by the word 学校, matched short of an example; of the classes, a detail
                # the report lacks)
                return evolve(followed, followed=True)
            return alone
        return evolve(followed, followed=True)

    def _read_with(
        self,
        incoming: Incoming,
        text: str,
        norm: Normalized,
        context: Context,
        today: date,
        shift: int,
    ) -> Answer:
        """The question read as `text`: the fragment joined to the last question (or to the
        name of its topic), with the fragment's own time and scope."""
        assert self.followup is not None
        merged = self.followup.merged(
            self.normalizer.normalize(text, scope=norm), norm, context, shift
        )
        return self._run(
            incoming,
            text,
            merged,
            today,
            followup=True,
            before=frozenset(self.followup.indices(context.intents)),
            own_time=names_time(norm) or bool(shift) or asks_plan(norm),
        )

    def _bare(self, incoming: Incoming, norm: Normalized, today: date) -> Answer:
        """What a bare fragment gets alone: the `Fragment` guard's reply, unranked."""
        answer = self.composer.fallback(
            incoming.question, "fragment", incoming.lang, norm.script, norm.text
        )
        years = tuple(sorted(asked_years(norm, today)))
        return evolve(answer, understood=incoming.text, years=years)

    def _run(
        self,
        incoming: Incoming,
        text: str,
        norm: Normalized,
        today: date,
        *,
        followup: bool = False,
        before: frozenset[int] = frozenset(),
        own_time: bool = False,
    ) -> Answer:
        q = Query(
            question=incoming.question,
            text=text,
            lang=incoming.lang,
            norm=norm,
            matcher=self.matchers[incoming.lang],
            today=today,
            followup=followup,
            before=before,
            own_time=own_time,
        )
        answer = self._steps(q)
        if answer.decision == "answer":
            intents = tuple(
                self.composer.intent_id(i) for i in (q.decision.best, *q.also) if i is not None
            )
        else:
            intents = ()
        return evolve(answer, understood=text, intents=intents, years=tuple(sorted(q.asked)))

    def _steps(self, q: Query) -> Answer:
        for step in self.steps:
            answer = step(q)
            if answer is not None:
                return answer
        return self.finish(q)

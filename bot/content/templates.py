"""Answer templates -> text: a sandboxed Jinja2 environment over the report's facts.

Templates come from content files, so they run in an immutable sandbox (no attribute tricks, no
code from content) with strict undefined values (a missing fact fails loudly). Rendering records which facts a
template used, so every answer can end with its years, status (2024 result / 2025 plan) and source
sections without the template writer having to remember.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import CodeType
from typing import Any

import jinja2
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.content.diskcache import DiskCache
from bot.content.schema import Fact, Source


def format_number(value: float | int) -> str:
    """3395 -> '3395', 36.6 -> '36.6', 5.0 -> '5' (as the report writes them)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class QuantityView:
    """A number of a fact as templates see it."""

    def __init__(self, value: float | int, unit: str, written: str | None) -> None:
        self.value = int(value) if float(value).is_integer() else value
        self.unit = unit
        self.written = written

    def shown(self) -> str:
        return (self.written or format_number(self.value)) + self.unit


class Values:
    """`f.<fact>.v`: a fact's named numbers; a name it does not have is an error naming it
    (`f.care_places_2024.v.per_1000x`: "fact 'care_places_2024' has no value 'per_1000x'")."""

    def __init__(self, fact_id: str, values: dict[str, QuantityView]) -> None:
        self._fact = fact_id
        self._values = values

    def _get(self, name: str) -> QuantityView:
        value = self._values.get(name)
        if value is None:
            known = ", ".join(self._values) or "none"
            raise TemplateError(f"fact '{self._fact}' has no value '{name}' (it has: {known})")
        return value

    def __getattr__(self, name: str) -> QuantityView:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._get(name)

    def __getitem__(self, name: str) -> QuantityView:
        return self._get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Any:
        return iter(self._values)

    def get(self, name: str) -> QuantityView | None:
        return self._values.get(name)


class FactView:
    """A fact as templates see it: .value .unit .items .year .status .label .v.<name>."""

    def __init__(self, fact: Fact) -> None:
        self.id = fact.id
        self.year = fact.year
        self.status = fact.status
        self.label = fact.label or ""
        self.items = list(fact.items)
        self.section = fact.section
        # as Fact.quantities(), without building Quantity models again: the main value first
        values: dict[str, QuantityView] = {}
        if fact.value is not None:
            values["value"] = QuantityView(fact.value, fact.unit, fact.written)
        for name, q in fact.values.items():
            values[name] = QuantityView(q.value, q.unit, q.written)
        self.v = Values(fact.id, values)
        main = values.get("value")
        self.value = main.value if main else None
        self.unit = main.unit if main else ""


class FactAccess:
    """`f` in templates: attribute access by fact id, recording what was used.

    `views` may be shared by the renders of one load: a view is read-only to templates (the
    sandbox is immutable), so each fact's is built once.
    """

    def __init__(self, facts: dict[str, Fact], views: dict[str, FactView] | None = None) -> None:
        self._facts = facts
        self._views = {} if views is None else views
        self._names: set[str] = set()
        self.used: list[Fact] = []

    def __getattr__(self, name: str) -> FactView:
        if name.startswith("_"):
            raise AttributeError(name)
        fact = self._facts.get(name)
        if fact is None:
            raise TemplateError(f"unknown fact '{name}'")
        if name not in self._names:  # the first use of this name: record its fact once
            self._names.add(name)
            # `fact not in self.used`, comparing ids first: equal facts have equal ids
            if not any(u is fact or (u.id == fact.id and u == fact) for u in self.used):
                self.used.append(fact)
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = FactView(fact)
        return view


def _shown(obj: Any) -> str:
    """What a filter was given, for its error message."""
    if isinstance(obj, jinja2.Undefined):
        name = getattr(obj, "_undefined_name", None)
        return f"the undefined '{name}'" if name else "an undefined value"
    return f"{type(obj).__name__} {str(obj)[:40]!r}"


def _n(obj: Any) -> str:
    """The number as the report writes it, with its unit."""
    if isinstance(obj, FactView):
        main = obj.v.get("value")
        if main is None:
            raise TemplateError(f"fact '{obj.id}' has no main value; use .v.<name>")
        return main.shown()
    if isinstance(obj, QuantityView):
        return obj.shown()
    raise TemplateError(f"filter n expects a fact or a named value, not {_shown(obj)}")


def _num(obj: Any) -> str:
    """The number without its unit, for English: digits as the report writes them; a figure the
    report writes with 万/亿 shows that form and its conversion (9万 (90,000))."""
    if isinstance(obj, FactView):
        obj = obj.v.get("value")
        if obj is None:
            raise TemplateError("fact has no main value; use .v.<name>")
    if isinstance(obj, QuantityView):
        written = obj.written or ""
        if re.fullmatch(r"\d+(\.\d+)?", written):
            return written  # the report's own digits: 8.0, 871.20
        if re.fullmatch(r"\d+(\.\d+)?[万亿]", written):
            # keep the report's own figure visible next to the conversion: 8955.34万 (89,553,400)
            return f"{written} ({round(obj.value):,})"
        return format_number(obj.value)  # Chinese numerals (十, 两) become digits
    if isinstance(obj, int | float):
        return format_number(obj)
    raise TemplateError(f"filter num expects a fact or a named value, not {_shown(obj)}")


_VIEWS = frozenset({FactAccess, FactView, QuantityView, Values})


MAX_REPEAT = 100_000  # characters or items a `*` may make
MAX_RANGE = 10_000  # items of one range()
_WIDE_FORMAT = re.compile(r"%[-+ #0]*(?:\d{5,}|\*)|\{[^{}]*:[^{}]*\d{5,}")


def _capped_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise SecurityError(f"range of {len(r)} items (at most {MAX_RANGE})")
    return r


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, judging attributes of the views above without its chain of type
    checks (about ten per attribute read: a good part of the time of a render).

    A view is none of the objects whose attributes the sandbox guards specially (functions,
    methods, types, code, frames, generators, mutable collections), so for a view the sandbox's
    verdict depends on the name only: `_...` is unsafe. That verdict, given directly; every other
    object goes through the sandbox's own checks.
    """

    # operators whose result a template could make huge: `'x' * 2000000000`, `9 ** 9 ** 9`,
    # `'%2000000000s' % x` (`.format` widths: `wrap_str_format` below)
    intercepted_binops = frozenset({"*", "**", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if type(obj) in _VIEWS:
            return not attr.startswith("_")
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(n, int)
                    and len(seq) * n > MAX_REPEAT
                ):
                    raise SecurityError(f"'*' would make {len(seq) * n:,} items")
        elif operator == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError("'**' with an exponent over 64")
        elif operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise SecurityError("a format width of 10,000 or more")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Any:
        """`'…'.format(...)` and `format_map`: the sandbox's formatter, without huge widths."""
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and _WIDE_FORMAT.search(owner):
            raise SecurityError("a format width of 10,000 or more")
        return super().wrap_str_format(value)


def full_date(day: date, lang: str = "zh") -> str:
    """2025年3月14日 / 14 March 2025 (also the `day` filter: {{ source.published | day('en') }})."""
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {day:%B %Y}"


@lru_cache(maxsize=1)
def make_environment() -> ImmutableSandboxedEnvironment:
    env = _Sandbox(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["n"] = _n
    env.globals["range"] = _capped_range
    env.filters["num"] = _num
    env.filters["day"] = full_date
    return env


@dataclass(frozen=True, slots=True)
class Rendered:
    """One template rendered against the data, with the facts it used."""

    text: str
    facts: tuple[Fact, ...]


_BLANK_LINES = re.compile(r"\n{3,}")


class Renderer:
    """Renders templates against one set of facts, e.g. all the answers of a load.

    Each fact's view is built once, and the disk cache of compiled templates is checked once (when
    the first template is not compiled yet in this process), not for every template.
    """

    def __init__(
        self, env: ImmutableSandboxedEnvironment, facts: dict[str, Fact], report: Source
    ) -> None:
        self._env = env
        self._facts = facts
        self._report = report
        self._views: dict[str, FactView] = {}
        self._cache: _CodeCache | None = None

    def render(self, source: str) -> Rendered:
        """Render; raises jinja2.TemplateError (syntax, undefined, sandbox) on any problem."""
        access = FactAccess(self._facts, self._views)
        template = _templates.get(source)
        if template is None:
            if self._cache is None:
                self._cache = _CodeCache()
            template = _compiled(self._env, source, self._cache)
        text = template.render(f=access, source=self._report)
        return Rendered(_BLANK_LINES.sub("\n\n", text).strip(), tuple(access.used))


def render_template(
    env: ImmutableSandboxedEnvironment, source: str, facts: dict[str, Fact], report: Source
) -> Rendered:
    """Render; raises jinja2.TemplateError (syntax, undefined, sandbox) on any problem."""
    return Renderer(env, facts, report).render(source)


# What compiled code depends on besides the source: Python's bytecode format, Jinja's version and
# this environment's settings. Part of every cache key.
_CODE_VERSION = hashlib.sha256(
    b"|".join(
        [
            importlib.util.MAGIC_NUMBER,
            jinja2.__version__.encode(),
            b"immutable-sandbox,strict,trim,lstrip,n,num,binops:*:**:%",
        ]
    )
).hexdigest()[:16]

_templates: dict[str, Template] = {}


class _CodeCache:
    """Compiled templates in the private disk cache (see `bot.content.diskcache`)."""

    def __init__(self) -> None:
        self._disk = DiskCache()

    def load(self, key: str) -> CodeType | None:
        data = self._disk.read(f"{key}.bin")
        if data is None:
            return None
        try:
            code = marshal.loads(data)  # noqa: S302 - private, see bot.content.diskcache
        except (ValueError, EOFError, TypeError):
            return None
        return code if isinstance(code, CodeType) else None

    def store(self, key: str, code: CodeType) -> None:
        self._disk.write(f"{key}.bin", marshal.dumps(code))


def _compiled(
    env: ImmutableSandboxedEnvironment, source: str, cache: _CodeCache | None = None
) -> Template:
    """Compile once per process, and keep the bytecode in a private cache across restarts.

    Compiling ~200 templates costs over half a second at start-up, several times all the rest of
    a load, hence the disk cache (`cache`, or one checked now).
    """
    template = _templates.get(source)
    if template is not None:
        return template
    if cache is None:
        cache = _CodeCache()
    key = hashlib.sha256(f"{_CODE_VERSION}|{source}".encode()).hexdigest()
    code = cache.load(key)
    if code is None:
        code = env.compile(source)  # raises TemplateSyntaxError for bad templates
        cache.store(key, code)
    template = env.template_class.from_code(env, code, env.make_globals(None))
    if len(_templates) > 4096:  # edits over many reloads must not grow memory forever
        _templates.clear()
    _templates[source] = template
    return template

"""Answer templates -> text: a sandboxed Jinja2 environment over the report's facts.

Templates come from content files, so they run in an immutable sandbox (no attribute tricks, no
code) with strict undefined values (a missing fact fails loudly). Rendering records which facts a
template used, so every answer can end with its years, status (2024 result / 2025 plan) and source
sections without the template writer having to remember.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.schema import Fact, Quantity, Source

logger = logging.getLogger(__name__)


def format_number(value: float | int) -> str:
    """3395 -> '3395', 36.6 -> '36.6', 5.0 -> '5' (as the report writes them)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class QuantityView:
    """A number of a fact as templates see it."""

    def __init__(self, q: Quantity) -> None:
        self.value = int(q.value) if float(q.value).is_integer() else q.value
        self.unit = q.unit
        self.written = q.written

    def shown(self) -> str:
        return (self.written or format_number(self.value)) + self.unit


class FactView:
    """A fact as templates see it: .value .unit .items .year .status .label .v.<name>."""

    def __init__(self, fact: Fact) -> None:
        self.id = fact.id
        self.year = fact.year
        self.status = fact.status
        self.label = fact.label or ""
        self.items = list(fact.items)
        self.section = fact.section
        self.v = {name: QuantityView(q) for name, q in fact.quantities().items()}
        main = self.v.get("value")
        self.value = main.value if main else None
        self.unit = main.unit if main else ""


class FactAccess:
    """`f` in templates: attribute access by fact id, recording what was used."""

    def __init__(self, facts: dict[str, Fact]) -> None:
        self._facts = facts
        self.used: list[Fact] = []

    def __getattr__(self, name: str) -> FactView:
        if name.startswith("_"):
            raise AttributeError(name)
        fact = self._facts.get(name)
        if fact is None:
            raise TemplateError(f"unknown fact '{name}'")
        if fact not in self.used:
            self.used.append(fact)
        return FactView(fact)


def _n(obj: Any) -> str:
    """The number as the report writes it, with its unit."""
    if isinstance(obj, FactView):
        main = obj.v.get("value")
        if main is None:
            raise TemplateError(f"fact '{obj.id}' has no main value; use .v.<name>")
        return main.shown()
    if isinstance(obj, QuantityView):
        return obj.shown()
    raise TemplateError("filter n expects a fact or a named value")


def _num(obj: Any) -> str:
    """The number without its unit, for English: digits as the report writes them; a figure the
    report writes with 万/亿 shows that form and its conversion (9万 (90,000))."""
    if isinstance(obj, FactView):
        obj = obj.v.get("value")
        if obj is None:
            raise TemplateError("fact has no main value; use .v.<name>")
    if isinstance(obj, QuantityView):
        if obj.written and any(ch in obj.written for ch in "万亿"):
            # keep the report's own figure visible next to the conversion: 8955.34万 (89,553,400)
            return f"{obj.written} ({int(obj.value):,})"
        return format_number(obj.value)
    if isinstance(obj, int | float):
        return format_number(obj)
    raise TemplateError("filter num expects a fact or a named value")


@lru_cache(maxsize=1)
def make_environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["n"] = _n
    env.filters["num"] = _num
    return env


@dataclass(frozen=True, slots=True)
class Rendered:
    """One template rendered against the data, with the facts it used."""

    text: str
    facts: tuple[Fact, ...]


def render_template(
    env: ImmutableSandboxedEnvironment, source: str, facts: dict[str, Fact], report: Source
) -> Rendered:
    """Render; raises jinja2.TemplateError (syntax, undefined, sandbox) on any problem."""
    access = FactAccess(facts)
    template = _compiled(env, source)
    text = template.render(f=access, source=report)
    return Rendered(re.sub(r"\n{3,}", "\n\n", text).strip(), tuple(access.used))


def footer(facts: tuple[Fact, ...], report: Source, lang: str) -> str:
    """Years, result/plan status and source sections of the facts an answer used."""
    if not facts:
        return ""
    kinds = sorted({(f.year, f.status) for f in facts})
    sections = list(dict.fromkeys(f.section for f in facts))
    if lang == "en":
        status = "; ".join(
            f"{year} plan (a target, not yet achieved)" if st == "plan" else f"{year} result"
            for year, st in kinds
        )
        return (
            f"[{status}]\nSource: {report.title_en} (published {report.published}), "
            f"section {', '.join(sections)}"
        )
    status = "；".join(
        f"{year}年计划目标（尚未完成）" if st == "plan" else f"{year}年实绩" for year, st in kinds
    )
    return f"【{status}】\n来源：《{report.title}》{'、'.join(sections)}"


def _cache_dir() -> Path:
    base = os.environ.get("BOT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "haizhu-bot" / f"jinja-{jinja2.__version__}"


_templates: dict[str, Template] = {}


def _compiled(env: ImmutableSandboxedEnvironment, source: str) -> Template:
    """Compile once per process, and keep the bytecode on disk across restarts.

    Compiling ~200 templates costs about half a second; a reload or restart with unchanged
    templates then only loads code. The cache is an optimisation: any failure just compiles.
    """
    template = _templates.get(source)
    if template is not None:
        return template
    key = hashlib.sha256(source.encode()).hexdigest()
    path = _cache_dir() / f"{key}.bin"
    code: CodeType | None = None
    try:
        code = marshal.loads(path.read_bytes())  # noqa: S302 - our own cache files
    except (OSError, ValueError, EOFError, TypeError):
        code = None
    if code is None:
        code = env.compile(source)  # raises TemplateSyntaxError for bad templates
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(code))
            tmp.replace(path)
        except OSError as exc:
            logger.debug("template cache not written: %s", exc)
    template = env.template_class.from_code(env, code, env.make_globals(None))
    _templates[source] = template
    return template

"""Answer templates -> text: a sandboxed Jinja2 environment over the report's facts.

Templates come from content files, so they run in an immutable sandbox (no attribute tricks, no
code from content) with strict undefined values (a missing fact fails loudly). Rendering records which facts a
template used, so every answer can end with its years, status (2024 result / 2025 plan) and source
sections without the template writer having to remember.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import marshal
import os
import re
import stat
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
        written = obj.written or ""
        if re.fullmatch(r"\d+(\.\d+)?", written):
            return written  # the report's own digits: 8.0, 871.20
        if re.fullmatch(r"\d+(\.\d+)?[万亿]", written):
            # keep the report's own figure visible next to the conversion: 8955.34万 (89,553,400)
            return f"{written} ({round(obj.value):,})"
        return format_number(obj.value)  # Chinese numerals (十, 两) become digits
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
    return Path(base).expanduser() / "haizhu-bot"


# What compiled code depends on besides the source: Python's bytecode format, Jinja's version and
# this environment's settings. Part of every cache key.
_CODE_VERSION = hashlib.sha256(
    b"|".join(
        [
            importlib.util.MAGIC_NUMBER,
            jinja2.__version__.encode(),
            b"immutable-sandbox,strict,trim,lstrip,n,num",
        ]
    )
).hexdigest()[:16]

_templates: dict[str, Template] = {}


def _private_dir(path: Path) -> bool:
    """Create `path` for this user only, and use it only if nobody else can write to it: the
    cache holds code that will run, so it must be as trusted as the program itself."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _compiled(env: ImmutableSandboxedEnvironment, source: str) -> Template:
    """Compile once per process, and keep the bytecode in a private cache across restarts.

    Compiling ~200 templates costs about a third of a second at start-up. The cache is only an
    optimisation: any doubt (foreign owner, writable by others, unreadable) means compile.
    """
    template = _templates.get(source)
    if template is not None:
        return template
    directory = _cache_dir()
    usable = _private_dir(directory)
    key = hashlib.sha256(f"{_CODE_VERSION}|{source}".encode()).hexdigest()
    path = directory / f"{key}.bin"
    code: CodeType | None = None
    if usable:
        try:
            st = path.stat()
            if st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                code = marshal.loads(path.read_bytes())  # noqa: S302 - private cache, see above
        except (OSError, ValueError, EOFError, TypeError):
            code = None
    if code is None:
        code = env.compile(source)  # raises TemplateSyntaxError for bad templates
        if usable:
            try:
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(marshal.dumps(code))
                tmp.replace(path)
            except OSError as exc:
                logger.debug("template cache not written: %s", exc)
    template = env.template_class.from_code(env, code, env.make_globals(None))
    if len(_templates) > 4096:  # edits over many reloads must not grow memory forever
        _templates.clear()
    _templates[source] = template
    return template

"""A copy of a frozen, slotted dataclass with some fields changed: what `dataclasses.replace`
gives, in half its time (it looks the fields up and calls `__init__` on every call; an answer is
copied two or three times a question). For the engine's value classes, none of which has a
`__post_init__` that a copy would have to run again."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")

_FIELDS: dict[type[Any], tuple[str, ...]] = {}
_set = object.__setattr__


def _fields(cls: type[Any]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        if hasattr(cls, "__post_init__"):
            raise TypeError(f"{cls.__name__} has __post_init__: use dataclasses.replace")
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def evolve(obj: T, **changes: Any) -> T:
    """`dataclasses.replace(obj, **changes)` for a frozen dataclass without `__post_init__`."""
    cls = type(obj)
    new: T = object.__new__(cls)
    for name in _fields(cls):
        _set(new, name, changes.pop(name) if name in changes else getattr(obj, name))
    if changes:
        raise TypeError(f"{cls.__name__} has no field {', '.join(changes)}")
    return new

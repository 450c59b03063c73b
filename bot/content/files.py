"""Reading content files as input, not trusted paths: only regular files, only inside the
content folders, only up to a size.

Content editors are not server administrators: a `file:` of /proc/self/environ, a `..`, a
symlink out of the folder or a FIFO named *.yaml must not let them read other files (the
checker's "quote not found" messages would become an oracle) nor hang a reload.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

MAX_YAML_BYTES = 4 * 1024 * 1024  # an intents or data file: the shipped ones are under 50 KB
MAX_SOURCE_BYTES = 16 * 1024 * 1024  # a report's text: the shipped one is ~150 KB


class ContentFileError(Exception):
    """A content file that may not or cannot be read; the message says why, for path:line."""


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symlink resolved, lies inside `root` (resolved too)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def read_limited(path: Path, root: Path, limit: int) -> bytes:
    """The bytes of a regular file inside `root`, at most `limit` of them; ContentFileError
    otherwise. Opened without blocking and checked on the open file, so a FIFO or a device is
    refused, not waited on, and a file swapped after a check cannot slip through."""
    if not inside(path, root):
        raise ContentFileError(f"is outside {root.name}/ (a symlink out of the content folder?)")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ContentFileError(f"cannot read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ContentFileError("cannot read: not a regular file")
        if st.st_size > limit:
            raise ContentFileError(f"cannot read: larger than {limit // (1024 * 1024)} MB")
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            data = f.read(limit + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        raise ContentFileError(f"cannot read: larger than {limit // (1024 * 1024)} MB")
    return data


def source_path(folder: Path, name: str) -> Path:
    """The report text a source's `file:` names: a relative name inside data/sources/ (no
    absolute path, no `..`); ContentFileError otherwise."""
    pure = PurePosixPath(name.replace("\\", "/"))
    if not name.strip() or pure.is_absolute() or ".." in pure.parts or ":" in name:
        raise ContentFileError(
            f"file: {name!r} must name a file inside {folder.name}/ (no absolute path, no ..)"
        )
    return folder / pure

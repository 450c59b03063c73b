"""A private on-disk cache for what a first load can skip redoing after a restart: compiled answer
templates and normalised intent examples.

Only an optimisation: any doubt (a foreign owner, a directory or file others can write to, an
unreadable or broken file) means the work is done again. The cache holds code that will run and
text the matcher trusts, so it must be as trusted as the program itself.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)


def cache_dir() -> Path:
    base = os.environ.get("BOT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "haizhu-bot"


def _private_dir(path: Path) -> bool:
    """Create `path` for this user only, and use it only if nobody else can write to it."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class DiskCache:
    """Files by name in the private cache directory, which is checked once, on creation."""

    def __init__(self) -> None:
        directory = cache_dir()
        self.directory = str(directory) if _private_dir(directory) else None

    def read(self, name: str) -> bytes | None:
        if self.directory is None:
            return None
        try:
            # the file opened is the file checked and read (os-level: ~200 of them at start-up)
            fd = os.open(os.path.join(self.directory, name), os.O_RDONLY)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
            chunks = []
            while chunk := os.read(fd, max(st.st_size, 1 << 16)):
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError:
            return None
        finally:
            os.close(fd)

    def write(self, name: str, data: bytes) -> None:
        """Written whole or not at all (a new temporary file renamed over the old one)."""
        if self.directory is None:
            return
        path = Path(self.directory, name)
        tmp = path.with_name(f"{name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            tmp.replace(path)
        except OSError as exc:
            logger.debug("cache file %s not written: %s", name, exc)
            tmp.unlink(missing_ok=True)

    def keep_newest(self, pattern: str, count: int) -> None:
        """Remove all but the `count` newest files matching `pattern` (one per content edit
        would otherwise pile up)."""
        if self.directory is None:
            return
        try:
            files = sorted(
                Path(self.directory).glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True
            )
            for old in files[count:]:
                old.unlink(missing_ok=True)
        except OSError as exc:
            logger.debug("cache not pruned: %s", exc)

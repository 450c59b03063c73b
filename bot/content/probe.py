"""Loading content first in a child process, with a time and a memory budget.

Templates come from content files and run in Jinja's sandbox, which stops code but not a loop
of a billion steps or a string of two gigabytes. So `check`, the start and every /reload load the
content once in a forked child with a CPU and an address-space limit and a wall-clock deadline;
the child reports which template it is rendering, and a child that does not finish, or dies,
becomes a problem at that template's path:line. Only content that loaded within the budget is
then loaded for real. A hung child is killed: it never holds the reload lock or shutdown.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from multiprocessing.connection import Connection
from pathlib import Path

from bot.content.load import ContentError, Problem, load_content

TIME_BUDGET = float(os.environ.get("BOT_CONTENT_SECONDS", "") or 20)  # seconds
MEMORY_BUDGET = 1536 * 1024 * 1024  # bytes of address space for the child


def _child(intents: Path, data: Path, conn: Connection, seconds: float, memory: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:
            load_content(intents, data, progress=lambda path, line: conn.send(("at", path, line)))
            conn.send(("done", []))
        except ContentError as exc:
            conn.send(("done", [(p.path, p.line, p.message, p.severity) for p in exc.problems]))
        except MemoryError:
            conn.send(("memory",))
        conn.close()
    finally:
        os._exit(0)  # no atexit handlers, no flushing the parent's buffers twice


def probe(
    intents: Path, data: Path, *, seconds: float = TIME_BUDGET, memory: int = MEMORY_BUDGET
) -> list[Problem]:
    """The problems of loading the content within the budget (empty: it loads). Problems of
    the content itself are the loader's own; running out of time or memory is one problem at
    the template being rendered."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(intents, data, sender, seconds, memory), daemon=True)
    child.start()
    sender.close()
    where: tuple[str, int] = ("content", 1)
    outcome = "time"
    deadline = time.monotonic() + seconds
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            if not receiver.poll(min(remaining, 0.25)):
                if not child.is_alive() and not receiver.poll(0):
                    outcome = "died"
                    break
                continue
            try:
                message = receiver.recv()
            except EOFError:
                outcome = "died"
                break
            if message[0] == "at":
                where = (message[1], message[2])
            elif message[0] == "memory":
                outcome = "memory"
                break
            else:
                return [Problem(*fields) for fields in message[1]]
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    why = {
        "time": f"did not finish within {seconds:g} s",
        "memory": f"needed more than {memory // (1024 * 1024)} MB",
        "died": f"stopped the loader (exit code {child.exitcode}): out of time or memory",
    }[outcome]
    return [
        Problem(
            where[0],
            where[1],
            f"rendering this answer {why}: a template that loops or builds a huge value? "
            "(the content in use is unchanged)",
        )
    ]

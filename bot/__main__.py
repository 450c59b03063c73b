"""`python -m bot`: see bot.cli."""

import os
import sys

from bot.cli import main

try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:
    # the reader went away (`python -m bot ask … | head`): nothing more to say, and no traceback;
    # stdout is pointed at devnull so the interpreter's own flush at exit does not fail again
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 0
raise SystemExit(code)

"""Ending a whole-process command without tearing the interpreter down.

A ``manage.py`` process ends by unloading some 1,500 modules and freeing every object start-up made: ~0.1 s
of a one-shot command on a loaded 2-core host, after its last line was written (``manage.py
blocklist_check`` is a user's wait: bench/blocklist_process.py). A command that has nothing to release
but its output and its database connections asks for ``skip_teardown()``; ``manage.py`` then ends it with
``finish(code)``: output flushed, logging shut down, connections closed, and ``os._exit``. Only
``manage.py`` calls ``finish``, so a command run in-process (``call_command``, tests) is unaffected; every
other command ends as Python ends (atexit handlers, such as the shell's history, still run). MISSION: DLV-2
"""

import logging
import os
import sys

_requested = False


def skip_teardown() -> None:
    global _requested
    _requested = True


def finish(code) -> None:
    """End the process with ``code`` (a ``SystemExit`` code), without teardown if it was asked for."""
    if not _requested:
        raise SystemExit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):  # as Python does: the message on stderr, status 1
        print(code, file=sys.stderr)
        code = 1
    from django.db import connections

    connections.close_all()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a reader that went away (``| head``): nothing more can be said there
            pass
    os._exit(code)

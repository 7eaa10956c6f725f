#!/usr/bin/env python
import gc
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    # Start-up creates some 400,000 objects that live as long as the process (modules, classes, settings,
    # models); the cyclic collector walked them again and again while they were made (~0.1 s of CPU) and
    # once more at exit (~0.1 s). Paused here; PortalConfig.ready() (the last app) freezes what start-up
    # made and resumes it before the command runs. A whole `manage.py blocklist_check` is a user's wait
    # (bench/blocklist_process.py). MISSION: DLV-2
    gc.disable()
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    from core.quick_exit import finish

    finish(code)  # without the interpreter's teardown when the command asked for it (core/quick_exit.py)


if __name__ == "__main__":
    main()

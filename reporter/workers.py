"""Worker processes that die with the build that started them.

Kept light on purpose: a spawned worker imports this module (to run `die_with`) before anything
else of reporter's, so it starts watching its parent within moments of starting, even while
the machine is busy.
"""

from __future__ import annotations

import os
import sys
import threading
import time


def die_with(parent: int) -> None:
    """In a worker: exit as soon as the process `parent` is gone (killed, even with -9), so no
    worker is left reading runs for nobody."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, name="reporter-parent-watch", daemon=True).start()


def can_fork() -> bool:
    """Forking copies only the calling thread: safe when it is the only one (on Linux; macOS
    frameworks are not fork-safe, Windows has no fork)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1

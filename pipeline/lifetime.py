"""Child processes that do not outlive their parent.

``die_with_parent(parent_pid)`` is the first thing a provrisk child process
does (a ``provrisk batch`` worker, a scoring worker of ``provrisk serve``).
However the parent ends, ``kill -9`` included, the child is killed too:

- on Linux the kernel sends the child SIGKILL when its parent exits
  (``prctl(PR_SET_PDEATHSIG)``). The kernel ties this to the *thread* that
  started the child, so children must be started from a thread that lives as
  long as the parent (its main thread, as ``ProcessPoolExecutor.submit`` does
  when called from it);
- a parent that died before the call is caught by comparing ``os.getppid()``
  with ``parent_pid``;
- where ``prctl`` is missing, a daemon thread polls ``os.getppid()`` every
  second instead.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_S = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Make this process exit with SIGKILL as soon as the process ``parent_pid`` (its parent) is gone."""
    if not _kernel_kills_orphan():
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), name="provrisk-parent-watch", daemon=True).start()
    if os.getppid() != parent_pid:  # the parent was already gone before the kernel could be told
        os.kill(os.getpid(), signal.SIGKILL)


def _kernel_kills_orphan() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        # The process's own symbols include libc's; find_library would run ldconfig in a subprocess.
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _exit_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_S)
    os.kill(os.getpid(), signal.SIGKILL)

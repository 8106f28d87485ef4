"""Worker tasks for the service's tests, run in the scoring processes in place of the real one.

``create_app(settings, task="tests.serve.tasks:instructed")`` serves with
:func:`instructed`: an upload that is a JSON object is an instruction for the
worker (record that it ran, then sleep or spin for a while, then answer or
fail), and so is the first upload of a comparison; any other upload is scored for real by
:func:`provrisk.serve.scoring.score_upload`. The tests' own process cannot see
into a worker, so a worker says what it did through files in ``record``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from provrisk.serve.scoring import score_upload

TASK = "tests.serve.tasks:instructed"
AUDITED = "tests.serve.tasks:audited"


def instructed(model, header: dict, data: bytes) -> tuple[dict, bytes]:
    # a comparison's first upload may be the instruction; the comparison then goes on with the uploads as sent
    first = data[: header["sizes"][0]] if header.get("job") == "compare" else data
    try:
        instruction = json.loads(first)
    except ValueError:
        instruction = None
    if not isinstance(instruction, dict):
        return score_upload(model, header, data)
    if "record" in instruction:
        # one file per job: the upload's name and the worker's pid
        Path(instruction["record"], f"{header['name']}.{os.getpid()}").write_text(str(os.getpid()), encoding="utf-8")
    until = time.monotonic() + instruction.get("seconds", 0)
    while time.monotonic() < until:
        if not instruction.get("spin"):
            time.sleep(0.01)  # otherwise: hold a CPU, as a runaway parser does
    if instruction.get("fail"):
        raise RuntimeError("internal detail the client must not see")
    if header.get("job") == "compare":
        return score_upload(model, header, data)
    return score_upload(model, header, instruction.get("text", "1. Title\nA person commits an offence.\n").encode())


_writes: list[str] = []


def _record_writes(event: str, args: tuple) -> None:
    if event == "open" and len(args) >= 3:
        path, mode, flags = args[0], args[1], args[2]
        if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        ):
            _writes.append(str(path))


def audited(model, header: dict, data: bytes) -> tuple[dict, bytes]:
    """The real task, with every file this worker opens for writing meanwhile listed in the answer's ``writes``."""
    if _record_writes not in getattr(sys, "_provrisk_test_hooks", ()):
        sys.addaudithook(_record_writes)
        sys._provrisk_test_hooks = (_record_writes,)
    _writes.clear()
    answer, body = score_upload(model, header, data)
    return {**answer, "writes": list(_writes)}, body

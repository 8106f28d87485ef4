"""How the benchmark measures: stages in fresh interpreters, their time and resident memory, and the machine.

Input: a :class:`Stage` (what to load, untimed; what to time; what to do after
the peak memory is read) and the options its child process is given. Output:
per stage a dict with the timed seconds, the seconds from launching the
process to the end of the timed work, the peak resident memory after loading
(baseline) and after the work (peak), and the stage's own details.

A child is ``python -m MODULE ...`` in a fresh interpreter, so its memory is
its own; it prints its result as JSON on the last line of its standard output
(:func:`print_child_result`) and the parent reads it (:func:`run_child`).
Stages hand their outputs to later stages through pickles in a private work
folder (:func:`load_work`, :func:`dump_work`).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import provrisk
from provrisk.errors import ProvriskError

KIB_PER_MIB = 1024
STDERR_TAIL_CHARS = 2000
PACKAGES = ("provrisk", "spacy", "scikit-learn", "numpy", "scipy", "skops", "fastapi", "uvicorn", "httpx",
            "torch", "transformers", "pypdf", "pypdfium2", "pdfminer.six")
# Never reach a model hub from a benchmark (as in the Makefile and the tests).
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


@dataclass(frozen=True)
class Stage:
    """One measured piece of work, run in a child process by :func:`run_stage`.

    ``prepare(args)`` loads what the stage needs (untimed, counted in the baseline memory) and returns its
    state; ``run(state)`` is timed and returns details; ``after(state, args)``, once the peak memory is read,
    writes outputs for later stages or explains the time spent, and returns more details. ``model``: which
    model the parent passes as ``--model`` ("linear", "transformer"), or None.
    """

    name: str
    title: str
    prepare: Callable[[argparse.Namespace], dict]
    run: Callable[[dict], dict]
    after: Callable[[dict, argparse.Namespace], dict] | None = None
    model: str | None = None


# -- memory ---------------------------------------------------------------------------------------


def process_status_mb(field_name: str, pid: int | str = "self") -> float:
    """A memory field (``VmRSS``: now, ``VmHWM``: peak) of ``/proc/PID/status``, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / KIB_PER_MIB
    raise ProvriskError(f"/proc/{pid}/status has no {field_name}")


def peak_rss_mb() -> float:
    """This process's peak resident memory so far.

    ``VmHWM`` rather than ``ru_maxrss``: Linux carries ``ru_maxrss`` over ``exec``, so a
    child started by the benchmark would report the benchmark's own size as its floor.
    """
    if Path("/proc/self/status").exists():
        return process_status_mb("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB  # KiB on Linux


def reset_peak_rss() -> None:
    """Start this process's peak resident size (``VmHWM``) again from its current size."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")


def process_tree_memory_kb(pid: int) -> dict[str, int]:
    """``VmRSS`` (now) and ``VmHWM`` (peak) of a live process and all its descendants, summed, in KiB.

    A server with ``--workers`` is a supervisor and one process per worker; each holds its own
    model, so its memory is their sum (an upper bound for the peak: the processes need not peak
    at the same moment).
    """
    values = {"VmRSS": 0, "VmHWM": 0}
    for member, _ in _process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text(encoding="ascii")
        except FileNotFoundError:
            continue  # exited in between
        for line in status.splitlines():
            key, _, rest = line.partition(":")
            if key in values:
                values[key] += int(rest.split()[0])
    return values


class ProcessTreeSampler:
    """Each process of a live tree, sampled every ``interval_s`` while the ``with`` block runs.

    Per process (by pid): its depth in the tree (0: the process itself), the first words of
    its command line, its peak resident
    memory (``VmHWM``) and its largest proportional set size seen (``Pss`` of
    ``/proc/PID/smaps_rollup``: pages shared between forked processes counted once, split
    between them). Scoring workers are forked per job and exit; sampling catches them alive.
    """

    def __init__(self, pid: int, interval_s: float = 0.5):
        self.pid = pid
        self.interval_s = interval_s
        self.processes_: dict[int, dict] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, name="bench-memory", daemon=True)

    def __enter__(self) -> ProcessTreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample_until_stopped(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval_s):
                return

    def sample(self) -> None:
        for member, depth in _process_tree(self.pid):
            try:
                command = Path(f"/proc/{member}/cmdline").read_bytes().split(b"\0")
                hwm_mb = process_status_mb("VmHWM", member)
                pss_mb = _pss_mb(member)
            except (FileNotFoundError, ProcessLookupError, ProvriskError):
                continue  # exited in between
            seen = self.processes_.setdefault(member, {"pid": member, "depth": depth, "command": _command(command),
                                                       "peak_rss_mb": 0.0,
                                                       "peak_pss_mb": 0.0})
            seen["peak_rss_mb"] = max(seen["peak_rss_mb"], hwm_mb)
            seen["peak_pss_mb"] = max(seen["peak_pss_mb"], pss_mb)

    def summary(self) -> dict:
        """The processes seen (largest peak RSS first), the largest peak RSS of one process, and
        the largest sum of PSS (the tree's real footprint, an upper bound: peaks need not coincide)."""
        processes = sorted(self.processes_.values(), key=lambda p: -p["peak_rss_mb"])
        return {
            "processes": processes,
            "max_process_peak_rss_mb": processes[0]["peak_rss_mb"] if processes else None,
            "sum_peak_pss_mb": sum(p["peak_pss_mb"] for p in processes),
        }


def _pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii").splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / KIB_PER_MIB
    raise ProvriskError(f"/proc/{pid}/smaps_rollup has no Pss")


def _command(argv: list[bytes]) -> str:
    """The first words of a command line, the program without its folder."""
    words = [word.decode(errors="replace") for word in argv if word]
    return " ".join([Path(words[0]).name, *words[1:4]])[:80] if words else ""


def _process_tree(pid: int) -> list[tuple[int, int]]:
    """``(pid, depth)`` of a process (depth 0) and all its descendants."""
    tree, pending = [], [(pid, 0)]
    while pending:
        current, depth = pending.pop()
        tree.append((current, depth))
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            pending.extend((int(child), depth + 1) for child in task.read_text().split())
    return tree


# -- child processes ------------------------------------------------------------------------------


def print_child_result(result: dict) -> None:
    """A child's answer to :func:`run_child`: the result as JSON on the last line of standard output."""
    print(json.dumps(result), flush=True)


def run_child(module: str, arguments: list[str], *, what: str, env: Mapping[str, str] | None = None,
              timeout_s: float | None = None) -> dict:
    """Run ``python -m module arguments`` in a fresh interpreter and return the JSON it printed last.

    ``what`` names the measurement in the error raised when the child fails (with the end of its
    standard error); ``env`` defaults to this process's environment with :data:`OFFLINE_ENV`;
    past ``timeout_s`` the child is killed and ``subprocess.TimeoutExpired`` is raised.
    """
    completed = subprocess.run([sys.executable, "-m", module, *arguments], env=env or {**os.environ, **OFFLINE_ENV},
                               capture_output=True, text=True, timeout=timeout_s, check=False)
    if completed.returncode != 0:
        raise ProvriskError(f"{what} failed (exit {completed.returncode}): "
                            f"{completed.stderr.strip()[-STDERR_TAIL_CHARS:]}")
    return json.loads(completed.stdout.splitlines()[-1])


def load_work(args: argparse.Namespace, name: str):
    """What an earlier stage left in the work folder under ``name``."""
    with (Path(args.work_dir) / name).open("rb") as handle:
        return pickle.load(handle)


def dump_work(args: argparse.Namespace, name: str, value) -> None:
    """Leave ``value`` in the work folder under ``name`` for later stages."""
    with (Path(args.work_dir) / name).open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)


def run_stage(stage: Stage, args: argparse.Namespace) -> dict:
    """Run ``stage`` in this process; returns its seconds, seconds since launch, memory and details."""
    state = stage.prepare(args)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    details = stage.run(state)
    seconds = time.perf_counter() - started
    # CLOCK_MONOTONIC is system-wide, so the parent's launch time is comparable: interpreter
    # start-up, imports and loading count, as a user running one command waits for them.
    since_launch = time.monotonic() - args.launched_at
    peak = peak_rss_mb()
    if stage.after is not None:
        details.update(stage.after(state, args))
    return {"stage": stage.name, "seconds": seconds, "launch_to_end_s": since_launch, "baseline_rss_mb": baseline,
            "peak_rss_mb": peak, "details": details}


def stage_child_main(stages: Mapping[str, Stage], argv: list[str] | None = None) -> None:
    """The child's command line (``--stage NAME`` of ``stages`` and its inputs): runs it, prints its result."""
    parser = argparse.ArgumentParser(description="Run one benchmark stage in a fresh process (used by provrisk bench).")
    parser.add_argument("--stage", required=True, choices=sorted(stages))
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--corpus-dir")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--model")
    parser.add_argument("--path")
    parser.add_argument("--launched-at", type=float, required=True, help="time.monotonic() when the parent started it")
    args = parser.parse_args(argv)
    print_child_result(run_stage(stages[args.stage], args))


@dataclass
class StageRunner:
    """The parent's side: runs stages of ``module`` (whose ``__main__`` is :func:`stage_child_main`) on a corpus."""

    module: str
    corpus_dir: Path
    limit: int | None
    work_dir: Path
    env: dict[str, str] = field(default_factory=lambda: {**os.environ, **OFFLINE_ENV})

    def stage(self, name: str, *, model: str | None = None, path: Path | None = None) -> dict:
        """Run stage ``name`` in a fresh interpreter; its result also holds the wall time of the whole process."""
        launched_at = time.monotonic()
        arguments = ["--stage", name, "--work-dir", str(self.work_dir), "--corpus-dir", str(self.corpus_dir),
                     "--launched-at", repr(launched_at)]
        if self.limit:
            arguments += ["--limit", str(self.limit)]
        if model is not None:
            arguments += ["--model", model]
        if path is not None:
            arguments += ["--path", str(path)]
        result = run_child(self.module, arguments, what=f"benchmark stage {name}", env=self.env)
        result["process_wall_s"] = time.monotonic() - launched_at
        return result


# -- the machine ----------------------------------------------------------------------------------


def machine_info() -> dict:
    """CPUs (count, usable, model), memory, platform, Python and the versions of :data:`PACKAGES`."""
    cpu_model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    # provrisk's own version from the code that ran: an editable install's metadata can lag behind it.
    versions = {"provrisk": provrisk.__version__}
    for package in PACKAGES[1:]:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": memory_kb / KIB_PER_MIB / KIB_PER_MIB,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
    }

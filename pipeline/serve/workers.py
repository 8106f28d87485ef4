"""Jobs in worker processes with a hard deadline: a job past it is killed, not waited for.

Input: a *setup* function and a *task* function, each named ``"module:function"``.
``setup(argument)`` runs once, in a *zygote* process spawned for it, and
returns ``(state, info)`` (the scoring service loads the model there);
``task(state, header, payload)`` runs in a *worker* forked from the zygote
and returns ``(header, body)``. A header is a JSON object and a payload or
body is bytes: nothing is pickled between the server and a worker.

Output: :class:`WorkerPool` runs one job per call of :meth:`WorkerPool.run` and
returns the task's answer, or raises :class:`JobRefused` with the HTTP status
to answer (503 or 504) or :class:`WorkerDied`.

Why processes: a thread cannot be stopped, so a document that makes a parser
or the segmenter run for minutes would keep its CPU long after its client got
its 504. A process can be killed at its deadline, and its CPU is free at once.

Why a zygote: loading the model takes seconds and hundreds of MB; a fork of
a process that already holds it takes milliseconds and shares its memory
copy-on-write (``gc.freeze`` keeps the collector from touching, and so
copying, the model's objects).

Scheduling, per pool:

- at most ``processes`` jobs run at normal priority; more wait, smaller
  payloads first (by power of two of their size, :class:`_Slots`), and first
  come first served among payloads of a size. Under overload, the larger
  documents are the ones that wait until their deadline; a payload of a few
  KB never queues behind a crafted one ten times its size. Workers are forked
  ahead, so a job does not wait for a fork;
- a job whose worker has used :data:`DEMOTE_AFTER_CPU_S` of CPU (or that has
  run :data:`DEMOTE_AFTER_S`, whichever comes first) is a *long* job: its
  process group is reniced to :data:`LONG_JOB_NICE`, so the kernel gives the
  CPU to short jobs first, and it stops counting against ``processes``, so
  short documents are not queued behind it. CPU time, not wall time, so that a
  short job slowed by a busy machine is not mistaken for a long one. At most
  :data:`LONG_JOBS_PER_PROCESS` x ``processes`` long jobs run at once (they
  hold memory); a job that would be one more is killed and answered 503. A
  crafted upload therefore costs the others at most a quarter of a CPU second
  at normal priority, however long it would take;
- a job not answered by its deadline (time spent waiting included) is killed
  with its process group (SIGKILL) and answered 504;
- a worker serves jobs one after another, and is replaced after
  :data:`JOBS_PER_WORKER` jobs, after a long job (its priority cannot be
  raised again without privileges), and when it is killed.

The zygote ends when the server process ends (its control connection closes);
each worker is killed by the kernel when its zygote ends
(:func:`provrisk.lifetime.die_with_parent`). Linux only (``fork``, process groups).
"""

from __future__ import annotations

import asyncio
import gc
import heapq
import importlib
import itertools
import json
import multiprocessing
import os
import signal
import socket
import struct
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle

from provrisk.errors import ConfigError
from provrisk.lifetime import die_with_parent

DEMOTE_AFTER_CPU_S = 0.25
DEMOTE_AFTER_S = 2.0
_DEMOTE_CHECK_S = 0.05  # how often a running job's CPU time is read
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LONG_JOB_NICE = 19
LONG_JOBS_PER_PROCESS = 4
# A worker is replaced after this many jobs, so that memory a job leaves behind cannot pile up.
JOBS_PER_WORKER = 100
_LENGTH = struct.Struct("!Q")


class JobRefused(Exception):
    """A job stopped by the pool: ``status`` is the HTTP status to answer (503 or 504)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class WorkerDied(Exception):
    """The worker ended without answering (killed from outside, out of memory, or crashed)."""


def _resolve(name: str) -> Callable:
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


# -- framing: a JSON header, then a body, each preceded by its length --------------------------------


def _frame(header: dict, body: bytes) -> bytes:
    head = json.dumps(header).encode("utf-8")
    return _LENGTH.pack(len(head)) + head + _LENGTH.pack(len(body)) + body


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = sock.recv(min(missing, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _recv_message(sock: socket.socket) -> tuple[dict, bytes] | None:
    parts = []
    for _ in range(2):
        size = _recv_exactly(sock, _LENGTH.size)
        data = None if size is None else _recv_exactly(sock, _LENGTH.unpack(size)[0])
        if data is None:
            return None
        parts.append(data)
    return json.loads(parts[0]), parts[1]


async def _read_message(reader: asyncio.StreamReader) -> tuple[dict, bytes]:
    parts = []
    for _ in range(2):
        (size,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
        parts.append(await reader.readexactly(size))
    return json.loads(parts[0]), parts[1]


# -- the zygote and its workers (run in child processes) ----------------------------------------------


def _zygote_main(control: Connection, setup: str, argument) -> None:
    # Ctrl+C reaches the whole process group; the server decides when scoring stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        state, info = _resolve(setup)(argument)
    except Exception as error:  # noqa: BLE001 - reported to the server as one line
        message = str(error) if isinstance(error, ConfigError) else f"{type(error).__name__}: {error}"
        control.send(("error", message))
        return
    gc.collect()
    gc.freeze()
    # Workers are reaped by the kernel; the server holds each one's process group to kill it.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    control.send(("ready", info))
    zygote_pid = os.getpid()
    while True:
        try:
            task = control.recv()
        except (EOFError, OSError):
            return  # the server is gone: so are we, and our workers with us
        server_end, worker_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            control.close()
            server_end.close()
            _worker_main(worker_end, task, state, zygote_pid)
        os.setpgid(pid, pid)  # here as well as in the child, so the group exists before the server can signal it
        worker_end.close()
        send_handle(control, server_end.fileno(), 0)
        server_end.close()
        control.send(pid)


def _worker_main(sock: socket.socket, task_name: str, state, zygote_pid: int) -> None:
    """Answer jobs until the server closes the socket or :data:`JOBS_PER_WORKER` are done, then exit (never returns)."""
    status = 0
    try:
        die_with_parent(zygote_pid)
        try:
            os.setpgid(0, 0)  # its own process group: a kill or renice reaches the children it starts too
        except PermissionError:
            pass  # the zygote set it first
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # subprocess needs its children's exit codes
        task = _resolve(task_name)
        for _ in range(JOBS_PER_WORKER):
            message = _recv_message(sock)
            if message is None:
                break
            try:
                answer = task(state, *message)
            except Exception as error:  # noqa: BLE001 - the server answers 500 and the log has the traceback
                traceback.print_exc()
                answer = ({"status": 500, "error": f"unexpected failure ({type(error).__name__})"}, b"")
            sock.sendall(_frame(*answer))
    except BaseException:  # noqa: BLE001 - a forked child must never return into the zygote's loop
        traceback.print_exc()
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


class Zygote:
    """A process that ran ``setup(argument)`` once and forks workers that share its state."""

    def __init__(self, setup: str, argument) -> None:
        context = multiprocessing.get_context("spawn")
        self._control, child_end = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_zygote_main, args=(child_end, setup, argument), name="provrisk-zygote", daemon=True
        )
        self.process.start()
        child_end.close()
        self._lock = threading.Lock()
        try:
            kind, value = self._control.recv()
        except EOFError:
            raise ConfigError(f"the scoring process for {argument} exited while starting") from None
        if kind == "error":
            self.process.join(5)
            raise ConfigError(value)
        self.info: dict = value

    def fork(self, task: str) -> tuple[int, socket.socket]:
        """A new worker that will run ``task``: its pid (also its process group) and the server's end of its socket."""
        with self._lock:
            self._control.send(task)
            descriptor = recv_handle(self._control)
            pid = self._control.recv()
        return pid, socket.socket(fileno=descriptor)

    def close(self) -> None:
        self._control.close()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


_zygotes: dict[tuple[str, str], Zygote] = {}
_zygotes_lock = threading.Lock()


def zygote_for(setup: str, argument: str) -> Zygote:
    """The zygote for ``setup(argument)``, started on first use and kept for the life of this process.

    One per process and argument: apps built one after another in the same
    process (tests, a reloaded app) share the loaded model instead of loading it again.
    """
    key = (setup, argument)
    with _zygotes_lock:
        zygote = _zygotes.get(key)
        if zygote is None or not zygote.process.is_alive():
            zygote = _zygotes[key] = Zygote(setup, argument)
        return zygote


# -- the pool (runs in the server's event loop) -------------------------------------------------------


class _Slots:
    """``count`` slots, given to waiting jobs smallest payload first (by power of two), then in arrival order."""

    def __init__(self, count: int) -> None:
        self.free = count
        self._waiting: list[tuple[int, int, asyncio.Future]] = []  # heap of (size class, arrival, future)
        self._arrivals = itertools.count()

    async def acquire(self, size: int) -> None:
        if self.free and not self._waiting:
            self.free -= 1
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (max(size, 1).bit_length(), next(self._arrivals), granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.release()  # the slot came just as the wait was given up: pass it on
            raise

    def release(self) -> None:
        while self._waiting:
            _, _, granted = heapq.heappop(self._waiting)
            if not granted.done():  # a waiter whose deadline passed is skipped
                granted.set_result(None)
                return
        self.free += 1


@dataclass(eq=False)
class _Worker:
    pid: int
    sock: socket.socket
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    jobs: int = 0

    async def exchange(self, header: dict, payload: bytes) -> tuple[dict, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_unix_connection(sock=self.sock)
        self.jobs += 1
        try:
            self.writer.write(_frame(header, payload))
            await self.writer.drain()
            return await _read_message(self.reader)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            raise WorkerDied(f"the scoring process {self.pid} ended without answering") from error

    def kill(self) -> None:
        """SIGKILL to the worker's process group (itself and any child it started), then close its socket."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # already gone
        if self.writer is not None:
            self.writer.close()
        self.sock.close()

    def cpu_seconds(self) -> float:
        """CPU time the worker has used (user and system; 0 where /proc cannot tell)."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def demote(self) -> None:
        try:
            os.setpriority(os.PRIO_PGRP, self.pid, LONG_JOB_NICE)
        except (ProcessLookupError, PermissionError):
            pass  # it just finished


class WorkerPool:
    """Runs ``task`` in workers forked from ``zygote``, at most ``processes`` at normal priority (see the module docstring)."""

    def __init__(self, zygote: Zygote, task: str, processes: int) -> None:
        self.zygote = zygote
        self.task = task
        self.processes = processes
        self.max_long_jobs = LONG_JOBS_PER_PROCESS * processes
        self.long_jobs = 0
        self._normal = _Slots(processes)
        self._idle: list[_Worker] = []
        self._refill: asyncio.Task | None = None
        self._running: set[_Worker] = set()
        self._closed = False

    async def start(self) -> None:
        await self._fill_idle()

    async def close(self) -> None:
        self._closed = True
        if self._refill is not None:
            self._refill.cancel()
        for worker in [*self._idle, *self._running]:
            worker.kill()
        self._idle.clear()
        self._running.clear()

    @property
    def running(self) -> int:
        return len(self._running)

    async def run(self, header: dict, payload: bytes, timeout_s: float) -> tuple[dict, bytes]:
        """The task's answer to one job; :class:`JobRefused` (503, 504) or :class:`WorkerDied` when there is none."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        worker: _Worker | None = None
        reply: asyncio.Task | None = None
        normal_slot = long_slot = reusable = False
        try:
            async with asyncio.timeout_at(deadline):
                await self._normal.acquire(len(payload))
                normal_slot = True
                worker = await self._take_worker()
                reply = asyncio.ensure_future(worker.exchange(header, payload))
                if not await self._finishes_short(worker, reply):
                    if self.long_jobs >= self.max_long_jobs:
                        raise JobRefused(503, "busy")
                    worker.demote()
                    self.long_jobs += 1
                    long_slot = True
                    self._normal.release()
                    normal_slot = False
                answer = await reply
                # A demoted worker cannot be given back its priority without privileges: it is not reused.
                reusable = not long_slot and worker.jobs < JOBS_PER_WORKER
                return answer
        except TimeoutError:
            raise JobRefused(504, "deadline") from None
        finally:
            if reply is not None and not reply.done():
                reply.cancel()
            if worker is not None:
                self._running.discard(worker)
                if reusable and not self._closed:
                    self._idle.append(worker)
                else:
                    worker.kill()
                    self._refill_idle()
            if normal_slot:
                self._normal.release()
            if long_slot:
                self.long_jobs -= 1

    @staticmethod
    async def _finishes_short(worker: _Worker, reply: asyncio.Future) -> bool:
        """Wait for ``reply`` while the job is short; False once it has become a long job."""
        started, cpu_before = asyncio.get_running_loop().time(), worker.cpu_seconds()  # a worker serves many jobs
        while True:
            done, _ = await asyncio.wait({reply}, timeout=_DEMOTE_CHECK_S)
            if done:
                return True
            if (worker.cpu_seconds() - cpu_before >= DEMOTE_AFTER_CPU_S
                    or asyncio.get_running_loop().time() - started >= DEMOTE_AFTER_S):
                return False

    async def _take_worker(self) -> _Worker:
        worker = self._idle.pop() if self._idle else await self._fork()
        self._running.add(worker)
        return worker

    def _refill_idle(self) -> None:
        if not self._closed and (self._refill is None or self._refill.done()):
            self._refill = asyncio.ensure_future(self._fill_idle())

    async def _fork(self) -> _Worker:
        pid, sock = await asyncio.get_running_loop().run_in_executor(None, self.zygote.fork, self.task)
        return _Worker(pid, sock)

    async def _fill_idle(self) -> None:
        """Keep workers ready, so that a job does not wait for a fork: ``processes`` of them in all."""
        while not self._closed and len(self._idle) + len(self._running) - self.long_jobs < self.processes:
            worker = await self._fork()
            if self._closed:
                worker.kill()
                return
            self._idle.append(worker)

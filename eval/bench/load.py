"""The API load test of ``provrisk bench``: the real service under a bounded number of concurrent clients.

Input: a model (name under ``models/`` or directory), a statute as plain text,
a number of clients and a duration. :func:`load_test` starts ``provrisk serve``
on a free port of 127.0.0.1 in its own process (the model is loaded once, as in
production), waits until ``GET /healthz`` answers, and has every client POST the
statute as JSON (``{"text", "name"}``) to ``/v1/score`` in a loop for the
duration, each sending its next request only when the previous answer arrived
(closed-loop load: the offered load adapts to the server instead of piling up).
Output: a dict with the requests completed, errors by status (any answer but
200, and any transport failure), throughput, latency percentiles, and the server
process tree's resident memory after start-up and at its peak (``VmHWM``, read from
``/proc/<pid>/status`` just before the server is stopped), and each of its
processes' peak RSS and PSS sampled during the load
(:class:`~provrisk.eval.bench.harness.ProcessTreeSampler`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from provrisk.errors import ProvriskError
from provrisk.eval.bench.harness import KIB_PER_MIB, ProcessTreeSampler, process_tree_memory_kb

SCORE_PATH = "/v1/score"
HEALTH_PATH = "/healthz"
PERCENTILES = (50, 95, 99)
# Loading spaCy, scikit-learn and the model on a busy machine takes tens of seconds;
# waiting longer than this means the server is not coming up at all.
STARTUP_TIMEOUT_S = 300.0
HEALTH_POLL_S = 0.2
# After SIGTERM uvicorn finishes the requests it holds; past this it is killed.
SHUTDOWN_TIMEOUT_S = 30.0


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    startup_s: float


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it; the server binds it moments later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(model: str, log_path: Path, env: dict[str, str], workers: int = 1) -> Iterator[Server]:
    """``provrisk serve --model MODEL --workers N`` on a free local port, stopped on exit; its log goes to ``log_path``."""
    port = free_port()
    command = [sys.executable, "-m", "provrisk.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--model", model,
               "--workers", str(workers)]
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(url, process, log_path)
            yield Server(url, process, time.perf_counter() - started)
        finally:
            _stop(process)


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ProvriskError(f"the server exited with code {process.returncode} while starting: {_tail(log_path)}")
        try:
            if httpx.get(url + HEALTH_PATH, timeout=HEALTH_POLL_S * 10).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(HEALTH_POLL_S)
    raise ProvriskError(f"the server did not answer {HEALTH_PATH} within {STARTUP_TIMEOUT_S:g} s: {_tail(log_path)}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log_path: Path, lines: int = 5) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(text[-lines:]) or "(no output)"


def start_clients(url: str, send: Callable[[httpx.Client, int], httpx.Response], clients: int, seconds: float,
                  timeout_s: float, results: list[tuple[str, float]],
                  on_ok: Callable[[httpx.Response], None] | None = None) -> list[threading.Thread]:
    """Closed-loop load: ``clients`` threads each ``send(http, turn)`` a request, and the next one only when the
    answer has arrived, until ``seconds`` have passed; returns the started threads (join them).

    Each request adds ``(status, latency in s)`` to ``results`` (the status code, or the transport error's
    name); ``on_ok`` sees every 200 answer. ``turn`` counts a client's requests from its own index, so clients
    that cycle through several uploads start on different ones. A request started before the deadline is
    waited for and counted.
    """
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()

    def client(index: int) -> None:
        with httpx.Client(base_url=url, timeout=timeout_s) as http:
            turn = index
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    response = send(http, turn)
                    status = str(response.status_code)
                except httpx.HTTPError as error:
                    response, status = None, type(error).__name__
                latency = time.perf_counter() - sent
                with lock:
                    results.append((status, latency))
                    if on_ok is not None and status == "200":
                        on_ok(response)
                turn += 1

    threads = [threading.Thread(target=client, args=(i,), name=f"bench-client-{i}", daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def status_counts(results: list[tuple[str, float]]) -> dict[str, int]:
    """Requests per status (``"200"``, ``"503"``, a transport error's name), sorted by status."""
    return dict(sorted(Counter(status for status, _ in results).items()))


def latency_percentiles_ms(latencies_s: list[float]) -> dict[str, float] | None:
    """``{"p50": ms, "p95": ms, "p99": ms}`` of latencies given in seconds; None without any."""
    if not latencies_s:
        return None
    return {f"p{p}": float(np.percentile(latencies_s, p)) * 1000 for p in PERCENTILES}


def run_clients(url: str, payload: dict, clients: int, seconds: float, timeout_s: float) -> dict:
    """``clients`` clients POST ``payload`` to the score route in a closed loop for ``seconds``; their counts,
    throughput, latency percentiles, and the provisions the statute has (from the first scored answer)."""
    results: list[tuple[str, float]] = []
    first_report: list[dict] = []

    def keep_first_report(response: httpx.Response) -> None:
        if not first_report:
            first_report.append(response.json())

    start = time.perf_counter()
    threads = start_clients(url, lambda http, _: http.post(SCORE_PATH, json=payload), clients, seconds, timeout_s,
                            results, on_ok=keep_first_report)
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    statuses = status_counts(results)
    ok = statuses.get("200", 0)
    return {
        "clients": clients,
        "load_seconds": seconds,
        "duration_s": elapsed,
        "requests": len(results),
        "ok": ok,
        "errors": len(results) - ok,
        "statuses": statuses,
        "throughput_rps": len(results) / elapsed,
        "ok_throughput_rps": ok / elapsed,
        "latency_ms": latency_percentiles_ms([latency for _, latency in results]),
        "ok_latency_ms": latency_percentiles_ms([latency for status, latency in results if status == "200"]),
        "provisions_per_request": first_report[0]["profile"]["provisions"] if first_report else None,
    }


def load_test(model: str, text: str, name: str, *, clients: int, seconds: float, work_dir: Path, workers: int = 1) -> dict:
    """Serve ``model``, load it with ``clients`` clients for ``seconds``, and read the server's memory:
    the tree's sum, and each process's own peak RSS and PSS sampled during the load."""
    from provrisk.serve.app import ServeSettings

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROVRISK_MODEL", None)  # --model decides; a stray variable must not
    settings = ServeSettings.from_env(env)
    # A request may legitimately wait for the server's own timeout; the client waits a little longer
    # so that the server's 504, not a client-side timeout, is what gets counted.
    client_timeout_s = settings.request_timeout_s * 1.5
    log_path = work_dir / f"serve-{Path(model).name}.log"
    with running_server(model, log_path, env, workers) as server:
        after_startup = process_tree_memory_kb(server.process.pid)
        with ProcessTreeSampler(server.process.pid) as sampler:
            result = run_clients(server.url, {"text": text, "name": name}, clients, seconds, client_timeout_s)
        memory = process_tree_memory_kb(server.process.pid)
    result.update(
        {
            "model": model,
            "server_startup_s": server.startup_s,
            "server_rss_after_startup_mb": after_startup["VmRSS"] / KIB_PER_MIB,
            "server_peak_rss_mb": memory["VmHWM"] / KIB_PER_MIB,
            "server_processes": sampler.summary(),
            "server_settings": {
                "workers": workers,
                "scoring_processes": settings.scoring_processes,
                "max_in_flight": settings.max_in_flight,
                "request_timeout_s": settings.request_timeout_s,
            },
            "statute_bytes": len(text.encode("utf-8")),
            "statute_words": len(text.split()),
        }
    )
    return result

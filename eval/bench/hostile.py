"""Hostile load: what crafted uploads cost, and whether ordinary clients notice a flood of them.

Input: the pathological families below (each makes an upload of a given size
that targets one code path in ingestion or segmentation), and for the flood a
model to serve. Output: a dict, the ``hostile_load`` section of
``eval/reports/bench.{json,md}`` (``provrisk bench --hostile-only`` measures
only this section), with

1. per family, the time to ingest and segment its upload at doubling sizes
   (each in a fresh interpreter, stopped at :data:`POINT_TIMEOUT_S`), and the
   growth exponent ``k`` of ``time ~ size^k`` between the two largest sizes
   measured: about 1 is linear, about 2 quadratic;
2. a flood (:func:`run_flood`): ``provrisk serve`` on this machine, 20 ordinary
   clients posting a small statute in a closed loop, first alone (the
   baseline), then while flood clients post
   the families' crafted uploads; the ordinary clients' latency percentiles
   and errors, and what the crafted uploads got (504 at the deadline, 503
   when the server already runs its share of long documents, 200 or 422).

The families are the probe's reproductions (issue 16) and the paths found by
the same search: each is a short repeated pattern, so a few KB of upload
(or less, compressed in a PDF) reaches the size given.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from provrisk.eval.bench.harness import print_child_result, run_child
from provrisk.eval.bench.load import SCORE_PATH, latency_percentiles_ms, running_server, start_clients, status_counts
from provrisk.settings import PROJECT_ROOT

POINT_TIMEOUT_S = 60.0  # a size that takes longer is reported as "> 60 s" and no larger size is tried
FIRST_SIZE = 32 * 1024
MAX_SIZE = 2 * 1024 * 1024
LINEAR_EXPONENT = 1.3  # k above this between the two largest sizes is not linear
FLOOD_UPLOAD_BYTES = 70 * 1024  # the probe's size
FLOOD_CLIENTS = 4
NORMAL_CLIENTS = 20
TARGET_P99_MS = 2000.0
EXAMPLE = PROJECT_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"


@dataclass(frozen=True)
class Family:
    name: str
    target: str  # the code path it hits
    make: Callable[[int], tuple[bytes, str]]  # size in bytes -> (upload, file name)


def _repeat(head: str, unit: str, tail: str, size: int) -> str:
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def _numbered(unit: Callable[[int], str], size: int) -> str:
    parts, total, number = [], 0, 1
    while total < size:
        part = unit(number)
        parts.append(part)
        total += len(part)
        number += 1
    return "".join(parts)


def pdf_of_lines(lines: list[str]) -> bytes:
    """A one-page PDF whose FlateDecode content stream draws ``lines`` in Helvetica (a few KB for megabytes of text)."""

    def literal(line: str) -> str:
        return "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    def shown(line: str) -> str:
        # PDFium reads at most 32K characters of one string: a long line is drawn as several, one after another
        return " ".join(f"{literal(line[start:start + 8192])} Tj" for start in range(0, max(len(line), 1), 8192))

    content = "BT /F1 10 Tf 12 TL 72 760 Td " + " T* ".join(shown(line) for line in lines) + " ET"
    stream = zlib.compress(content.encode("latin-1"), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


FAMILIES = [
    Family("means-chain", "segment: unquoted defined terms (tree._unquoted_terms), per defining verb",
           lambda n: (_repeat("1. Definitions\nIn this Act, ", "means ", "a thing.\n", n).encode(), "means.txt")),
    Family("means-chain-pdf", "the same text inside a compressed PDF (size = extracted text)",
           lambda n: (pdf_of_lines(["1. Definitions", _repeat("In this Act, ", "means ", "a thing.", n)]), "means.pdf")),
    Family("x-means-y", "segment: unquoted defined terms, one inline definition after another",
           lambda n: (_repeat("1. Definitions\nIn this Act, ", "x means y, ", "\n", n).encode(), "inline.txt")),
    Family("dash-definitions", "segment: definitions whose list opens before the verb ('post,— a means')",
           lambda n: (_repeat("1. Definitions\nIn this Act—\n", "post, in relation to a thing,— a means ", "\n", n).encode(),
                      "dash.txt")),
    Family("definition-sections", "segment: many definitions sections, each with its own defined term",
           lambda n: (_numbered(lambda i: f'{i}. Definitions\nIn this Act, "term{i}" means a thing.\n', n).encode(),
                      "sections.txt")),
    Family("unquoted-definition-sections", "segment: many definitions sections with unquoted terms (each looked up in the whole text)",
           lambda n: (_numbered(lambda i: f"{i}. Definitions\nIn this Act, term{i} means a thing.\n", n).encode(),
                      "unquoted.txt")),
    Family("empty-scripts-html", "ingest: HTML with many empty <script> elements (dropped one by one)",
           lambda n: (_repeat("<html><body><p>1. Title</p>", "<script></script>x", "</body></html>", n).encode(),
                      "scripts.html")),
    Family("number-lines", "segment: a numbered line without a body, repeated",
           lambda n: (_repeat("", "1.\n", "", n).encode(), "numbers.txt")),
    Family("repeated-item-labels", "segment: the same item label on every line",
           lambda n: (_repeat("1. Title\n", "(a) x\n", "", n).encode(), "items.txt")),
    Family("annotation-lines", "segment: an amendment annotation on every line",
           lambda n: (_repeat("1. Title\nText\n", "[3/2013]\n", "", n).encode(), "annotations.txt")),
]
FAMILY_NAMES = [family.name for family in FAMILIES]


# -- time against size (each point in a fresh interpreter) ------------------------------------------


def _measure_point(family: str, size: int) -> dict:
    from provrisk.ingest import ingest_bytes
    from provrisk.segment import segment_statute

    data, name = next(f for f in FAMILIES if f.name == family).make(size)
    started = time.perf_counter()
    document = ingest_bytes(data, name, max_bytes=64 * 1024 * 1024)
    ingested = time.perf_counter()
    provisions = segment_statute(document.text, "hostile")
    finished = time.perf_counter()
    return {"upload_bytes": len(data), "text_chars": len(document.text), "ingest_s": ingested - started,
            "segment_s": finished - ingested, "seconds": finished - started, "provisions": len(provisions)}


def measure_family(family: Family, *, max_size: int = MAX_SIZE, timeout_s: float = POINT_TIMEOUT_S) -> dict:
    """Time at sizes FIRST_SIZE, 2x, 4x ... up to ``max_size``, until one takes longer than ``timeout_s``."""
    points = []
    size = FIRST_SIZE
    while size <= max_size:
        try:
            point = run_child(__name__, ["--point", family.name, str(size)], timeout_s=timeout_s,
                              what=f"hostile family {family.name} at {size} bytes")
        except subprocess.TimeoutExpired:
            points.append({"size": size, "timed_out": True, "seconds": None})
            break
        points.append({"size": size, "timed_out": False, **point})
        size *= 2
    measured = [p for p in points if not p["timed_out"]]
    exponent = None
    if len(measured) >= 2 and measured[-2]["seconds"] > 0:
        a, b = measured[-2], measured[-1]
        exponent = math.log(b["seconds"] / a["seconds"]) / math.log(b["size"] / a["size"])
    timed_out = any(p["timed_out"] for p in points)
    return {
        "family": family.name,
        "target": family.target,
        "points": points,
        "exponent": exponent,
        "linear": not timed_out and exponent is not None and exponent <= LINEAR_EXPONENT,
    }


# -- the flood ----------------------------------------------------------------------------------------


def crafted_uploads(size: int = FLOOD_UPLOAD_BYTES) -> list[tuple[str, bytes]]:
    """One upload of each family, about ``size`` bytes of text each: (file name, bytes)."""
    return [(name, data) for data, name in (family.make(size) for family in FAMILIES)]


def _summary(results: list[tuple[str, float]]) -> dict:
    statuses = status_counts(results)
    latencies = [latency for _, latency in results]
    return {
        "requests": len(results),
        "errors": len(results) - statuses.get("200", 0),
        "statuses": statuses,
        "latency_ms": latency_percentiles_ms(latencies),
        "max_ms": max(latencies) * 1000 if latencies else None,
    }


def flood(url: str, *, seconds: float, request_timeout_s: float, normal_clients: int = NORMAL_CLIENTS,
          flood_clients: int = FLOOD_CLIENTS, upload_bytes: int = FLOOD_UPLOAD_BYTES) -> dict:
    """``normal_clients`` post the example statute while ``flood_clients`` post crafted uploads, for ``seconds``."""
    statute = {"text": EXAMPLE.read_text(encoding="utf-8"), "name": EXAMPLE.name}
    uploads = crafted_uploads(upload_bytes)
    normal: list = []
    crafted: list = []
    # Crafted uploads start first, so every ordinary request meets the flood already running.
    flooders = start_clients(url, lambda http, turn: http.post(SCORE_PATH, files={"file": uploads[turn % len(uploads)]}),
                             flood_clients, seconds + 1, request_timeout_s * 2, crafted)
    if flood_clients:
        time.sleep(1)
    started = time.perf_counter()
    ordinary = start_clients(url, lambda http, turn: http.post(SCORE_PATH, json=statute), normal_clients, seconds,
                             request_timeout_s * 2, normal)
    for thread in ordinary + flooders:
        thread.join()
    elapsed = time.perf_counter() - started
    result = {"seconds": seconds, "duration_s": elapsed, "normal_clients": normal_clients, "flood_clients": flood_clients,
              "upload_bytes": upload_bytes, "families": FAMILY_NAMES, "request_timeout_s": request_timeout_s,
              "normal": _summary(normal), "crafted": _summary(crafted)}
    p99 = (result["normal"]["latency_ms"] or {}).get("p99")
    result["pass"] = p99 is not None and p99 < TARGET_P99_MS and result["normal"]["errors"] == 0
    return result


def run_flood(model: str, work_dir: Path, *, seconds: float, request_timeout_s: float) -> dict:
    """:func:`flood` against ``provrisk serve --model MODEL`` started here, with its settings recorded.

    The ordinary clients run first alone (``baseline``), then during the flood, on the same server.
    """
    from provrisk.serve.app import ServeSettings

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PROVRISK_REQUEST_TIMEOUT_S": f"{request_timeout_s:g}"}
    env.pop("PROVRISK_MODEL", None)
    settings = ServeSettings.from_env(env)
    with running_server(model, work_dir / "serve-hostile.log", env) as server:
        baseline = flood(server.url, seconds=seconds, request_timeout_s=request_timeout_s, flood_clients=0)
        result = flood(server.url, seconds=seconds, request_timeout_s=request_timeout_s)
    result["baseline"] = baseline["normal"]
    result["server_settings"] = {"scoring_processes": settings.scoring_processes, "max_in_flight": settings.max_in_flight,
                                 "request_timeout_s": settings.request_timeout_s}
    return result


def run_hostile_bench(model: str, work_dir: Path, *, flood_seconds: float = 60.0, request_timeout_s: float = 10.0,
                      max_size: int = MAX_SIZE) -> dict:
    """The ``hostile_load`` section: every family's time against size, then the flood."""
    load_before = os.getloadavg()
    families = [measure_family(family, max_size=max_size) for family in FAMILIES]
    flood_result = run_flood(model, work_dir, seconds=flood_seconds, request_timeout_s=request_timeout_s)
    return {"families": families, "flood": flood_result, "point_timeout_s": POINT_TIMEOUT_S,
            "load_average": {"before": list(load_before), "after": list(os.getloadavg())}}


def _child_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One point of the hostile-load benchmark (used by provrisk bench).")
    parser.add_argument("--point", nargs=2, metavar=("FAMILY", "SIZE"), required=True)
    args = parser.parse_args(argv)
    print_child_result(_measure_point(args.point[0], int(args.point[1])))


if __name__ == "__main__":
    _child_main()

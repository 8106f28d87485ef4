"""The benchmark's report: targets and verdicts, the markdown ``bench.md``, and the files.

Input: the figures that :func:`provrisk.eval.bench.run.run_bench` gathers (the
harness's results per stage, the load tests, the PDF and hostile-load
sections). Output: the report's derived parts (rates and multiples of the
floor per stage, the linear scoring verdict and its components, the single
statute cold and warm, the API explanation, the targets), its markdown, and
``bench.json`` and ``bench.md`` written atomically (:func:`write_report`).

To add a section: render it in a function of the report that returns its
lines, and add it to :data:`SECTIONS` under the report key it reads.
"""

from __future__ import annotations

from pathlib import Path

from provrisk.eval.bench.harness import KIB_PER_MIB
from provrisk.eval.bench.hostile import EXAMPLE, TARGET_P99_MS
from provrisk.eval.bench.pdf import INGEST_RUNS, OCR_PAGES
from provrisk.eval.bench.spark import spark_markdown
from provrisk.eval.report_files import write_report_files

SCHEMA = "provrisk.bench/1"
TARGET_SCORING_FLOOR_RATIO = 2.0
TARGET_COLD_STATUTE_S = 1.5
TARGET_WORKER_RSS_MB = 300.0
TARGET_API_P99_MS = 2000.0
TARGET_API_ERRORS = 0
TARGET_TRANSFORMER_SERVING_MB = 1.5 * 1024
PROFILE_CAUSES = 2  # functions named in the explanation of a missed target


# -- the report's derived parts ---------------------------------------------------------------------


def rated_stage(result: dict, title: str, floor_s: float, provisions: int, words: int) -> dict:
    """A stage's row of section 2: its harness result with rates over the corpus totals and its multiple of the floor."""
    seconds = result["seconds"]
    return {
        "name": result["stage"],
        "title": title,
        "measured": True,
        "seconds": seconds,
        "provisions_per_s": provisions / seconds,
        "words_per_s": words / seconds,
        "floor_ratio": seconds / floor_s,
        "baseline_rss_mb": result["baseline_rss_mb"],
        "peak_rss_mb": result["peak_rss_mb"],
        "stage_rss_mb": result["peak_rss_mb"] - result["baseline_rss_mb"],
        "process_wall_s": result["process_wall_s"],
        "details": result["details"],
    }


def not_measured_stage(name: str, title: str, reason: str) -> dict:
    """The row of a stage that did not run, and why."""
    return {"name": name, "title": title, "measured": False, "reason": f"not measured: {reason}"}



def scoring_verdict(stages: list[dict], profile_top: list[dict]) -> dict:
    """Linear scoring against the floor target, with each component's share of its time.

    When it misses, the explanation names the largest component and, from the
    profile of one warm statute (``profile_top``), the functions that take the time.
    """
    by_name = {stage["name"]: stage for stage in stages}
    scoring, floor = by_name["scoring_linear"], by_name["floor"]
    label = by_name["label"]["details"]
    components = [
        ("ingest", by_name["ingest"]["seconds"]),
        ("segment", by_name["segment"]["seconds"]),
        ("LF votes: tokenise + cue matching (provision_inputs)", label["tokenise_and_match_cues_s"]),
        ("LF votes: labelling functions (apply_lfs)", label["labelling_functions_s"]),
        ("linear predict_proba (TF-IDF + logistic regression)", by_name["predict_linear"]["seconds"]),
    ]
    # predict_records per batch adds evidence extraction and per-batch definitions; report assembly is small
    accounted = sum(seconds for _, seconds in components)
    components.append(("rest: evidence, batching, report assembly (by difference)", scoring["seconds"] - accounted))
    rows = [{"component": name, "seconds": seconds, "share": seconds / scoring["seconds"],
             "floor_ratio": seconds / floor["seconds"]} for name, seconds in components]
    ratio = scoring["floor_ratio"]
    verdict = {
        "seconds": scoring["seconds"],
        "floor_seconds": floor["seconds"],
        "floor_ratio": ratio,
        "target_floor_ratio": TARGET_SCORING_FLOOR_RATIO,
        "pass": ratio < TARGET_SCORING_FLOOR_RATIO,
        "components": rows,
        "dominant": max(rows, key=lambda row: row["seconds"])["component"],
    }
    if not verdict["pass"]:
        dominant = max(rows, key=lambda row: row["seconds"])
        target_s = TARGET_SCORING_FLOOR_RATIO * floor["seconds"]
        verdict["gap_seconds"] = scoring["seconds"] - target_s
        verdict["explanation"] = (
            f"linear scoring takes {ratio:.1f}x the floor (target < {TARGET_SCORING_FLOOR_RATIO:g}x, "
            f"{verdict['gap_seconds']:.1f} s over); the largest component is {dominant['component']} with "
            f"{dominant['seconds']:.1f} s ({dominant['share']:.0%} of the time, {dominant['floor_ratio']:.1f}x the floor "
            "on its own)"
        )
        if "apply_lfs" in dominant["component"]:
            slowest = ", ".join(f"{row['lf']} {row['seconds']:.1f} s" for row in label["slowest_lfs"])
            verdict["explanation"] += f"; slowest labelling functions: {slowest}"
        hot = ", ".join(f"`{row['function']}` {row['own_share']:.0%}" for row in profile_top[:PROFILE_CAUSES])
        verdict["explanation"] += f"; in a profiled warm statute the own time goes to {hot}"
    return verdict


def single_statute(instrument: str, provisions: int, words: int, result: dict, floor_s: float) -> dict:
    """Cold: from launching a fresh process to the end of its first call; warm: later calls in that process."""
    details = result["details"]
    cold_s = result["launch_to_end_s"]
    return {
        "instrument": instrument,
        "provisions": provisions,
        "words": words,
        "cold_s": cold_s,
        "cold_floor_ratio": cold_s / floor_s,
        "cold_breakdown_s": {
            "interpreter_start": cold_s - result["seconds"] - details["import_s"] - details["model_load_s"],
            "imports": details["import_s"],
            "model_load": details["model_load_s"],
            "scoring": result["seconds"],
        },
        "cold_peak_rss_mb": result["peak_rss_mb"],
        "warm_median_s": details["warm_median_s"],
        "warm_floor_ratio": details["warm_median_s"] / floor_s,
        "warm_runs_s": details["warm_runs_s"],
        "warm_profile_total_s": details["profile_total_s"],
        "warm_profile_top": details["profile_top"],
    }


def targets(report: dict) -> list[dict]:
    """Each target of the report: what it is, the measured value, and whether it passes (None: not measured)."""
    scoring = report["linear_scoring"]
    rows = [{"target": f"linear scoring of the corpus < {TARGET_SCORING_FLOOR_RATIO:g}x floor",
             "value": f"{scoring['floor_ratio']:.2f}x", "pass": scoring["pass"]}]
    single = report["single_statute"]
    rows.append({"target": f"one {single['provisions']}-provision statute cold (fresh process) < {TARGET_COLD_STATUTE_S:g} s",
                 "value": f"{single['cold_s']:.2f} s", "pass": single["cold_s"] < TARGET_COLD_STATUTE_S})
    linear = report["api_load"]["linear"]
    largest = linear.get("server_processes", {}).get("max_process_peak_rss_mb")
    rows.append({"target": f"largest server process (default model) peak RSS < {TARGET_WORKER_RSS_MB:g} MB",
                 "value": "not measured" if largest is None else f"{largest:.0f} MB",
                 "pass": None if largest is None else largest < TARGET_WORKER_RSS_MB})
    p99 = linear["latency_ms"]["p99"] if linear["latency_ms"] else None
    rows.append({"target": f"API p99 < {TARGET_API_P99_MS:g} ms ({linear['clients']} clients x "
                           f"{linear['load_seconds']:g} s)",
                 "value": "no requests" if p99 is None else f"{p99:.0f} ms",
                 "pass": p99 is not None and p99 < TARGET_API_P99_MS})
    rows.append({"target": f"API errors = {TARGET_API_ERRORS}",
                 "value": f"{linear['errors']} of {linear['requests']} ({_statuses(linear)})",
                 "pass": linear["errors"] == TARGET_API_ERRORS and linear["requests"] > 0})
    transformer = report["api_load"]["transformer"]
    target = f"transformer serving peak RSS < {TARGET_TRANSFORMER_SERVING_MB / KIB_PER_MIB:g} GB"
    if transformer["measured"]:
        rows.append({"target": target, "value": f"{transformer['server_peak_rss_mb']:.0f} MB",
                     "pass": transformer["server_peak_rss_mb"] < TARGET_TRANSFORMER_SERVING_MB})
    else:
        rows.append({"target": target, "value": transformer["reason"], "pass": None})
    spark = report.get("spark", {"measured": False, "reason": "not measured: --skip-spark"})
    rows.append({"target": "Spark local mode writes outputs identical to `provrisk batch`",
                 "value": ("identical" if spark["identical"] else "NOT identical") if spark["measured"] else spark["reason"],
                 "pass": spark["identical"] if spark["measured"] else None})
    return rows


def api_explanation(load: dict) -> list[str]:
    """Why latency or errors miss their targets, from the load test's own figures."""
    reasons = []
    latency, settings = load["latency_ms"], load["server_settings"]
    if latency and latency["p99"] >= TARGET_API_P99_MS and load["ok_throughput_rps"] > 0:
        service_ms = 1000 / load["ok_throughput_rps"]
        # the server admits at most max_in_flight requests; the others are refused, not queued
        waiting = min(load["clients"], settings["max_in_flight"])
        reasons.append(
            f"the server scores {load['ok_throughput_rps']:.2f} requests/s, one every {service_ms:.0f} ms of machine "
            f"time; with {waiting} requests admitted at once each waits behind the others, so a scored request takes "
            f"about {waiting} x {service_ms:.0f} = {waiting * service_ms:.0f} ms (Little's law) whatever the thread "
            "count: the time is CPU spent scoring"
        )
    for status, count in load["statuses"].items():
        if status == "503":
            reasons.append(f"{count} answers 503: the server refuses more than max_in_flight = "
                           f"{settings['max_in_flight']} requests at once (PROVRISK_MAX_IN_FLIGHT), and "
                           f"{load['clients']} clients can have {load['clients']} outstanding")
        elif status == "504":
            reasons.append(f"{count} answers 504: scoring took longer than the {settings['request_timeout_s']:g} s "
                           "request timeout")
        elif status != "200":
            reasons.append(f"{count} answers {status}: see the server log")
    return reasons


def _scoring_workers(settings: dict) -> str:
    # reports measured before scoring moved to processes name threads
    if "scoring_processes" in settings:
        return f"{settings['scoring_processes']} scoring processes"
    return f"{settings['scoring_threads']} scoring threads"


def _statuses(summary: dict) -> str:
    return ", ".join(f"{status}: {count}" for status, count in summary["statuses"].items()) or "none"


# -- markdown ---------------------------------------------------------------------------------------


def _verdict(passed: bool | None) -> str:
    return "not measured" if passed is None else ("PASS" if passed else "FAIL")


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _run_lines(report: dict) -> list[str]:
    machine, corpus = report["machine"], report["corpus"]
    load = report["load_average"]
    return [
        f"Generated {report['generated_at']} by `{report['command']}`.",
        "",
        f"Machine: {machine['cpu_count']} CPUs ({machine['cpus_usable']} usable), {machine['cpu_model'] or 'unknown CPU'}, "
        f"{machine['memory_gb']:.1f} GB RAM; {machine['platform']}; Python {machine['python']}; "
        + ", ".join(f"{name} {version}" for name, version in machine["packages"].items() if version) + ".",
        "",
        (f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load['before'])}; "
         f"after: {', '.join(f'{x:.2f}' for x in load['after'])}. Other processes may share the CPU: "
         "compare figures from one run, and prefer the x floor ratios across runs."),
        "",
        f"Corpus: {corpus['dir']}, {corpus['instruments']} of {corpus['instruments_in_manifest']} instruments"
        + (f" (--limit {corpus['limit']})" if corpus["limit"] else "")
        + f", {corpus['provisions']:,} provisions, {corpus['words']:,} words ({corpus['tokens']:,} spaCy tokens, "
        f"{corpus['bytes']:,} bytes); corpus hash `{corpus['hash'][:16]}` "
        f"({'the' if corpus['hash'] == corpus['model_corpus_hash'] else 'not the'} corpus the linear model was trained on).",
        "",
        ("Rates use the corpus totals (words: whitespace-separated words of the raw texts). "
         "\"x floor\" = seconds / floor seconds. RSS is peak resident memory of a fresh process per stage "
         "(baseline: after imports, model and inputs are loaded)."),
        "",
    ]


def _targets_lines(report: dict) -> list[str]:
    return ["## Targets", ""] + _table(["target", "value", "result"],
                                       [[t["target"], t["value"], _verdict(t["pass"])] for t in report["targets"]])


def _floor_lines(report: dict) -> list[str]:
    floor = report["floor"]
    return ["## 1. Floor: read and tokenise every text", ""] + _table(
        ["seconds", "words/s", "provisions/s", "tokens", "peak RSS MB"],
        [[f"{floor['seconds']:.2f}", f"{floor['words_per_s']:,.0f}", f"{floor['provisions_per_s']:,.0f}",
          f"{report['corpus']['tokens']:,}", f"{floor['peak_rss_mb']:.0f}"]])


def _stages_lines(report: dict) -> list[str]:
    lines = ["## 2. Stages over the corpus", ""]
    rows = []
    for stage in report["stages"]:
        if stage["measured"]:
            rows.append([stage["title"], f"{stage['seconds']:.2f}", f"{stage['provisions_per_s']:,.0f}",
                         f"{stage['words_per_s']:,.0f}", f"{stage['floor_ratio']:.2f}",
                         f"{stage['baseline_rss_mb']:.0f}", f"{stage['peak_rss_mb']:.0f}", f"{stage['stage_rss_mb']:+.0f}"])
        else:
            rows.append([stage["title"], stage["reason"], "", "", "", "", "", ""])
    lines += _table(["stage", "seconds", "provisions/s", "words/s", "x floor", "baseline RSS MB", "peak RSS MB",
                     "stage's own MB"], rows)
    label = next(s for s in report["stages"] if s["name"] == "label")["details"]
    return lines + [f"Label stage split: tokenise + cue matching {label['tokenise_and_match_cues_s']:.2f} s, "
                    f"{label['n_lfs']} labelling functions {label['labelling_functions_s']:.2f} s, "
                    f"label model ({label['label_model']}) fit + predict {label['label_model_fit_and_predict_s']:.2f} s. "
                    "Slowest LFs: " + ", ".join(f"{row['lf']} {row['seconds']:.2f} s" for row in label["slowest_lfs"]) + ".",
                    ""]


def _scoring_lines(report: dict) -> list[str]:
    scoring = report["linear_scoring"]
    lines = ["## 3. Linear scoring of the corpus vs the floor", ""]
    lines += _table(["seconds", "floor seconds", "x floor", "target", "result"],
                    [[f"{scoring['seconds']:.2f}", f"{scoring['floor_seconds']:.2f}", f"{scoring['floor_ratio']:.2f}",
                      f"< {scoring['target_floor_ratio']:g}", _verdict(scoring["pass"])]])
    lines += _table(["component", "seconds", "share", "x floor"],
                    [[row["component"], f"{row['seconds']:.2f}", f"{row['share']:.0%}", f"{row['floor_ratio']:.2f}"]
                     for row in scoring["components"]])
    lines += ["Components are timed in their own stages over the whole corpus; the rest is the difference, "
              "slightly negative when run-to-run noise exceeds it.", ""]
    if not scoring["pass"]:
        lines += [f"Why: {scoring['explanation']}.", ""]
    return lines


def _statute_lines(report: dict) -> list[str]:
    single = report["single_statute"]
    lines = [(f"## 4. One statute: {single['instrument']} ({single['provisions']} provisions, "
              f"{single['words']:,} words; the corpus instrument closest to 50 provisions)"), ""]
    breakdown = single["cold_breakdown_s"]
    lines += _table(["run", "seconds", "x floor", "notes"], [
        ["cold (fresh process)", f"{single['cold_s']:.2f}", f"{single['cold_floor_ratio']:.2f}",
         (f"interpreter start {breakdown['interpreter_start']:.2f} s, imports {breakdown['imports']:.2f} s, "
          f"model load {breakdown['model_load']:.2f} s, scoring {breakdown['scoring']:.2f} s; peak RSS "
          f"{single['cold_peak_rss_mb']:.0f} MB")],
        [f"warm (same process, median of {len(single['warm_runs_s'])})", f"{single['warm_median_s']:.3f}",
         f"{single['warm_floor_ratio']:.2f}", "runs: " + ", ".join(f"{s:.3f}" for s in single["warm_runs_s"])],
    ])
    lines += [f"Where a warm call spends its time (cProfile, {single['warm_profile_total_s']:.2f} s profiled):", ""]
    return lines + _table(["function", "calls", "own s", "share"],
                          [[f"`{row['function']}`", row["calls"], f"{row['own_s']:.3f}", f"{row['own_share']:.0%}"]
                           for row in single["warm_profile_top"]])


def _api_lines(report: dict) -> list[str]:
    lines = ["## 5. API under load", ""]
    rows = []
    for name, result in report["api_load"].items():
        if not result["measured"]:
            rows.append([name, result["reason"]] + [""] * 10)
            continue
        latency = result["latency_ms"] or {}
        ratio = result.get("latency_floor_ratio") or {}
        rows.append([
            name, f"{result['instrument']} ({result['provisions_per_request']} provisions)",
            f"{result['clients']} x {result['load_seconds']:g} s ({result['duration_s']:.0f} s to the last answer)",
            result["requests"],
            f"{result['errors']} ({_statuses(result)})",
            f"{result['throughput_rps']:.2f} ({result['ok_throughput_rps']:.2f})",
            " / ".join(f"{latency[p]:.0f}" for p in latency) or "-",
            " / ".join(f"{ms:.0f}" for ms in (result["ok_latency_ms"] or {}).values()) or "-",
            " / ".join(f"{ratio[p]:.2f}" for p in ratio) or "-",
            f"{result['server_startup_s']:.1f}", f"{result['server_rss_after_startup_mb']:.0f}",
            f"{result['server_peak_rss_mb']:.0f}",
        ])
    lines += _table(["model", "statute", "clients x time", "requests", "errors (by status)", "req/s (200 only)",
                     "p50 / p95 / p99 ms", "200 only: p50 / p95 / p99 ms", "p50 / p95 / p99 x floor", "startup s", "RSS after startup MB",
                     "peak RSS MB"], rows)
    for name, result in report["api_load"].items():
        lines += [f"Cause ({name}): {reason}." for reason in result.get("explanation", [])]
    lines += [""] if any(result.get("explanation") for result in report["api_load"].values()) else []
    for name, result in report["api_load"].items():
        if result["measured"] and "server_processes" in result:
            lines += _server_process_lines(name, result["server_processes"])
    settings = report["api_load"]["linear"]["server_settings"]
    return lines + [(f"Server settings: {_scoring_workers(settings)}, at most {settings['max_in_flight']} "
                     f"requests in flight (more answer 503), {settings['request_timeout_s']:g} s timeout (504). "
                     "Clients run in the benchmark process on the same machine."), ""]


def _server_process_lines(model: str, processes: dict) -> list[str]:
    lines = [f"Memory of each process of the {model} server during the load (sampled every 0.5 s; depth 0 is "
             "`provrisk serve`, then uvicorn's workers, each one's model process, and the scoring processes forked "
             "from it, which share the model's pages: PSS counts shared pages once, split between the sharers). "
             f"Sum of peak PSS {processes['sum_peak_pss_mb']:.0f} MB.", ""]
    return lines + _table(["depth", "pid", "command", "peak RSS MB", "peak PSS MB"],
                          [[p["depth"], p["pid"], f"`{p['command']}`", f"{p['peak_rss_mb']:.0f}", f"{p['peak_pss_mb']:.0f}"]
                           for p in sorted(processes["processes"], key=lambda p: (p["depth"], p["pid"]))])


def _training_lines(report: dict) -> list[str]:
    return ["## 6. Training time", ""] + _table(["config", "model", "seconds", "source"], [
        [row["config"], row["model_type"], "-" if row["seconds"] is None else f"{row['seconds']:.1f}", row["source"]]
        for row in report["training"]])


def _pdf_lines(report: dict) -> list[str]:
    section = report["pdf_ingestion"]
    lines = ["## 7. PDF ingestion: real statutes", ""]
    if not section.get("measured"):
        return lines + [section.get("reason", "not measured"), ""]
    machine = section["machine"]
    packages = {name: machine["packages"].get(name) for name in ("pypdf", "pypdfium2", "pdfminer.six")}
    lines += [f"Generated {section['generated_at']} by `{section['command']}` on the PDFs in {section['dir']}; "
              f"machine: {machine['cpu_count']} CPUs ({machine['cpus_usable']} usable), {machine['cpu_model']}, "
              f"{machine['memory_gb']:.1f} GB RAM, Python {machine['python']}, "
              + ", ".join(f"{name} {version}" for name, version in packages.items() if version)
              + f"; load average before: {', '.join(f'{x:.2f}' for x in section['load_average'])}. "
              f"Glued-word rate: share of alphabetic tokens longer than {section['glued_letters']} letters "
              "(words run together). Peak MB: resident memory over the process's baseline; the extractors run "
              "in this process, provrisk's PDFium reader in a child process (its own peak RSS).", ""]
    rows = []
    for name, result in section["extractors"].items():
        if not result["measured"]:
            rows.append([name, result["reason"], "", "", "", ""])
            continue
        for file, row in result["files"].items():
            rows.append([name, file, row["pages"], f"{row['ms_per_page']:.1f}", f"{row['peak_mb']:.1f}",
                         f"{row['glued_rate']:.2%} ({', '.join(row['glued_examples']) or '-'})"])
    lines += _table(["extractor", "file", "pages", "ms/page", "peak MB", "glued-word rate (examples)"], rows)
    lines += ["provrisk `ingest_file` (structure checks with pypdf, text by PDFium in a sandboxed child, "
              f"normalisation and page furniture removed; median of {INGEST_RUNS} runs):", ""]
    rows = [[file, row["pages"], f"{row['ms_per_page']:.1f}", f"{row['peak_mb']:.1f}", f"{row['peak_kb_per_page']:.0f}",
             f"{row['child_peak_rss_mb']:.0f}", f"{row['glued_rate']:.2%}"]
            for file, row in section["ingest"].items()]
    lines += _table(["file", "pages", "ms/page", "peak MB", "peak KB/page", "PDFium child peak RSS MB", "glued-word rate"],
                    rows)
    ocr = section["ocr"]
    lines += [f"OCR (`--ocr force`: PDFium renders each page at 300 dpi, Tesseract reads it) of each file's first "
              f"{OCR_PAGES} pages; word recall: share of the text layer's words (4+ letters) that OCR found:", ""]
    if not ocr["measured"]:
        return lines + [ocr["reason"], ""]
    rows = [[file, row["pages"], f"{row['ms_per_page']:.0f}", f"{row['peak_mb']:.1f}", f"{row['word_recall']:.1%}",
             f"{row['glued_rate']:.2%}", row["engine"]] for file, row in ocr["files"].items()]
    return lines + _table(["file", "pages", "ms/page", "peak MB (this process)", "word recall", "glued-word rate",
                           "engine"], rows)


def _hostile_lines(report: dict) -> list[str]:
    section = report["hostile_load"]
    lines = ["## 8. Hostile load", "",
             (f"Time to ingest and segment each crafted upload (a fresh process per point; stopped after "
              f"{section['point_timeout_s']:g} s). k: growth exponent between the two largest sizes measured "
              f"(time ~ size^k; about 1 is linear, 2 quadratic). Load average before: "
              f"{', '.join(f'{x:.2f}' for x in section['load_average']['before'])}; after: "
              f"{', '.join(f'{x:.2f}' for x in section['load_average']['after'])} (other jobs share the CPU)."), ""]
    rows = []
    for family in section["families"]:
        points = ", ".join(
            f"{p['size'] // 1024} KB: " + (f"> {section['point_timeout_s']:g} s" if p["timed_out"] else f"{p['seconds']:.2f} s")
            for p in family["points"])
        k = "-" if family["exponent"] is None else f"{family['exponent']:.2f}"
        rows.append([family["family"], family["target"], points, k, "linear" if family["linear"] else "NOT linear"])
    lines += _table(["family", "code path", "seconds by size (of text)", "k", "verdict"], rows)
    flood_result = section["flood"]
    normal, crafted = flood_result["normal"], flood_result["crafted"]
    settings = flood_result["server_settings"]
    latency = normal["latency_ms"] or {}
    lines += [(f"Flood: {flood_result['normal_clients']} ordinary clients posting {EXAMPLE.name} in a closed loop for "
               f"{flood_result['seconds']:g} s while {flood_result['flood_clients']} clients post the families' crafted "
               f"uploads ({flood_result['upload_bytes'] // 1024} KB of text each, in turn), against `provrisk serve` "
               f"with {settings['scoring_processes']} scoring processes and a {settings['request_timeout_s']:g} s "
               "deadline, on the same machine."), ""]
    baseline = flood_result.get("baseline")
    baseline_rows = [] if baseline is None else [[
        "ordinary, alone (before the flood)", baseline["requests"], f"{baseline['errors']} ({_statuses(baseline)})",
        " / ".join(f"{v:.0f}" for v in (baseline["latency_ms"] or {}).values()) or "-",
        f"{baseline['max_ms']:.0f}" if baseline["max_ms"] else "-", ""]]
    lines += _table(
        ["clients", "requests", "errors (by status)", "p50 / p95 / p99 ms", "max ms", f"target p99 < {TARGET_P99_MS:g} ms, 0 errors"],
        baseline_rows + [["ordinary, during the flood", normal["requests"], f"{normal['errors']} ({_statuses(normal)})",
          " / ".join(f"{latency[p]:.0f}" for p in latency) or "-", f"{normal['max_ms']:.0f}" if normal["max_ms"] else "-",
          "PASS" if flood_result["pass"] else "FAIL"],
         ["crafted", crafted["requests"], _statuses(crafted),
          " / ".join(f"{v:.0f}" for v in (crafted["latency_ms"] or {}).values()) or "-",
          f"{crafted['max_ms']:.0f}" if crafted["max_ms"] else "-", ""]])
    if "command" in section:  # measured on its own, after the rest of the report
        machine = section["machine"]
        lines += [f"Measured {section['generated_at']} by `{section['command']}` on {machine['cpu_count']} CPUs "
                  f"({machine['cpu_model'] or 'unknown CPU'}), {machine['memory_gb']:.1f} GB RAM.", ""]
    return lines


def _spark_lines(report: dict) -> list[str]:
    section = report["spark"]
    lines = ["## 9. Spark: `provrisk batch --engine spark` in local mode", ""]
    if not section["measured"]:
        return lines + [section["reason"], ""]
    lines += spark_markdown(section) + [""]
    if "command" in section:  # measured on its own, after the rest of the report
        machine = section["machine"]
        lines += [f"Measured {section['generated_at']} by `{section['command']}` on {machine['cpu_count']} CPUs "
                  f"({machine['cpu_model'] or 'unknown CPU'}), {machine['memory_gb']:.1f} GB RAM.", ""]
    return lines


# The sections of bench.md in order, each under the report key it needs: a section absent from the report
# (a report of which only the PDF or hostile-load section has been measured yet) is left out.
SECTIONS = (
    ("stages", _run_lines),
    ("targets", _targets_lines),
    ("floor", _floor_lines),
    ("stages", _stages_lines),
    ("linear_scoring", _scoring_lines),
    ("single_statute", _statute_lines),
    ("api_load", _api_lines),
    ("training", _training_lines),
    ("pdf_ingestion", _pdf_lines),
    ("hostile_load", _hostile_lines),
    ("spark", _spark_lines),
)


def to_markdown(report: dict) -> str:
    """``bench.md``: the title, then each of :data:`SECTIONS` the report has."""
    lines = ["# provrisk benchmark", ""]
    for key, render in SECTIONS:
        if key in report:
            lines += render(report)
    return "\n".join(lines)


def write_report(report: dict, out_dir: Path) -> list[Path]:
    """``bench.json`` and ``bench.md`` in ``out_dir``, each replaced atomically; returns their paths."""
    return write_report_files("bench", data=report, markdown=to_markdown(report), directory=out_dir, indent=2)

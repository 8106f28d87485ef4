"""How many flags quote words a reader cannot check: statute reports before and after a change to evidence.

Input: two folders of statute report JSON files (``provrisk batch --out DIR``
writes them to ``DIR/reports``; ``provrisk score -f json`` one at a time),
scored from the same statutes by two versions of provrisk. Output: printed
and written to ``eval/reports/evidence_quotes.{json,md}``: per folder, the
number of flags, the share of flags with a quote made only of function words
(stop words and drafting words: "in the", "under subsection"), the share with
a quote that begins or ends with one ("and cybercrimes", "security for"), and,
where the reports say which quotes come from the model, the same among model
quotes; and the number of flags, matched by statute, citation and label,
whose quotes differ.

Usage: ``python -m provrisk.eval.evidence_quotes BEFORE_DIR AFTER_DIR``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from provrisk.eval.report_files import write_report_files
from provrisk.models.linear import FUNCTION_WORDS, quotable

REPORT_NAME = "evidence_quotes"


def read_flags(folder: Path) -> dict[tuple[str, str, str], dict]:
    """(statute id, citation, label) -> flag, for every flag of every report JSON in ``folder``."""
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise SystemExit(f"{folder}: no statute report JSON files in it")
    flags = {}
    for path in paths:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
            instrument = report["instrument"]["id"]
            for provision in report["provisions"]:
                for flag in provision["flags"]:
                    flags[(instrument, provision["citation"], flag["label"])] = flag
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise SystemExit(f"{path}: not a provrisk statute report ({error})") from None
    return flags


def _words(quote: str) -> list[str]:
    return [w for w in "".join(c if c.isalnum() else " " for c in quote.lower()).split() if len(w) > 1]


def function_words_only(quote: str) -> bool:
    """No word of the quote (one-letter words aside, as the model reads it) says what the provision does."""
    return all(w in FUNCTION_WORDS or w.isdigit() for w in _words(quote))


def function_word_edge(quote: str) -> bool:
    """The quote begins or ends with a function word (or is made of them)."""
    words = _words(quote)
    return not words or not quotable(" ".join(words))


def quote_measures(flags: dict[tuple[str, str, str], dict]) -> dict:
    """Counts and shares of flags with quotes of each kind, over all quotes and over model quotes."""

    def share(count: int, total: int) -> float:
        return round(count / total, 4) if total else 0.0

    out: dict = {"flags": len(flags)}
    for name, test in (("function_words_only", function_words_only), ("function_word_edge", function_word_edge)):
        count = sum(any(test(q) for q in flag["evidence"]) for flag in flags.values())
        out[name] = {"flags": count, "share": share(count, len(flags))}
    with_model = [f for f in flags.values() if any(c["source"] == "model" for c in f.get("evidence_clauses", []))]
    if with_model:
        model_quotes = [[q for c in f["evidence_clauses"] if c["source"] == "model" for q in c["quotes"]] for f in with_model]
        out["model_flags"] = len(with_model)
        out["model_flags_without_quotes"] = sum(not quotes for quotes in model_quotes)
        for name, test in (("model_function_words_only", function_words_only), ("model_function_word_edge", function_word_edge)):
            count = sum(any(test(q) for q in quotes) for quotes in model_quotes)
            out[name] = {"flags": count, "share": share(count, len(with_model))}
    return out


def compare(before: dict, after: dict) -> dict:
    shared = before.keys() & after.keys()
    return {
        "before": quote_measures(before),
        "after": quote_measures(after),
        "flags_in_both": len(shared),
        "flags_only_before": len(before.keys() - after.keys()),
        "flags_only_after": len(after.keys() - before.keys()),
        "flags_with_changed_quotes": sum(before[k]["evidence"] != after[k]["evidence"] for k in shared),
    }


def markdown(result: dict, before: Path, after: Path) -> str:
    lines = [
        "# Quotes a reader cannot check",
        "",
        f"Before: `{before}`; after: `{after}`. Function words: scikit-learn's English stop words and drafting words "
        "(`provrisk.models.linear.DRAFTING_WORDS`).",
        "",
        "| | flags | quote of function words only | quote beginning or ending with one |",
        "| --- | ---: | ---: | ---: |",
    ]
    for side in ("before", "after"):
        m = result[side]
        lines.append(f"| {side} | {m['flags']} | {m['function_words_only']['flags']} ({m['function_words_only']['share']:.1%}) | "
                     f"{m['function_word_edge']['flags']} ({m['function_word_edge']['share']:.1%}) |")
    after_measures = result["after"]
    if "model_flags" in after_measures:
        lines += [
            "",
            f"After, among the {after_measures['model_flags']} flags explained by the model: "
            f"{after_measures['model_function_words_only']['flags']} with a quote of function words only, "
            f"{after_measures['model_function_word_edge']['flags']} with a quote beginning or ending with one, "
            f"{after_measures['model_flags_without_quotes']} quoting the clause without trigger words.",
        ]
    lines += [
        "",
        f"Flags in both: {result['flags_in_both']} (only before: {result['flags_only_before']}, only after: "
        f"{result['flags_only_after']}); their quotes changed for {result['flags_with_changed_quotes']}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="folder of statute report JSON files scored before the change")
    parser.add_argument("after", type=Path, help="folder of statute report JSON files scored after it")
    args = parser.parse_args()
    result = compare(read_flags(args.before), read_flags(args.after))
    text = markdown(result, args.before, args.after)
    write_report_files(REPORT_NAME, data=result, markdown=text, indent=2, sort_keys=True)
    print(text)


if __name__ == "__main__":
    main()

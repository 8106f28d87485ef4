"""Score a gold file with an earlier release of provrisk, for a like-for-like comparison with the current model.

Input: a checkout of an earlier provrisk commit (``git worktree add DIR COMMIT``)
holding its shipped model, and a gold file. The gold provisions are joined and
prepared by the current code (text as segmented now, layout-free, with their
statute's definitions), written to a temporary file, and scored in a child
process that imports the earlier release's code from the checkout instead of
the installed one. Output: the same metrics as ``provrisk eval``
(:func:`provrisk.eval.heldout.evaluate`), for the earlier model, using its own
thresholds.

Run: ``.venv/bin/python -m provrisk.eval.previous --checkout /tmp/provrisk-0.2.0 [--gold eval/gold/test.jsonl]``

A checkout from before the safetensors model files stores its model as
``model.skops`` and its code loads it with skops, which provrisk no longer
installs: ``pip install skops==0.16.0`` first.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from provrisk.eval.heldout import load_gold_records, scored
from provrisk.eval.report_files import write_report_files
from provrisk.settings import get_settings
from provrisk.taxonomy import load_taxonomy

# Runs in the child: map the provrisk packages to the checkout's folders (as its pyproject does),
# ahead of the installed editable finder, then score with that release's own predict_records.
_CHILD = r'''
import importlib.util, json, sys
root, records_path = sys.argv[1], sys.argv[2]
mapping = {"provrisk": "pipeline", "provrisk.models": "models", "provrisk.corpora": "corpora", "provrisk.eval": "eval"}
class Finder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name in mapping:
            folder = f"{root}/{mapping[name]}"
            return importlib.util.spec_from_file_location(name, f"{folder}/__init__.py", submodule_search_locations=[folder])
        return None
sys.meta_path.insert(0, Finder)
from provrisk.models.artifacts import load_model_dir
from provrisk.models.predict import predict_records
model = load_model_dir(f"{root}/models/provrisk-linear")
records = [json.loads(line) for line in open(records_path, encoding="utf-8")]
terms = {}
for record in records:
    terms.setdefault(record["instrument_id"], {}).update(record.pop("defined_terms", {}))
scores = [p["scores"] for p in predict_records(model, records, terms)]
print(json.dumps({"version": __import__("provrisk").__version__, "labels": model.labels,
                  "thresholds": [float(t) for t in model.thresholds], "scores": scores}))
'''


def score_with_checkout(checkout: Path, records: list[dict]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        path = handle.name
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, str(checkout), path], capture_output=True, text=True, check=False)
    finally:
        Path(path).unlink(missing_ok=True)
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: the earlier release could not score the gold: {done.stderr.strip().splitlines()[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, required=True, help="a checkout of the earlier commit (git worktree add DIR COMMIT)")
    parser.add_argument("--gold", type=Path, default=Path("eval/gold/test.jsonl"))
    args = parser.parse_args()
    labels = load_taxonomy().ids
    records, _ = load_gold_records(args.gold, get_settings().corpus_dir)
    gold = np.array([[label in r["labels"] for label in labels] for r in records])
    groups = np.array([r["instrument_id"] for r in records])
    fields = ("id", "instrument_id", "citation", "text", "heading", "context", "kind", "instrument_kind", "defined_terms")
    out = score_with_checkout(args.checkout, [{k: r[k] for k in fields if k in r} for r in records])
    if out["labels"] != labels:
        raise SystemExit(f"{args.checkout}: the earlier model's labels differ from the taxonomy's")
    proba = np.array([[row[label] for label in labels] for row in out["scores"]])
    thresholds = np.array(out["thresholds"])
    result = scored(proba, proba >= thresholds, gold, groups, labels)
    result.update(version=out["version"], gold=str(args.gold), n=len(records))
    write_report_files(f"heldout_provrisk_{out['version']}", data=result, indent=2, sort_keys=True)
    low, high = result["macro_f1_ci95"]
    print(f"provrisk {out['version']} on {args.gold} ({len(records)} provisions): macro-F1 {result['macro_f1']:.3f} "
          f"[{low:.3f}, {high:.3f}], ECE {result['ece']:.3f}")
    for label in labels:
        s = result["per_label"][label]
        print(f"  {label:36s} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} (support {s['support']})")


if __name__ == "__main__":
    main()

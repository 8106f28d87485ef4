"""``provrisk bench``: how fast and how large provrisk is on the corpus, each figure against a tokenisation floor.

Input: the corpus (``manifest.jsonl`` and ``texts/``; the first ``limit``
instruments for a quick run), the shipped linear model, a transformer model
directory when one is given or installed under ``models/``, and the training
configs under ``configs/``. Output: ``eval/reports/bench.json`` and
``bench.md`` with

1. the floor: reading every text and splitting it with ``spacy.blank("en")``'s
   tokenizer, the least any pipeline that looks at words must do;
2. per stage over the corpus (ingest, segment, rules-only labelling, linear and
   transformer prediction): seconds, provisions/s, words/s, multiple of the
   floor, and peak resident memory;
3. linear scoring of the corpus (``score_provisions``, the product's one
   scoring function, per instrument) against the target of 2x the floor, with
   the components' shares when it misses;
4. one statute of about 50 provisions (the corpus instrument closest) scored
   cold (from launching a fresh process to the end of its first call; target
   1.5 s) and warm (median of later calls in that process), with a profile of a
   warm call;
5. the HTTP service under closed-loop load, with each server process's peak
   RSS and PSS (target: every process under 300 MB RSS);
6. training time per config, measured or as last recorded;
7. PDF ingestion on real published statutes: text extractors compared,
   provrisk's ms per page and peak memory (``--pdf-only`` measures only this);
8. hostile load: time against size for each pathological upload family, and
   ordinary clients' latency and errors while the service is flooded with such
   uploads (``--hostile-only`` measures only this);
9. ``provrisk batch --engine spark`` in local mode against the local engine on
   1 and 2 cores, on the corpus and on it replicated (``--spark-replicas``),
   and whether Spark wrote identical outputs (``--spark-only`` measures only
   this, ``--skip-spark`` leaves it out);

and the machine, date, corpus hash and command line. "Words" are the
whitespace-separated words of the raw corpus texts and "provisions" the
segmenter's provisions; every stage's rates use those same corpus totals, so
rates are comparable across stages. A "x floor" figure is a time divided by the
floor's seconds for the whole corpus (for latencies too: a unit of machine speed).

The modules, one job each:

- :mod:`~provrisk.eval.bench.run`: the run: options, the order of the
  measurements, the report assembled (sections 1 to 6 and 9; 7, 8 and 9 can be measured again on their own);
- :mod:`~provrisk.eval.bench.harness`: how a stage is measured (a fresh
  interpreter per stage, time, resident memory) and the machine described;
- :mod:`~provrisk.eval.bench.workloads`: what the stages do (sections 1 to 4)
  and the training times (6);
- :mod:`~provrisk.eval.bench.load`: the service under closed-loop load (5);
- :mod:`~provrisk.eval.bench.pdf`: PDF ingestion (7);
- :mod:`~provrisk.eval.bench.hostile`: hostile load (8);
- :mod:`~provrisk.eval.bench.spark`: Spark against the local engine (9);
- :mod:`~provrisk.eval.bench.report`: targets, verdicts, the markdown and the
  files.
"""

"""The ``provrisk`` command line.

Every command reports a problem with its input as one line on stderr
("error: statute.pdf: password-protected PDF ...") and exits with a non-zero
code; set ``PROVRISK_DEBUG=1`` to see the traceback of an unexpected failure.

File names, statute text and error messages are not trusted: the consoles
here read no rich markup (``markup=False``), colour comes only from
:class:`~rich.text.Text` styles, and progress descriptions are plain text, so
a file called ``evil[/red].txt`` is printed as it is.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
import typer.core
from rich.console import Console
from rich.table import Table
from rich.text import Text

from provrisk.errors import ConfigError, InputError, ProvriskError

_typer_display_type = typer.core.TyperOption.display_type_rich


def _display_type_unless_flag(option: typer.core.TyperOption, ctx) -> str | None:
    """The value placeholder help prints after an option; none for a flag (--all, --help), which takes no value."""
    return None if option.is_flag else _typer_display_type(option, ctx)


# typer 0.29 prints "<bool>" after every flag in help, as if it took a value.
typer.core.TyperOption.display_type_rich = _display_type_unless_flag

app = typer.Typer(
    help="Flag human-rights risk features in cybercrime and surveillance legislation, provision by provision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
corpus_app = typer.Typer(help="Build datasets from the legal corpus.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
label_app = typer.Typer(help="Weak supervision: labelling functions, label model, reports.", no_args_is_help=True)
app.add_typer(label_app, name="label")
gold_app = typer.Typer(help="The risk-label gold sets.", no_args_is_help=True)
app.add_typer(gold_app, name="gold")

stderr = Console(stderr=True, markup=False)
stdout = Console(markup=False)

EXIT_INPUT_ERROR = 2
EXIT_UNEXPECTED = 1


def _labelled(label: str, style: str, message: str) -> Text:
    """``label`` in ``style``, then ``message`` as plain text."""
    return Text.assemble((label, style), " ", message)


def _plain_progress(*columns):
    """A progress bar whose descriptions (file names, instrument ids) are plain text, never markup."""
    from rich.progress import Progress, TextColumn

    return Progress(TextColumn("{task.description}", markup=False), *columns, console=stderr, transient=True)


def _one_line_errors(command):
    """Turn every failure into one line on stderr and a non-zero exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ProvriskError as exc:
            stderr.print(_labelled("error:", "red", str(exc)), highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INPUT_ERROR) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - users get one line, developers set PROVRISK_DEBUG
            if os.environ.get("PROVRISK_DEBUG"):
                raise
            stderr.print(_labelled("error:", "red", f"unexpected failure: {type(exc).__name__}: {exc}"), soft_wrap=True)
            raise typer.Exit(EXIT_UNEXPECTED) from None

    return wrapper


def _option_value(option: str, parse, value):
    """``parse(value)``, or None when the option is not given; ConfigError naming ``option`` when parse refuses it."""
    if not value:
        return None
    try:
        return parse(value)
    except ValueError as error:
        raise ConfigError(f"{option}: {error}") from None


def _max_bytes(max_mb: float | None) -> int:
    from provrisk.settings import get_settings

    return int(max_mb * 1024 * 1024) if max_mb else get_settings().max_input_bytes


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        stderr.print(_labelled("warning:", "yellow", warning), soft_wrap=True)


class OcrMode(str, Enum):
    auto = "auto"
    never = "never"
    force = "force"


OcrOption = Annotated[OcrMode, typer.Option(
    "--ocr",
    help="PDF pages without a text layer (scans): auto reads them with Tesseract OCR, never refuses them, "
         "force reads every page by OCR.",
)]


@app.command()
@_one_line_errors
def ingest(
    file: Annotated[Path, typer.Argument(help="A .txt, .pdf, .docx, .html or Akoma Ntoso .xml file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with the source map and language.")] = False,
    max_mb: Annotated[Optional[float], typer.Option(help="Refuse files larger than this (MB).")] = None,
    ocr: OcrOption = OcrMode.auto,
) -> None:
    """Read a statute and print its normalised text."""
    from provrisk.ingest import ingest_file

    document = ingest_file(file, max_bytes=_max_bytes(max_mb), ocr=ocr.value)
    _warn(document.warnings)
    if as_json:
        record = {
            "source": document.source,
            "format": document.format,
            "language": document.language,
            "language_confidence": round(document.language_confidence, 3),
            "warnings": document.warnings,
            "metadata": document.metadata,
            "source_map": [vars(span) for span in document.source_map],
            "text": document.text,
        }
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        typer.echo(document.text)


class SegmentFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"


@app.command()
@_one_line_errors
def segment(
    file: Annotated[Path, typer.Argument(help="The statute to segment (any format `provrisk ingest` reads).")],
    format: Annotated[SegmentFormat, typer.Option("--format", "-f", help="jsonl: one provision per line; table: for reading.")] = SegmentFormat.jsonl,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the JSONL here instead of stdout.")] = None,
    instrument_id: Annotated[Optional[str], typer.Option(help="Id used in provision ids (default: from the file name).")] = None,
    style: Annotated[Optional[str], typer.Option(help="Force the drafting style: article, section, usc or sec (U.S. bills and Acts).")] = None,
    max_mb: Annotated[Optional[float], typer.Option(help="Refuse files larger than this (MB).")] = None,
    ocr: OcrOption = OcrMode.auto,
) -> None:
    """Split a statute into citable provisions (citation, hierarchy, kind, text, offsets)."""
    from provrisk.ingest import ingest_file
    from provrisk.score.report import instrument_id_for
    from provrisk.segment import segment_statute

    if style not in (None, "article", "section", "usc", "sec"):
        raise typer.BadParameter("style must be article, section, usc or sec", param_hint="--style")
    document = ingest_file(file, max_bytes=_max_bytes(max_mb), ocr=ocr.value)
    _warn(document.warnings)
    provisions = segment_statute(document.text, instrument_id or instrument_id_for(file.name), style=style)
    if not provisions:
        raise ProvriskError(f"{file}: no provisions found (is this a statute?)")
    if format == SegmentFormat.table and output is None:
        _print_provision_table(provisions, file)
        return
    lines = "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in provisions)
    if output is None:
        sys.stdout.write(lines)
        return
    from provrisk.io import write_text_atomic

    write_text_atomic(output, lines)
    if format == SegmentFormat.table:
        _print_provision_table(provisions, file)
    stderr.print(f"wrote {len(provisions)} provisions to {output}")


def _print_provision_table(provisions, file: Path) -> None:
    table = Table(title=f"{file.name}: {len(provisions)} provisions", show_lines=False)
    table.add_column("citation", no_wrap=True)
    table.add_column("kind")
    table.add_column("heading", max_width=28)
    table.add_column("items", max_width=24)
    table.add_column("text", max_width=70)
    for provision in provisions:
        text = " ".join(provision.text.split())
        table.add_row(
            provision.citation,
            provision.kind if provision.role == "rule" else f"{provision.kind} (lead-in)",
            provision.heading or "",
            ", ".join(item.citation.split(provision.citation, 1)[-1] or item.citation for item in provision.items),
            text[:160] + ("…" if len(text) > 160 else ""),
        )
    stdout.print(table)


@corpus_app.command("build")
@_one_line_errors
def corpus_build(
    corpus_dir: Annotated[Optional[Path], typer.Option(help="Corpus directory (default: settings / PROVRISK_CORPUS_DIR).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Where to save the dataset (default: <datasets_dir>/provisions).")] = None,
) -> None:
    """Segment every instrument in the manifest into a Hugging Face dataset of provisions."""
    from provrisk.corpora.dataset import build_provisions_dataset
    from provrisk.settings import get_settings

    settings = get_settings()
    corpus_dir = corpus_dir or settings.corpus_dir
    out = out or settings.datasets_dir / "provisions"
    result = build_provisions_dataset(corpus_dir, out)
    for instrument_id, problem in result.failures.items():
        stderr.print(_labelled("failed:", "red", f"{instrument_id}: {problem}"))
    _warn(result.warnings)
    typer.echo(
        f"{result.n_provisions} provisions from {len(result.counts)} instruments "
        f"(corpus hash {result.corpus_hash[:12]}) saved to {out}"
    )
    if result.failures:
        raise typer.Exit(EXIT_INPUT_ERROR)


@app.command("segmentation-report")
@_one_line_errors
def segmentation_report(
    corpus_dir: Annotated[Optional[Path], typer.Option(help="Corpus directory (default: settings / PROVRISK_CORPUS_DIR).")] = None,
) -> None:
    """Score segmentation against the citation gold in eval/gold/segmentation (writes eval/reports/)."""
    from provrisk.eval.segmentation import run, to_markdown, write_report
    from provrisk.settings import get_settings

    report = run(corpus_dir or get_settings().corpus_dir)
    json_path, md_path = write_report(report)
    typer.echo(to_markdown(report))
    stderr.print(f"wrote {json_path} and {md_path}")
    if not report["meets_targets"]:
        raise typer.Exit(1)


LabellingConfigOption = Annotated[
    Path, typer.Option("--config", help="The labelling config (LFs, label model, gold, output).")
]


@label_app.command("report")
@_one_line_errors
def label_report(config: LabellingConfigOption = Path("configs/labelling.yaml")) -> None:
    """LF coverage/overlap/conflict and dev-gold precision/recall; label model vs majority vote per label."""
    from provrisk.label.config import load_labelling_config
    from provrisk.label.report import build_report, to_markdown, write_report
    from provrisk.label.weak import weak_label_corpus

    labelling = load_labelling_config(config)
    report = build_report(weak_label_corpus(labelling), labelling)
    json_path, md_path = write_report(report)
    typer.echo(to_markdown(report).split("## Labelling functions")[0])
    stderr.print(f"wrote {json_path} and {md_path}")


@gold_app.command("report")
@_one_line_errors
def gold_report() -> None:
    """Size, sources, positives per label and inter-annotator agreement of every gold file; writes eval/reports/gold.md."""
    from provrisk.eval.agreement import gold_markdown, gold_summary
    from provrisk.eval.gold import GOLD_FILES, read_jsonl
    from provrisk.eval.report_files import write_report_files
    from provrisk.taxonomy import load_taxonomy

    labels = load_taxonomy().ids
    summary = gold_summary({path.stem: read_jsonl(path) for path in GOLD_FILES if path.exists()}, labels)
    text = gold_markdown(summary, labels)
    [out] = write_report_files("gold", markdown=text)
    typer.echo(text)
    typer.echo(f"written to {out}")


@gold_app.command("add")
@_one_line_errors
def gold_add(
    source: Annotated[Path, typer.Argument(help="A statute report (provrisk score FILE -o REPORT.json) or a corpus statute file.")],
    citation: Annotated[str, typer.Option("--citation", help="The provision as the report cites it, e.g. \"s. 23(1)\" or \"Art. 29(3)\".")],
    labels: Annotated[str, typer.Option("--labels", help="The labels it carries, comma-separated taxonomy ids; \"\" for none.")],
    rationale: Annotated[str, typer.Option("--rationale", help="One line: the words that trigger the labels (quoted), or why none applies.")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold file to append to (default: the training gold).")] = Path("eval/gold/train.jsonl"),
    instrument_id: Annotated[Optional[str], typer.Option(help="The corpus instrument id (default: the report's, or from the file name).")] = None,
) -> None:
    """Record a reviewed provision (citation, labels, rationale) as gold; its text hash is taken from the corpus."""
    from provrisk.eval.gold_add import append_entry, parse_labels, reviewed_entry
    from provrisk.settings import get_settings

    entry = reviewed_entry(source, citation, parse_labels(labels), rationale, get_settings().corpus_dir, instrument_id)
    append_entry(entry, gold)
    typer.echo(f"added {entry['instrument_id']} {entry['citation']} ({', '.join(entry['labels']) or 'no label'}) to {gold}")


@label_app.command("corpus")
@_one_line_errors
def label_corpus(
    config: LabellingConfigOption = Path("configs/labelling.yaml"),
    out: Annotated[Optional[Path], typer.Option(help="Where to save (default: output_dir of the config).")] = None,
) -> None:
    """Write the corpus provisions with a probability per label and the evidence spans (a HF dataset)."""
    from provrisk.label.config import load_labelling_config
    from provrisk.label.weak import save_weak_labels, weak_label_corpus

    labelling = load_labelling_config(config)
    weak = weak_label_corpus(labelling)
    path = save_weak_labels(weak, labelling, out or labelling.resolve(labelling.output_dir))
    flagged = int((weak.proba > labelling.threshold).any(axis=1).sum())
    typer.echo(
        f"{len(weak.records)} provisions labelled ({flagged} with at least one label above {labelling.threshold}); "
        f"corpus hash {weak.corpus_hash[:12]}; saved to {path}"
    )


def _writable_model_dir(target: Path, force: bool) -> None:
    """Refuse, before any work, to replace an existing directory (the shipped model above all) unless ``force``."""
    if target.exists() and not force:
        raise ConfigError(f"{target}: already exists; pass --force to replace it, or choose another --out")


@app.command()
@_one_line_errors
def train(
    config: Annotated[Path, typer.Option("--config", help="Training config (configs/linear.yaml, configs/transformer.yaml).")] = Path("configs/linear.yaml"),
    set_: Annotated[list[str], typer.Option("--set", help="Override a config value, e.g. --set model.params.C=2.0 (repeatable).")] = [],
    out: Annotated[Optional[Path], typer.Option("--out", help="Model directory to write (default: runs/<run_name>, ignored by git); `score --model DIR` loads it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    no_mlflow: Annotated[bool, typer.Option("--no-mlflow", help="Train and evaluate without logging to MLflow.")] = False,
) -> None:
    """Train on weak labels and gold with instrument-grouped cross-validation; write a model directory; log and register it in MLflow."""
    from provrisk.models.artifacts import save_model_dir
    from provrisk.models.card import write_model_card
    from provrisk.settings import PROJECT_ROOT
    from provrisk.train.config import load_train_config
    from provrisk.train.run import train as run_training
    from provrisk.train.tracking import metadata_for

    train_config, raw = load_train_config(config, set_)
    target = out or PROJECT_ROOT / "runs" / train_config.run_name
    _writable_model_dir(target, force)
    result = run_training(train_config, progress=lambda message: stderr.print(message))
    cv, lm = result.cv_metrics, result.label_model_metrics
    table = Table(title=f"{train_config.run_name}: instrument-grouped CV on {result.data['n_gold']} training-gold provisions "
                        f"of {len(result.data['gold_instruments'])} instruments")
    for column in ("label", "threshold", "P", "R", "F1", "label model F1"):
        table.add_column(column)
    for k, label in enumerate(result.labels):
        s = cv["per_label"][label]
        table.add_row(label, f"{result.thresholds[k]:.2f}", f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}",
                      f"{lm['per_label'][label]['f1']:.3f}")
    stdout.print(table)
    typer.echo(f"macro-F1 {cv['macro_f1']:.3f} (label model {lm['macro_f1']:.3f}); micro-F1 {cv['micro_f1']:.3f}; "
               f"macro PR-AUC {cv['macro_pr_auc']:.3f}; ECE {cv['ece']:.3f}; {result.seconds:.0f} s")
    if target.exists():
        import shutil

        shutil.rmtree(target)
    metadata = metadata_for(result, raw, set_)
    save_model_dir(target, result.estimator, metadata)
    write_model_card(target, metadata)
    typer.echo(f"wrote the model to {target} (score with --model {target})")
    if not no_mlflow:
        from provrisk.train.tracking import log_run

        logged = log_run(result, config, raw, set_, target)
        typer.echo(f"MLflow run {logged['run_id']}; registered {logged['registered_model']} version {logged['version']}")


@app.command()
@_one_line_errors
def export(
    model: Annotated[str, typer.Option("--model", help="Registered model name, optionally NAME/VERSION (default: latest).")] = "provrisk-linear",
    out: Annotated[Optional[Path], typer.Option(help="Target directory (default: models/<name>).")] = None,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI (default: the project's sqlite store).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the target directory if it exists (models/provrisk-linear is the shipped model).")] = False,
) -> None:
    """Copy a registered model out of MLflow into models/<name>/ with its model card."""
    import shutil

    import mlflow

    from provrisk.eval.heldout import record_heldout_metrics
    from provrisk.label.config import load_labelling_config
    from provrisk.models.artifacts import METADATA, MODELS_DIR, WEIGHTS_DIGEST, read_metadata, weights_digest
    from provrisk.train.config import MLflowConfig

    name, _, version = model.partition("/")
    target = out or MODELS_DIR / name
    _writable_model_dir(target, force)
    mlflow.set_tracking_uri(tracking_uri or MLflowConfig().resolved_uri())
    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{name}/{version or 'latest'}"))
    source = next(local.glob("artifacts/*/metadata.json"), None)
    if source is None:
        raise ProvriskError(f"models:/{name}/{version or 'latest'}: no provrisk model directory in the registered model")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source.parent, target)
    metadata = read_metadata(target)
    if WEIGHTS_DIGEST not in metadata:  # registered before the digest was recorded at training: bind it now
        metadata[WEIGHTS_DIGEST] = weights_digest(target, metadata)
        (target / METADATA).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    # Loading the copy (in the release step) refuses untrusted or damaged content before we call it exported.
    heldout = record_heldout_metrics(target, load_labelling_config(Path("configs/labelling.yaml")))
    typer.echo(f"exported {name} to {target} (MODEL_CARD.md written; held-out macro-F1 {heldout['macro_f1']:.3f})")


def _read_jsonl_input(path: Path) -> list[dict]:
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ProvriskError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProvriskError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or "id" not in record:
            raise ProvriskError(f"{path}:{number}: each line needs an \"id\" and a string \"text\"")
        record.setdefault("instrument_id", "input")
        records.append(record)
    if not records:
        raise ProvriskError(f"{path}: no provisions in the input")
    return records


@app.command()
@_one_line_errors
def predict(
    input: Annotated[Path, typer.Option("--input", help="JSONL with one {\"id\": …, \"text\": …} per line.")],
    output: Annotated[Path, typer.Option("--output", help="Where to write one prediction per line (JSONL).")],
    model: Annotated[Optional[str], typer.Option("--model", help="Model directory or name under models/ (default: the shipped model).")] = None,
) -> None:
    """Score provisions: probabilities for all 14 labels, predicted labels and the quoted evidence."""
    from provrisk.io import write_text_atomic
    from provrisk.models.artifacts import load_model_dir
    from provrisk.models.predict import predict_records

    loaded = load_model_dir(model)
    predictions = predict_records(loaded, _read_jsonl_input(input))
    write_text_atomic(output, "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions))
    flagged = sum(1 for p in predictions if p["labels"])
    stderr.print(f"{len(predictions)} provisions scored with {loaded.name}; {flagged} flagged; wrote {output}")


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"
    docx = "docx"


# provrisk.score.view.FlagOrder, repeated so that the CLI starts without importing the scorer
class FlagOrder(str, Enum):
    document = "document"
    probability = "probability"


@app.command()
@_one_line_errors
def score(
    file: Annotated[Path, typer.Argument(help="The statute to score (PDF, DOCX, HTML, TXT or Akoma Ntoso XML).")],
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="table: in the terminal; json, csv, html: a report document; docx: a Word brief (needs --output).")] = ReportFormat.table,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report here (default: stdout). With --format table the table prints and the JSON report goes here.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Model directory or name under models/ (default: the shipped model).")] = None,
    instrument_id: Annotated[Optional[str], typer.Option(help="Id used in provision ids (default: from the file name).")] = None,
    all_provisions: Annotated[bool, typer.Option("--all", help="Table: list unflagged provisions too.")] = False,
    wide: Annotated[bool, typer.Option("--wide", help="Table: each flag's full label name, held-out precision, every trigger word and the standards it engages (the default fits 80 columns).")] = False,
    sort: Annotated[FlagOrder, typer.Option("--sort", help="document: in the statute's order; probability: the most probable flag first (every format).")] = FlagOrder.document,
    min_probability: Annotated[float, typer.Option("--min-probability", min=0.0, max=1.0, help="Keep only flags with at least this probability (every format).")] = 0.0,
    solid_only: Annotated[bool, typer.Option("--solid-only", help="Keep only solid flags (every format; the rule is in the README and under the table).")] = False,
    max_mb: Annotated[Optional[float], typer.Option(help="Refuse files larger than this (MB).")] = None,
    ocr: OcrOption = OcrMode.auto,
) -> None:
    """Score a statute provision by provision: labels, probabilities, a solid/check verdict, trigger words and the standards each engages."""
    from rich.progress import BarColumn, TaskProgressColumn, TimeRemainingColumn

    from provrisk.models.artifacts import load_model_dir
    from provrisk.score import score_document
    from provrisk.score.formats import profile_summary, profile_table, report_csv, report_json, report_table, standards_table
    from provrisk.score.view import select

    if format == ReportFormat.docx and output is None:
        raise ConfigError("--format docx writes a Word file, not text: give --output FILE.docx")
    loaded = load_model_dir(model)
    with _plain_progress(BarColumn(), TaskProgressColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task(f"scoring {file.name}", total=None)
        document = score_document(
            file,
            loaded,
            max_bytes=_max_bytes(max_mb),
            instrument_id=instrument_id,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            ocr=ocr.value,
        )
    _warn(document["instrument"]["warnings"])
    if not document["confidence"]["measured"]:
        _warn([f"{loaded.name} carries no held-out precision per label (`provrisk export` records it): every flag is marked check"])
    document = select(document, min_probability=min_probability, solid_only=solid_only, order=sort.value)
    if format == ReportFormat.table:
        stdout.print(report_table(document, show_unflagged=all_provisions, wide=wide))
        if not wide:  # the wide table names each flag's standards itself
            stdout.print(standards_table(document))
        stdout.print(profile_table(document, wide=wide))
        if output is None:
            return
    from provrisk.io import write_atomic, write_text_atomic

    if format == ReportFormat.docx:
        from provrisk.score.brief import statute_brief

        data = statute_brief(document)
        write_atomic(output, lambda tmp: tmp.write_bytes(data))
    else:
        if format in (ReportFormat.json, ReportFormat.table):
            text = report_json(document)
        elif format == ReportFormat.csv:
            text = report_csv(document)
        else:
            from provrisk.score.html import report_html

            text = report_html(document)
        if output is None:
            sys.stdout.write(text)
            return
        write_text_atomic(output, text)
    held = sum(len(provision["flags"]) for provision in document["provisions"])
    flags_in_statute = document["profile"]["flags"]
    stderr.print(f"{file.name}: {profile_summary(document)} with {loaded.name}; report written to {output}"
                 + (f" holding {held} of the flags" if flags_in_statute is not None and held != flags_in_statute else ""))


class CompareFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"
    docx = "docx"


def _write_comparison(document: dict, kind: str, format: CompareFormat, output: Optional[Path], show_all: bool) -> None:
    """Print or write an alignment (``kind`` "align") or diff document in ``format``."""
    from provrisk.compare import brief, formats

    if format == CompareFormat.table:
        table = formats.alignment_table if kind == "align" else formats.diff_table
        stdout.print(table(document, show_all=show_all))
        if output is None:
            return
        format = CompareFormat.json
    if format == CompareFormat.docx:
        if output is None:
            raise typer.BadParameter("a Word brief is a file: give --output FILE.docx", param_hint="--output")
        data = (brief.alignment_brief if kind == "align" else brief.diff_brief)(document)
        from provrisk.io import write_atomic

        write_atomic(output, lambda tmp: tmp.write_bytes(data))
        stderr.print(f"brief written to {output}")
        return
    render = {
        CompareFormat.json: formats.to_json,
        CompareFormat.csv: formats.alignment_csv if kind == "align" else formats.diff_csv,
        CompareFormat.html: formats.alignment_html if kind == "align" else formats.diff_html,
    }[format]
    text = render(document)
    if output is None:
        sys.stdout.write(text)
        return
    from provrisk.io import write_text_atomic

    write_text_atomic(output, text)
    stderr.print(f"report written to {output}")


CompareConfigOption = Annotated[
    Optional[Path], typer.Option("--config", help="Comparison settings (default: configs/compare.yaml).")
]


@app.command()
@_one_line_errors
def align(
    law: Annotated[Path, typer.Argument(help="The national law (PDF, DOCX, HTML, TXT or XML), or a corpus instrument id.")],
    to: Annotated[str, typer.Option("--to", help="The treaty: a corpus instrument id (coe-budapest-convention-2001, "
                                    "au-malabo-convention-2014, ...), un-cybercrime-convention-2024, or a file.")],
    format: Annotated[CompareFormat, typer.Option("--format", "-f", help="table: in the terminal; json, csv, html, docx: a document.")] = CompareFormat.table,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the document here (default: stdout; docx needs a file).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Model directory or name under models/ (default: the shipped model).")] = None,
    config: CompareConfigOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Table: list provisions without counterpart or risk too.")] = False,
    max_mb: Annotated[Optional[float], typer.Option(help="Refuse files larger than this (MB).")] = None,
    ocr: OcrOption = OcrMode.auto,
) -> None:
    """Align a law with the treaty it implements: each provision's article, the articles not implemented, and the risk features that differ."""
    from provrisk.compare.align import align_reports
    from provrisk.compare.config import load_compare_config
    from provrisk.compare.instruments import scored_instrument
    from provrisk.models.artifacts import load_model_dir

    settings = load_compare_config(config)
    loaded = load_model_dir(model)
    law_report = scored_instrument(law, loaded, max_bytes=_max_bytes(max_mb), ocr=ocr.value)
    treaty_report = scored_instrument(to, loaded, max_bytes=_max_bytes(max_mb), ocr=ocr.value)
    _warn(law_report["instrument"]["warnings"] + treaty_report["instrument"]["warnings"])
    _write_comparison(align_reports(law_report, treaty_report, settings), "align", format, output, show_all)


@app.command()
@_one_line_errors
def diff(
    old: Annotated[Path, typer.Argument(help="The old version (a file or a corpus instrument id).")],
    new: Annotated[list[Path], typer.Argument(help="The new version; several files when the law was split into successor acts.")],
    format: Annotated[CompareFormat, typer.Option("--format", "-f", help="table: in the terminal; json, csv, html, docx: a document.")] = CompareFormat.table,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the document here (default: stdout; docx needs a file).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Model directory or name under models/ (default: the shipped model).")] = None,
    config: CompareConfigOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Table: list unchanged provisions too.")] = False,
    max_mb: Annotated[Optional[float], typer.Option(help="Refuse files larger than this (MB).")] = None,
    ocr: OcrOption = OcrMode.auto,
) -> None:
    """Diff two versions of a law: paired provisions with their status, changed words, and risk labels gained and lost."""
    from provrisk.compare.config import load_compare_config
    from provrisk.compare.diff import diff_reports
    from provrisk.compare.instruments import scored_instrument
    from provrisk.models.artifacts import load_model_dir

    settings = load_compare_config(config)
    loaded = load_model_dir(model)
    old_report = scored_instrument(old, loaded, max_bytes=_max_bytes(max_mb), ocr=ocr.value)
    new_reports = [scored_instrument(path, loaded, max_bytes=_max_bytes(max_mb), ocr=ocr.value) for path in new]
    _warn([w for r in [old_report, *new_reports] for w in r["instrument"]["warnings"]])
    _write_comparison(diff_reports(old_report, new_reports, settings), "diff", format, output, show_all)


@app.command("train-aligner")
@_one_line_errors
def train_aligner(
    treaty: Annotated[str, typer.Option("--treaty", help="The treaty whose alignment gold to learn from.")] = "coe-budapest-convention-2001",
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder of article classifiers (default: the one configs/compare.yaml names).")] = None,
    config: CompareConfigOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing classifier for this treaty.")] = False,
) -> None:
    """Learn which treaty article a provision implements from the development alignment gold (eval/gold/alignment/treaty.jsonl)."""
    from provrisk.compare.article_classifier import classifier_dir, fit_article_classifier, save_article_classifier
    from provrisk.compare.config import load_compare_config
    from provrisk.compare.instruments import scored_instrument
    from provrisk.eval.alignment import GOLD_DIR, load_gold
    from provrisk.models.artifacts import load_model_dir
    from provrisk.settings import PROJECT_ROOT

    settings = load_compare_config(config)
    directory = out if out is not None else PROJECT_ROOT / settings.align.classifier.directory
    if classifier_dir(directory, treaty).exists() and not force:
        raise InputError(str(classifier_dir(directory, treaty)), "exists; pass --force to replace it")
    rows = [row for row in load_gold("treaty.jsonl") if row["treaty"] == treaty]
    if not rows:
        raise InputError(treaty, f"no alignment gold against this treaty in {GOLD_DIR / 'treaty.jsonl'}")
    model = load_model_dir(None)
    laws = sorted({row["law"] for row in rows})
    reports = {law: scored_instrument(law, model) for law in laws}
    classifier = fit_article_classifier(rows, reports, treaty, settings.align.classifier.C)
    metadata = {"gold": "eval/gold/alignment/treaty.jsonl", "laws": laws, "provisions": len(rows)}
    target = save_article_classifier(classifier, directory, metadata)
    stderr.print(f"learned from {len(rows)} provisions of {len(laws)} laws; wrote {target}")


@app.command("alignment-report")
@_one_line_errors
def alignment_report(
    select: Annotated[bool, typer.Option("--select", help="Also run leave-one-law-out selection of weights and threshold.")] = False,
    minilm: Annotated[bool, typer.Option("--minilm", help="With --select: also measure MiniLM similarity (transformer extra).")] = False,
) -> None:
    """Score treaty alignment and version diffs against the gold in eval/gold/alignment (writes eval/reports/)."""
    from provrisk.eval.alignment import run, to_markdown, write_report
    from provrisk.models.artifacts import load_model_dir

    report = run(load_model_dir(None), select=select, methods=("tfidf", "minilm") if minilm else ("tfidf",))
    json_path, md_path = write_report(report)
    typer.echo(to_markdown(report))
    stderr.print(f"wrote {json_path} and {md_path}")


@app.command("eval")
@_one_line_errors
def eval_models(
    model: Annotated[list[str], typer.Option("--model", help="Model directory or name under models/ (repeatable).")] = ["provrisk-linear"],
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSONL (default: the held-out test instruments' gold).")] = Path("eval/gold/test.jsonl"),
    config: LabellingConfigOption = Path("configs/labelling.yaml"),
    report: Annotated[bool, typer.Option("--report", help="Also write eval/reports/heldout.{md,json}.")] = False,
) -> None:
    """Quality on laws the models never saw: per-label P/R/F1, macro-F1 with a 95% bootstrap interval and ECE."""
    from provrisk.eval.heldout import evaluate, write_heldout_report
    from provrisk.label.config import load_labelling_config

    labelling = load_labelling_config(config)
    result = evaluate(model, gold, labelling.resolved_corpus_dir(), labelling)
    names = list(result["results"])
    scope = "held-out test instruments" if result["held_out"] else "NOT held out: some instruments were trained on"
    table = Table(title=f"{gold}: {result['n']} provisions of {len(result['instruments'])} instruments ({scope}); P / R / F1")
    table.add_column("label")
    for name in names:
        table.add_column(name)
    for label in result["labels"]:
        cells = []
        for name in names:
            s = result["results"][name]["per_label"][label]
            cells.append(f"{s['precision']:.2f} / {s['recall']:.2f} / {s['f1']:.2f}")
        table.add_row(f"{label} ({result['results'][names[0]]['per_label'][label]['support']})", *cells)
    table.add_row("macro-F1 [95% CI]", *[
        f"{r['macro_f1']:.3f} [{r['macro_f1_ci95'][0]:.3f}, {r['macro_f1_ci95'][1]:.3f}]"
        for r in (result["results"][n] for n in names)])
    table.add_row("  CI by instrument", *[
        f"[{r['macro_f1_ci95_by_instrument'][0]:.3f}, {r['macro_f1_ci95_by_instrument'][1]:.3f}]"
        for r in (result["results"][n] for n in names)])
    table.add_row("micro-F1", *[f"{result['results'][n]['micro_f1']:.3f}" for n in names])
    table.add_row("ECE", *[f"{result['results'][n]['ece']:.3f}" for n in names])
    table.add_row("grouped-CV macro-F1 (training)", *[
        "–" if "grouped_cv_macro_f1" not in result["results"][n] else f"{result['results'][n]['grouped_cv_macro_f1']:.3f}"
        for n in names])
    stdout.print(table)
    if report:
        for path in write_heldout_report(result):
            typer.echo(f"wrote {path}")


@app.command()
@_one_line_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0: every interface; put a TLS proxy in front).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    model: Annotated[Optional[str], typer.Option("--model", help="Model directory or name under models/ (default: PROVRISK_MODEL or the shipped model).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Server processes, each with its own model and PROVRISK_SCORING_PROCESSES scoring workers (one is enough for one machine).")] = 1,
    allowed_origins: Annotated[Optional[list[str]], typer.Option("--allowed-origins", help="Origins (scheme://host[:port]) whose web pages may call the API, repeatable or comma-separated (default: PROVRISK_ALLOWED_ORIGINS, or none: same-origin pages only).")] = None,
    rate_limit: Annotated[Optional[str], typer.Option("--rate-limit", help="Requests per client IP address to /v1/*, such as 60/minute; over it: 429 (default: PROVRISK_RATE_LIMIT, or no limit). Counted per server process.")] = None,
    forwarded_allow_ips: Annotated[Optional[str], typer.Option("--forwarded-allow-ips", envvar="FORWARDED_ALLOW_IPS", help="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For names the client (uvicorn's; default: 127.0.0.1).")] = None,
) -> None:
    """Run the web service: POST /v1/score, the web page at /, API docs at /docs (settings: PROVRISK_* variables)."""
    import logging

    import uvicorn

    from provrisk.models.artifacts import resolve_model_dir
    from provrisk.serve.access import parse_origins, parse_rate_limit, parse_trusted_proxies
    from provrisk.serve.app import ServeSettings, create_app, start_scoring

    # Checked here, before the model loads, so that a bad value is one line naming its option.
    origins = _option_value("--allowed-origins", parse_origins, allowed_origins)
    rate_limit = _option_value("--rate-limit", parse_rate_limit, rate_limit)
    forwarded_allow_ips = _option_value("--forwarded-allow-ips (or FORWARDED_ALLOW_IPS)", parse_trusted_proxies,
                                        forwarded_allow_ips)
    settings = ServeSettings.from_env(model=model, allowed_origins=origins, rate_limit=rate_limit)
    # The scoring process loads the model here rather than at app startup, so that a wrong
    # --model is one line, not a uvicorn traceback; the app then uses this process.
    scoring = start_scoring(settings.model)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    stderr.print(f"provrisk serving {scoring.info['name']} on http://{host}:{port}/ with {workers} "
                 "process(es) (API docs at /docs); Ctrl+C stops it", highlight=False)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, forwarded_allow_ips=forwarded_allow_ips,
                    log_level="info")
        return
    # Server processes build their own app, and their own scoring process, from the environment.
    scoring.close()
    os.environ["PROVRISK_MODEL"] = str(resolve_model_dir(settings.model).resolve())
    # what this process settled on, options over variables; an empty variable reads as unset
    os.environ["PROVRISK_ALLOWED_ORIGINS"] = ",".join(settings.allowed_origins)
    os.environ["PROVRISK_RATE_LIMIT"] = settings.rate_limit or ""
    uvicorn.run("provrisk.serve.app:create_app", factory=True, host=host, port=port, workers=workers,
                forwarded_allow_ips=forwarded_allow_ips, log_level="info")


class BatchFormat(str, Enum):
    json = "json"
    html = "html"
    csv = "csv"


class BatchEngine(str, Enum):
    processes = "processes"
    spark = "spark"


@app.command()
@_one_line_errors
def batch(
    source: Annotated[Path, typer.Argument(metavar="DIR_OR_MANIFEST", help="A folder of statutes (files directly in it), or a corpus manifest.jsonl / the folder holding it.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (reports/, failures.jsonl, provisions.parquet, matrix.csv, heatmap.png, index.html, features/).")],
    model: Annotated[Optional[str], typer.Option("--model", help="Model directory or name under models/ (default: the shipped model).")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Worker processes (default: CPU cores, at most 4).")] = None,
    format: Annotated[list[BatchFormat], typer.Option("--format", "-f", help="Statute report formats (repeatable; JSON is always written).")] = [BatchFormat.json, BatchFormat.html],
    max_mb: Annotated[Optional[float], typer.Option(help="Refuse files larger than this (MB).")] = None,
    ocr: OcrOption = OcrMode.auto,
    follow_symlinks: Annotated[bool, typer.Option("--follow-symlinks", help="Read statutes through symbolic links that lead out of the folder or corpus (refused by default).")] = False,
    align_to: Annotated[Optional[str], typer.Option("--align-to", metavar="TREATY", help="Also align every law with this treaty (as `provrisk align --to`): alignment/ and a country × article matrix in the overview.")] = None,
    config: CompareConfigOption = None,
    engine: Annotated[BatchEngine, typer.Option("--engine", help="Where statutes are scored: worker processes on this machine, or Spark executors (pip install '.[spark]'; same outputs).")] = BatchEngine.processes,
    spark_master: Annotated[Optional[str], typer.Option("--spark-master", metavar="URL", help="With --engine spark: the cluster (as spark-submit --master, e.g. spark://host:7077 or local[4]); default: Spark's configuration, else this machine.")] = None,
) -> None:
    """Score many statutes in parallel and compare them; run it again to resume or to retry failures."""
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn

    from provrisk.batch.run import READABLE_SUFFIXES, collect_inputs, default_workers, ignored_files, run_batch

    treaty_report = settings = None
    if align_to is not None:
        # The treaty is scored first, so a misspelt treaty fails before any statute is scored.
        from provrisk.compare.config import load_compare_config
        from provrisk.compare.instruments import scored_instrument
        from provrisk.models.artifacts import load_model_dir

        settings = load_compare_config(config)
        treaty_report = scored_instrument(align_to, load_model_dir(model), max_bytes=_max_bytes(max_mb), ocr=ocr.value)
    items = collect_inputs(source, follow_symlinks=follow_symlinks)
    ignored = ignored_files(source)
    if ignored:
        _warn([f"ignored {len(ignored)} file(s) that are not a statute format ({', '.join(READABLE_SUFFIXES)}): "
               + ", ".join(p.name for p in ignored)])
    if engine is BatchEngine.spark:
        _require_spark()
        description = f"scoring on Spark ({spark_master or 'default master'})"
    else:
        n_workers = workers or default_workers()
        description = f"scoring with {n_workers} worker{'s' if n_workers > 1 else ''}"
    with _plain_progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task(description, total=len(items))
        result = run_batch(
            items, out, model=model, workers=workers, formats=tuple(f.value for f in format),
            max_bytes=_max_bytes(max_mb),
            ocr=ocr.value,
            on_done=lambda outcome: bar.update(task, advance=1, description=f"{outcome.item.instrument_id}: {outcome.status}"),
            align_to=treaty_report,
            compare_config=settings,
            engine=engine.value,
            spark_master=spark_master,
        )
    for failure in result.failures:
        stderr.print(_labelled("failed:", "red", failure.error), soft_wrap=True)
    scored, skipped, failed = result.count("scored"), result.count("skipped"), result.count("failed")
    typer.echo(f"{len(items)} statutes: {scored} scored, {skipped} already scored, {failed} failed; "
               f"overview in {result.outputs['index.html']}")
    if failed:
        raise typer.Exit(EXIT_INPUT_ERROR)


def _require_spark() -> None:
    """ConfigError naming the extra to install and what else Spark needs, before any statute is read."""
    import importlib.util
    import shutil

    from provrisk.errors import ConfigError

    if importlib.util.find_spec("pyspark") is None:
        raise ConfigError("--engine spark needs pyspark: pip install '.[spark]' (or: make .venv/.installed-dev)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ConfigError("--engine spark needs Java (Spark runs on the JVM): install a JDK 17 or set JAVA_HOME")


@app.command()
@_one_line_errors
def bench(
    out_dir: Annotated[Optional[Path], typer.Option("--out-dir", help="Where to write bench.json and bench.md (default: eval/reports).")] = None,
    corpus_dir: Annotated[Optional[Path], typer.Option(help="Corpus directory (default: settings / PROVRISK_CORPUS_DIR).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N instruments of the manifest (quick runs).")] = None,
    load_seconds: Annotated[float, typer.Option("--load-seconds", min=0.1, help="Duration of the API load test.")] = 60.0,
    clients: Annotated[int, typer.Option("--clients", min=1, help="Concurrent API clients (each waits for its answer).")] = 20,
    server_workers: Annotated[int, typer.Option("--server-workers", min=1, help="`provrisk serve --workers` for the load test.")] = 2,
    with_training: Annotated[bool, typer.Option("--with-training/--skip-training", help="Re-run `provrisk train --no-mlflow` per config and time it (slow); otherwise report the last recorded training time.")] = False,
    transformer: Annotated[Optional[str], typer.Option("--transformer", help="Transformer model directory or name under models/ (default: the first installed one, if any).")] = None,
    pdf_dir: Annotated[Optional[Path], typer.Option("--pdf-dir", help="PDFs for the PDF ingestion section (default: real-statutes/ beside the corpus folder).")] = None,
    pdf_only: Annotated[bool, typer.Option("--pdf-only", help="Measure only PDF ingestion and replace that section of the existing report.")] = False,
    hostile_only: Annotated[bool, typer.Option("--hostile-only", help="Measure only the hostile load (crafted uploads: time against size, and a flood during --load-seconds of ordinary load) and replace that section of the existing report.")] = False,
    skip_hostile: Annotated[bool, typer.Option("--skip-hostile", help="Leave out the hostile load (section 8; about 10 minutes), as in a quick run.")] = False,
    spark_replicas: Annotated[int, typer.Option("--spark-replicas", min=1, help="Copies of the corpus in the Spark scaling run (10: 400 statutes).")] = 10,
    skip_spark: Annotated[bool, typer.Option("--skip-spark", help="Leave out the Spark section (it takes about 10 minutes on 2 cores).")] = False,
    spark_only: Annotated[bool, typer.Option("--spark-only", help="Measure only the Spark section and replace it in the existing report.")] = False,
) -> None:
    """Benchmark throughput, latency and memory on the corpus against a tokenisation floor (writes eval/reports/bench.*)."""
    from provrisk.eval.bench.report import to_markdown, write_report
    from provrisk.eval.bench.run import (
        BenchOptions,
        command_line,
        merge_hostile_section,
        merge_pdf_section,
        merge_spark_section,
        run_bench,
    )
    from provrisk.eval.report_files import REPORTS_DIR
    from provrisk.settings import get_settings

    options = BenchOptions(
        corpus_dir=(corpus_dir or get_settings().corpus_dir).resolve(),
        out_dir=out_dir or REPORTS_DIR,
        limit=limit,
        load_seconds=load_seconds,
        clients=clients,
        server_workers=server_workers,
        with_training=with_training,
        transformer=transformer,
        pdf_dir=pdf_dir.resolve() if pdf_dir else None,
        pdf_only=pdf_only,
        hostile_only=hostile_only,
        skip_hostile=skip_hostile,
        spark_replicas=spark_replicas,
        skip_spark=skip_spark,
        spark_only=spark_only,
    )
    options.command = command_line(options)
    if spark_only and skip_spark:
        raise ConfigError("--spark-only and --skip-spark contradict each other")
    if spark_only:
        _require_spark()
    if pdf_only:
        report = merge_pdf_section(options)
    elif hostile_only:
        report = merge_hostile_section(options)
    elif spark_only:
        report = merge_spark_section(options)
    else:
        report = run_bench(options)
    json_path, md_path = write_report(report, options.out_dir)
    typer.echo(to_markdown(report))
    stderr.print(f"wrote {json_path} and {md_path}")


if __name__ == "__main__":  # pragma: no cover
    app()

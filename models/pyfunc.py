"""The MLflow pyfunc wrapper: serves a provrisk model directory through MLflow.

``predict`` takes a pandas DataFrame in one of two shapes, and scores it with
the function every other path uses (:mod:`provrisk.score.report`), so its
labels and scores are those of ``provrisk score``:

- **whole statutes**: a ``statute`` column, each cell a statute's text (str)
  or a file's bytes (PDF, DOCX, HTML, XML, TXT), with an optional ``name``
  (the file name: it gives the instrument id and hints at the format). Output:
  one row per provision found, with ``instrument_id``, ``provision_id``,
  ``citation``, one probability column per label and ``labels`` (the predicted
  ids, comma-separated). A statute that cannot be read raises ``ValueError``
  naming it.
- **provisions**: a ``text`` column (optional ``id``, ``heading``, ``context``,
  ``kind``, ``citation``, ``instrument_id``). Provisions that share an
  ``instrument_id`` are one statute, so each is read against the statute's
  definitions; give every provision of a statute in the same call. Output: one
  row per input row, one probability column per label and ``labels``.

A bare scikit-learn text pipeline cannot be served as a pyfunc (MLflow hands it
non-string cells), hence this wrapper; the model directory travels as an MLflow
artifact, and the wrapper is logged as code (this file), so loading it
unpickles nothing.
"""

from __future__ import annotations

import mlflow.models
import mlflow.pyfunc
import pandas as pd

STATUTE_COLUMN = "statute"
TEXT_COLUMN = "text"


class ProvriskPyfunc(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        from provrisk.models.artifacts import load_model_dir

        self.model = load_model_dir(context.artifacts["model_dir"])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        if STATUTE_COLUMN in frame.columns:
            return self._score_statutes(frame)
        if TEXT_COLUMN in frame.columns:
            return self._score_provisions(frame)
        raise ValueError(f"input needs a '{STATUTE_COLUMN}' column (whole statutes) or a '{TEXT_COLUMN}' column (provisions)")

    def _score_statutes(self, frame: pd.DataFrame) -> pd.DataFrame:
        from provrisk.errors import InputError
        from provrisk.ingest import ingest_bytes
        from provrisk.score.report import instrument_id_for, score_ingested

        rows = []
        for position, row in enumerate(frame.to_dict(orient="records")):
            statute, name = row[STATUTE_COLUMN], str(row.get("name") or f"statute-{position}.txt")
            data = statute.encode("utf-8") if isinstance(statute, str) else bytes(statute)
            try:
                report = score_ingested(ingest_bytes(data, name), self.model, instrument_id=instrument_id_for(name))
            except InputError as error:
                raise ValueError(str(error)) from None
            for provision in report["provisions"]:
                rows.append({"instrument_id": report["instrument"]["id"], "provision_id": provision["id"],
                             "citation": provision["citation"], **provision["scores"],
                             "labels": ",".join(provision["labels"])})
        columns = ["instrument_id", "provision_id", "citation", *self.model.labels, "labels"]
        return pd.DataFrame(rows, columns=columns)

    def _score_provisions(self, frame: pd.DataFrame) -> pd.DataFrame:
        from provrisk.score.report import score_provisions

        records = []
        for position, row in enumerate(frame.to_dict(orient="records")):
            record = {key: ("" if value is None else value) for key, value in row.items()}
            record[TEXT_COLUMN] = str(record[TEXT_COLUMN])
            record["id"] = str(record.get("id") or position)
            record["instrument_id"] = str(record.get("instrument_id") or "input")
            records.append(record)
        predictions = score_provisions(self.model, records)
        out = pd.DataFrame([p["scores"] for p in predictions], columns=self.model.labels)
        out["labels"] = [",".join(p["labels"]) for p in predictions]
        return out


# Models-from-code: MLflow runs this file to build the model instead of unpickling an object.
mlflow.models.set_model(ProvriskPyfunc())

"""The MLflow pyfunc wrapper: serves a provrisk model directory through MLflow.

Input to ``predict``: a pandas DataFrame with a ``text`` column (optional
``id``, ``heading``, ``context``, ``kind``, ``instrument_id``). Output: a
DataFrame with one probability column per label and ``labels`` (the
predicted label ids, comma-separated). A bare scikit-learn text pipeline
cannot be served as a pyfunc (MLflow hands it non-string cells), hence this
wrapper; the model directory travels as an MLflow artifact, and the wrapper
is logged as code (this file), so loading it unpickles nothing.
"""

from __future__ import annotations

import mlflow.models
import mlflow.pyfunc
import pandas as pd


class ProvriskPyfunc(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        from provrisk.models.artifacts import load_model_dir

        self.model = load_model_dir(context.artifacts["model_dir"])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        if "text" not in frame.columns:
            raise ValueError("input needs a 'text' column")
        records = []
        for position, row in enumerate(frame.to_dict(orient="records")):
            record = {key: ("" if value is None else value) for key, value in row.items()}
            record["text"] = str(record["text"])
            record.setdefault("id", str(position))
            record.setdefault("instrument_id", "input")
            records.append(record)
        proba = self.model.predict_proba(records)
        out = pd.DataFrame(proba, columns=self.model.labels)
        thresholds = self.model.thresholds
        out["labels"] = [",".join(l for l, p, t in zip(self.model.labels, row, thresholds) if p >= t) for row in proba]
        return out


# Models-from-code: MLflow runs this file to build the model instead of unpickling an object.
mlflow.models.set_model(ProvriskPyfunc())

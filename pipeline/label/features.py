"""Labelling-function votes as model features, with the set of LFs fixed when the model is fitted.

:class:`LFVoteFeaturizer` is a scikit-learn transformer. ``fit`` records the
versioned names of the LFs it will use (all registered ones, or the subset a
config names) in ``lf_names_``; from then on its columns are those LFs in
that order, whatever is registered later:

- ``votes(records)`` runs exactly those LFs and returns an
  :class:`~provrisk.label.apply.LFVotes` (votes and evidence spans);
- ``transform(X)`` returns the vote matrix for records, or realigns an
  ``LFVotes`` computed elsewhere by LF name (extra LFs are dropped, columns
  reordered);
- an LF the model was fitted with that is no longer registered (or missing
  from the given votes) is refused with :class:`ModelContractError`, never
  filled with zeros or shifted.

Records are provision dicts; a record may carry ``defined_terms`` (its
statute's definitions, ``{term: definition}``), which lets a caller score a
statute in parts and still read each provision against every definition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from provrisk.errors import ProvriskError
from provrisk.label.apply import LFVotes, apply_lfs, provision_inputs, registered_lfs
from provrisk.label.framework import REGISTRY


class ModelContractError(ProvriskError):
    """A fitted model and the code or inputs it is given disagree (an LF it needs is gone)."""


class LFVoteFeaturizer(TransformerMixin, BaseEstimator):
    """``lfs``: "all" (every LF registered at fit time) or a list of versioned LF names."""

    def __init__(self, lfs: str | Sequence[str] = "all"):
        self.lfs = lfs

    def fit(self, X=None, y=None):
        chosen = registered_lfs(None if self.lfs == "all" else list(self.lfs))
        self.lf_names_ = [lf.name for lf in chosen]
        self.lf_labels_ = [lf.label for lf in chosen]
        return self

    def _missing(self, available) -> list[str]:
        return [name for name in self.lf_names_ if name not in available]

    def votes(self, records: Sequence[dict]) -> LFVotes:
        """Run the fitted LFs over ``records``."""
        check_is_fitted(self, "lf_names_")
        missing = self._missing(REGISTRY)
        if missing:
            raise ModelContractError(
                f"the model was trained with labelling functions that are not registered now ({', '.join(missing)}); "
                "restore them or retrain the model"
            )
        return apply_lfs(provision_inputs(records), [REGISTRY[name] for name in self.lf_names_])

    def align(self, votes: LFVotes) -> LFVotes:
        """``votes`` with exactly the fitted LFs' columns, in the fitted order."""
        check_is_fitted(self, "lf_names_")
        if votes.lf_names == self.lf_names_:
            return votes
        missing = self._missing(set(votes.lf_names))
        if missing:
            raise ModelContractError(
                f"the votes given lack labelling functions the model was trained with ({', '.join(missing)})"
            )
        position = {name: j for j, name in enumerate(votes.lf_names)}
        columns = [position[name] for name in self.lf_names_]
        kept = set(self.lf_names_)
        return LFVotes(
            list(self.lf_names_),
            list(self.lf_labels_),
            votes.votes[:, columns],
            [{name: spans for name, spans in evidence.items() if name in kept} for evidence in votes.evidence],
        )

    def transform(self, X) -> np.ndarray:
        """The (n, len(lf_names_)) vote matrix of records, or of an ``LFVotes`` realigned by name."""
        votes = X if isinstance(X, LFVotes) else self.votes(X)
        return self.align(votes).votes

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "lf_names_")
        return np.array([f"lf:{name}" for name in self.lf_names_], dtype=object)

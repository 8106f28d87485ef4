"""Comparing laws: a law against the treaty it implements (:mod:`.align`), one version against another (:mod:`.diff`).

Both read statute reports made by the one scoring function
(:func:`provrisk.score.report.score_ingested`, through :mod:`.instruments`),
score similarity with :mod:`.similarity` under the settings of :mod:`.config`,
and are rendered by :mod:`.formats` (table, JSON, CSV, HTML) and :mod:`.brief`
(Word).
"""

"""Batch analysis: score many statutes in worker processes, resumably, and compare them."""

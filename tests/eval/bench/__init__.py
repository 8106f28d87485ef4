"""Tests of the evaluation and benchmark reports."""

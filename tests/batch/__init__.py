"""Tests of `provrisk batch` and Spark scale-out."""

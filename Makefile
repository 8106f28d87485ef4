# Two entry points, both safe to run again: `make run` (the main job on the
# shipped default) and `make test` (the test suite). Each creates the virtual
# environment and installs what it needs on first use, and reinstalls only
# when pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
EXAMPLE := corpora/examples/example-cybercrime-act.txt
OUT := out
# Nothing may download model weights or data sets at run time.
OFFLINE := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1

.PHONY: run test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(DEV_INSTALLED): pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(INSTALLED)

run: $(INSTALLED)
	$(OFFLINE) $(BIN)/provrisk segment $(EXAMPLE) --format table --output $(OUT)/example-cybercrime-act.provisions.jsonl
	@echo "Provisions of $(EXAMPLE) written to $(OUT)/example-cybercrime-act.provisions.jsonl"

test: $(DEV_INSTALLED)
	$(OFFLINE) $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info .pytest_cache

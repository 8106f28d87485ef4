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

.PHONY: run test install browser ocr office clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The web service (`provrisk serve`) and the benchmark are commands the README shows a user, so the
# main install carries their extras.
$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[server,bench]'
	touch $@

$(DEV_INSTALLED): pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,server,bench,transformer,spark]'
	touch $@

# The browser test drives Debian's Chromium (never `playwright install`, which downloads
# a browser); installed when missing and apt-get is usable, otherwise that test skips.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ; } || \
		echo "chromium not installed: the browser test will be skipped (apt-get install chromium)"

# OCR of scanned PDFs runs Debian's Tesseract with its English data; installed when missing and apt-get is
# usable (as root), otherwise scanned PDFs are refused with the command to install it and the OCR tests skip.
ocr:
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx eng; } || \
		{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null; } ; } || \
		echo "tesseract not installed: scanned PDFs cannot be read and the OCR tests will be skipped (apt-get install tesseract-ocr tesseract-ocr-eng)"

# The Word brief test converts a brief to PDF with Debian's LibreOffice Writer (headless); installed when
# missing and apt-get is usable (as root), otherwise that test skips.
office:
	@command -v soffice >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui >/dev/null; } ; } || \
		echo "LibreOffice not installed: the Word brief's PDF conversion test will be skipped (apt-get install libreoffice-writer-nogui)"

install: $(INSTALLED)

run: $(INSTALLED) ocr
	$(OFFLINE) $(BIN)/provrisk score $(EXAMPLE) --format html --output $(OUT)/example-cybercrime-act.report.html
	@echo "Open $(OUT)/example-cybercrime-act.report.html in a browser to read the report."

test: $(DEV_INSTALLED) browser ocr office
	$(OFFLINE) $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info .pytest_cache

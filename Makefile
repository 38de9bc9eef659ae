# One place for the commands the README and CI share.
PYTHON ?= python3

.PHONY: example test test-deps system-deps lint

example:  ## install casekit and build the example courses
	$(PYTHON) -m pip install -q -e .
	casekit build courses/digital-literacy-kk

test-deps:
	$(PYTHON) -m pip install -q -e '.[test]'

system-deps:  ## validators the tests run for real (epubcheck, LibreOffice, Chromium, qpdf)
	bash scripts/install-system-deps.sh

test: test-deps system-deps  ## install the test extras and run the whole test suite
	$(PYTHON) -m pytest -q

lint:
	ruff check casekit tests benchmarks
	lint-imports --no-cache
	ruff format --check casekit tests benchmarks

# Conveniences over dev.py (which needs nothing but Python 3.11+).
PYTHON ?= python3

.PHONY: run test sample bench bundle clean
run:      ## open the app on your journal
	$(PYTHON) dev.py run
test:     ## lint, type-check and run every test
	$(PYTHON) dev.py test
sample:   ## open the app on the sample shop
	$(PYTHON) dev.py run --sample
bench:    ## the benchmark suite (not part of the tests)
	$(PYTHON) dev.py bench
bundle:   ## build the one-folder desktop bundle with PyInstaller
	$(PYTHON) dev.py bundle
clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache

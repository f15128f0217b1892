# The two commands a newcomer needs: `make demo` and `make test`.
# Both create the virtual environment and install everything on first use.

VENV   ?= .venv
PYTHON ?= python3
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-stamp

.PHONY: demo test lint bench bench-tools clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) run.py demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: lint
	$(PY) -m pytest -q

# G3 and G5 measure against nginx and wrk from Debian's packages: installed here
# when missing (as root), otherwise a message says what to install and those
# figures report ERROR while the others still run. See bench/README.md.
bench: $(STAMP) bench-tools
	$(PY) -m bench

bench-tools:
	@missing=""; \
	PATH="$$PATH:/usr/sbin"; \
	command -v nginx >/dev/null 2>&1 || missing="$$missing nginx"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "make bench: installing$$missing (Debian packages)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null; \
	  else \
	    echo "make bench: missing$$missing; install with: sudo apt-get install$$missing (G3/G5 will report ERROR)"; \
	  fi; \
	fi

clean:
	rm -rf var public .pytest_cache

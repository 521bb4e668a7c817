# hongling: `make run` starts the bot on the embedded default, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-postgres test-mp bench clean

$(STAMP): pyproject.toml
	$(BIN)/python -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/hongling serve

test: install
	$(BIN)/python -m pytest

# The same suite on PostgreSQL (CI runs both). The parser is pure (no database, no channel): its
# corpus tests run once, under `make test`.
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PURE ?= --ignore=tests/test_parser.py
test-postgres: install
	HONGLING_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(PURE)

# The same suite over a WeChat Official Account (safe mode; HONGLING_TEST_CHANNEL=mp-plain for
# plain mode): every roster member is bound to an openid, WeCom-only tests are skipped.
test-mp: install
	HONGLING_TEST_CHANNEL=mp $(BIN)/python -m pytest $(PURE)

# Benchmarks, not tests (`make test` never runs them): a synthetic company of 100,000 members on
# PostgreSQL (127.0.0.1:5432, user postgres; database hongling_bench is created and wiped) and
# SQLite, ~15 min on 2 cores, writes bench/RESULTS.md. `make bench-quick` (= `make bench ARGS=--quick`):
# 10,000 members, a few minutes, writes bench/RESULTS-quick.md. More options: bench/run.py --help.
.PHONY: bench-quick
bench: install
	$(BIN)/python bench/run.py $(ARGS)

bench-quick: install
	$(BIN)/python bench/run.py --quick $(ARGS)

clean:
	rm -rf $(VENV) hongling.db hongling.db-wal hongling.db-shm *.egg-info

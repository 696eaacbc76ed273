# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make run   – virtualenv, install, migrate, demo data, serve http://127.0.0.1:8000 (PORT=8123 make run for another port)
#   make test  – the whole test suite (fast, service and browser tests)
PYTHON ?= python3
PORT ?= 8000
# Links in emails and credential ids point at the port actually served.
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Local runs are development runs; production sets DEBUG=0 and a SECRET_KEY (see README).
export DEBUG ?= 1

.PHONY: help run run-sso demo-idp test lint install bench bench-awards bench-transcripts bench-bulk bench-scale bench-load bench-verify clean

# The first target: plain `make` lists the targets, each described by the `## ` comment on its line.
help: ## list the targets with what each does
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The Node tools the tests run, from the lockfile: the independent Open Badges 3.0 verifier
# (Digital Bazaar's libraries) and axe-core for accessibility checks.
VERIFIER_STAMP := tests/verifier/node_modules/.installed-stamp
$(VERIFIER_STAMP): tests/verifier/package-lock.json
	cd tests/verifier && npm ci --no-audit --no-fund --loglevel=error
	touch $(VERIFIER_STAMP)

install: $(STAMP) ## create the virtualenv and install the project with its dev tools

run: $(STAMP) ## install, migrate, load the demo data, serve http://127.0.0.1:8000 (PORT=8123 for another)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The university sign-in on the demo: `make demo-idp` in one terminal, `make run-sso` in another.
IDP_PORT ?= 8090
demo-idp: $(STAMP) ## a demo university identity provider (OpenID Connect) on 127.0.0.1:8090, for run-sso
	PORT=$(PORT) IDP_PORT=$(IDP_PORT) $(BIN)/python scripts/demo_idp.py

run-sso: ## as `make run`, with "Sign in with <university>" pointed at `make demo-idp`
	SSO_OIDC_ISSUER=http://127.0.0.1:$(IDP_PORT) SSO_OIDC_CLIENT_ID=microcred-demo \
	SSO_OIDC_CLIENT_SECRET=demo-secret $(MAKE) run

test: $(STAMP) $(VERIFIER_STAMP) ## ruff, then the whole pytest suite (PYTEST_ARGS passes options)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean: ## remove the virtualenv, collected static files and the pytest cache
	rm -rf $(VENV) staticfiles .pytest_cache

bench: $(STAMP) ## time the main pages at 10, 100 and 500 proposals (SQLite)
	$(BIN)/python scripts/bench_pages.py

bench-awards: $(STAMP) ## issue 2,000 awards: the plain path beside the fast one, per stage
	$(BIN)/python scripts/bench_awards.py

bench-transcripts: $(STAMP) ## time the registrar queue over 100,000 records (PostgreSQL)
	$(BIN)/python scripts/bench_transcripts.py

bench-bulk: $(STAMP) ## award a class of 300 from one spreadsheet
	$(BIN)/python scripts/bench_bulk.py

# Every main page at demo size and with a large university (PostgreSQL, BENCH_DATABASE_URL).
bench-scale: $(STAMP) ## every main page at demo size and at a large university (PostgreSQL)
	$(BIN)/python scripts/bench_scale.py

# gunicorn + Locust at 1, 8 and 32 users, on a demo database and on the one bench-scale left.
bench-load: $(STAMP) ## gunicorn + Locust at 1, 8 and 32 users
	$(BIN)/python -m pip install --quiet -e ".[load]"
	$(BIN)/python scripts/bench_scale.py load

# gunicorn, attackers posting hostile credentials to the verify page, and another visitor's latency.
bench-verify: $(STAMP) ## attackers post hostile credentials to /badges/verify/ while a visitor reads pages
	$(BIN)/python scripts/bench_verify_load.py

# The two commands in the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test lint format migrate seed check bench redteam clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

.env:
	cp .env.example .env

migrate: install .env
	$(MANAGE) migrate --noinput

# Adds shipped tasks that are missing and never overwrites editors' changes. For a
# deliberate reset to the shipped library: $(MANAGE) loaddata task_library (README).
seed: migrate
	$(MANAGE) seed_library

run: seed
	$(MANAGE) runserver $(HOST):$(PORT)

# Production-style serving: gunicorn + whitenoise. Needs SECRET_KEY, ALLOWED_HOSTS and
# DATABASE_URL in the environment (README, "Running in production").
serve: install
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput
	$(BIN)/gunicorn -c python:holisticos.gunicorn holisticos.wsgi

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# Benchmarks need PostgreSQL; they wipe and refill their own database holisticos_bench.
BENCH_DB ?= holisticos_bench
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB)
bench: install
	psql "$(dir $(BENCH_URL))postgres" -qc "DROP DATABASE IF EXISTS $(BENCH_DB)"
	psql "$(dir $(BENCH_URL))postgres" -qc "CREATE DATABASE $(BENCH_DB)"
	ENV_FILE=/nonexistent DEBUG=false SECRET_KEY=bench-only-secret-key-$$$$-not-for-production \
	  ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=false DATABASE_URL=$(BENCH_URL) \
	  sh -c '$(MANAGE) migrate --noinput -v0 && $(MANAGE) bench $(BENCH_ARGS)'

# The red-team rerun (docs/security.md): README's production steps on a fresh PostgreSQL
# database and Redis, gunicorn as configured, then every check of issue 16. The service
# key budgets are raised so generated requests are not answered 429 (the per-user-token
# and failed-authentication budgets, which the run measures, stay as shipped).
REDTEAM_DB ?= holisticos_redteam
REDTEAM_URL ?= postgres://postgres@127.0.0.1:5432/$(REDTEAM_DB)
REDTEAM_CACHE ?= redis://127.0.0.1:6379/13
redteam: install
	psql "$(dir $(REDTEAM_URL))postgres" -qc "DROP DATABASE IF EXISTS $(REDTEAM_DB)"
	psql "$(dir $(REDTEAM_URL))postgres" -qc "CREATE DATABASE $(REDTEAM_DB)"
	ENV_FILE=/nonexistent DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost \
	  SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  SUPABASE_JWT_SECRET="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(40))')" \
	  DATABASE_URL=$(REDTEAM_URL) CACHE_URL=$(REDTEAM_CACHE) STATIC_ROOT="$$(mktemp -d)" \
	  THROTTLE_RATE_SERVICE=100000/min THROTTLE_RATE_SERVICE_USER=100000/min \
	  $(MANAGE) redteam $(REDTEAM_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache db.sqlite3

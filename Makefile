# Sidenote: `make run` serves the demo, `make test` runs every test. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo article on another origin than Sidenote's, as sites embed it: localhost for 127.0.0.1.
PAGE_HOST := $(if $(filter localhost,$(HOST)),127.0.0.1,localhost)
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

# The dev extra pulls the postgres and redis extras, and setuptools >= 77 and build: the wheel
# test (tests/system/test_installed_package.py) builds the package offline with them.
$(DEV_STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP) $@

install: $(STAMP) ## Install the service into .venv

run: $(STAMP) ## Serve the demo article, widget and API (development mode, SQLite)
	@export SIDENOTE_ENV=$${SIDENOTE_ENV:-development}; \
	export SIDENOTE_WORKER=$${SIDENOTE_WORKER:-inline}; \
	export SIDENOTE_PUBLIC_URL=$${SIDENOTE_PUBLIC_URL:-http://$(HOST):$(PORT)}; \
	$(BIN)/sidenote db upgrade && \
	$(BIN)/sidenote demo --port $(PORT) && \
	echo "" && \
	echo "  Demo article:  http://$(PAGE_HOST):$(PORT)/     (cross-origin: the page on $(PAGE_HOST), Sidenote on $(HOST), as sites deploy it)" && \
	echo "  Strict CSP:    http://$(PAGE_HOST):$(PORT)/csp  (the same, under a strict Content-Security-Policy)" && \
	echo "  Same origin:   http://$(HOST):$(PORT)/" && \
	echo "  API document:  http://$(HOST):$(PORT)/api/v1/openapi.json" && \
	echo "" && \
	$(BIN)/sidenote run --host $(HOST) --port $(PORT)

# The widget's build and browser tests: Node packages from embed/package-lock.json, Debian's Chromium.
EMBED_DEPS := embed/node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium

$(EMBED_DEPS): embed/package.json embed/package-lock.json
	cd embed && npm ci --no-audit --no-fund

$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# docs/sso.md's PHP example is run by tests/identity/test_docs_examples.py.
PHP := /usr/bin/php

$(PHP):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y php-cli

embed: $(EMBED_DEPS) $(STAMP) ## Rebuild the widget into service/static/ (commit the result)
	cd embed && SIDENOTE_PYTHON=$(CURDIR)/$(BIN)/python node scripts/build.mjs

# docs/deploying.md's systemd units are checked with systemd-analyze verify.
SYSTEMD_ANALYZE := /usr/bin/systemd-analyze

$(SYSTEMD_ANALYZE):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y systemd

test: $(DEV_STAMP) $(EMBED_DEPS) $(CHROMIUM) $(PHP) $(SYSTEMD_ANALYZE) ## Run every test (SQLite always, PostgreSQL when TEST_DATABASE_URL answers)
	$(BIN)/ruff check service tests bench migrations
	$(BIN)/ruff format --check service tests bench migrations
	$(BIN)/mypy service
	$(BIN)/lint-imports
	$(BIN)/pytest

bench: $(DEV_STAMP) $(EMBED_DEPS) $(CHROMIUM) ## Measure speed against a static app (wrk) and the widget against Isso; writes docs/performance.md
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

lint: $(DEV_STAMP) ## ruff, mypy and the import contracts (docs/architecture.md) only
	$(BIN)/ruff check service tests bench migrations
	$(BIN)/ruff format --check service tests bench migrations
	$(BIN)/mypy service
	$(BIN)/lint-imports

fmt: $(DEV_STAMP) ## Format and fix what ruff can
	$(BIN)/ruff format service tests bench migrations
	$(BIN)/ruff check --fix service tests bench migrations

.PHONY: help install run test lint fmt bench embed

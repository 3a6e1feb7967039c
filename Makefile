# Run `make help` for the targets. Everything installs itself into .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
API_PORT ?= 8001
AWS_PORT ?= 8002
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help install chromium build run sandbox test lint format bench lighthouse clean synth publish

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml functions/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(INSTALLED) $(NODE_INSTALLED) ## create .venv, install the Python dependencies and Workbox (npm ci)

chromium: ## install Debian's Chromium for the browser tests (if missing)
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

build: $(INSTALLED) $(NODE_INSTALLED) ## build the catalogue site into build/site (incremental after the first run)
	$(PY) -m catalog_build build

run: $(INSTALLED) $(NODE_INSTALLED) ## build the catalogue, then run site, API and moto on $(HOST) (Ctrl-C stops, state is kept)
	PORTAL_SITE_URL=http://$(HOST):$(PORT)/ PORTAL_API_URL=http://$(HOST):$(API_PORT) $(PY) -m catalog_build build
	@$(PY) -m devstack --host $(HOST) --site-port $(PORT) --api-port $(API_PORT) --aws-port $(AWS_PORT)

sandbox: $(INSTALLED) ## with `make run` going: sandbox API credentials of a demo agency [AGENCY=CODE] [NAME="..."]
	@$(PY) -m devstack.sandbox --host $(HOST) --api-port $(API_PORT) --aws-port $(AWS_PORT) \
		$(if $(AGENCY),--agency '$(AGENCY)') $(if $(NAME),--name '$(NAME)')

lint: $(INSTALLED) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(INSTALLED) ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: $(INSTALLED) $(NODE_INSTALLED) chromium lint ## install what is needed, lint, and run the whole test suite
	$(PY) -m pytest -n 2 --dist loadfile

bench: $(INSTALLED) $(NODE_INSTALLED) chromium ## run the benchmarks (slow: builds 1,000 and 10,000 procedures)
	$(PY) bench/api.py
	$(PY) bench/dossiers.py
	$(PY) bench/payments.py
	$(PY) bench/fuzz.py
	$(PY) bench/durability.py
	$(PY) bench/sync_local.py
	$(PY) bench/catalog.py
	bench/lighthouse.sh

lighthouse: $(INSTALLED) chromium ## Lighthouse mobile budgets: home, a procedure, a search [RUNS=3 per page]
	bench/lighthouse.sh $(if $(RUNS),--runs $(RUNS))

synth: $(INSTALLED) ## package the API with Chalice, then synthesise STAGE=dev|prod to build/cdk.out (no AWS needed)
	$(PY) -m infra.bundle
	CDK_CONTEXT_JSON='{"stage": "$(or $(STAGE),dev)"}' $(PY) -m infra.app

publish: $(INSTALLED) ## upload changed files of build/site: BUCKET=... DISTRIBUTION=... [DRY_RUN=1]
	$(PY) -m infra.publish --bucket $(BUCKET) --distribution $(DISTRIBUTION) $(if $(DRY_RUN),--dry-run)

clean: ## remove build output, caches and generated pages (keeps .devstack: local data and keys)
	rm -rf build site/docs/index.md site/docs/{thu-tuc,linh-vuc,co-quan,cap-thuc-hien,doi-tuong,a-z,hoi-dap,tim-kiem,du-lieu}

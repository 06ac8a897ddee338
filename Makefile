# Front Door: the front door of the project. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
PYTEST_ARGS ?=

.PHONY: help install run train test test-fast lint format validate shell eval purge stand-in create-staff clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements/requirements.in requirements/constraints.txt
	@py="$$(scripts/find-python.sh)" && \
	  { [ -x $(PY) ] || { echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV); }; }
	set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check \
	  -r requirements/requirements.in -c requirements/constraints.txt 2>&1 \
	  | { grep -v "is ignored" || true; }
	$(PY) -m pip check
	@touch $(STAMP)

install: $(STAMP) ## Create the virtual environment and install pinned dependencies

train: install ## Train the model if the training inputs changed (cached by their hash)
	$(PY) -m bot train

run: install ## Start every service with embedded defaults and print the URLs
	$(PY) -m bot run

test: install ## The whole test suite (unit, contract, NLU, end-to-end)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install ## Unit and contract tests only (no training, no Rasa server)
	$(PY) -m pytest tests/unit tests/contract $(PYTEST_ARGS)

lint: install ## ruff check and format check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install ## Format the code
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

validate: install ## rasa data validate
	$(PY) -m rasa data validate --domain domain --data data --config config.yml --fail-on-warnings

shell: install train ## Talk to the assistant in the terminal (needs the action server: make run)
	$(PY) -m rasa shell --model "$$($(PY) -m bot model-path)" --endpoints var/endpoints.yml

eval: install ## NLU cross-validation (5 folds) and held-out evaluation, reports in results/
	$(PY) -m bot.nlu_eval --cross-validation

purge: install ## Delete conversations and transcripts older than TRANSCRIPT_RETENTION_DAYS (default 30)
	$(PY) -m bot purge
	$(PY) -m integrations.council_services purge

stand-in: install ## Run only the council services stand-in on :8000
	$(PY) -m integrations.council_services

create-staff: install ## Create a staff account for the console: make create-staff STAFF_USER=jo
	$(PY) -m integrations.council_services create-staff $(STAFF_USER)

clean: ## Remove trained models, local databases and results
	rm -rf models var results test-artifacts

.PHONY: bench-insight insight-report
bench-insight: install ## Time the insight dashboard's queries on 1,000,000 events in PostgreSQL
	$(PY) scripts/bench_insight.py

insight-report: install ## Service insight report: make insight-report FROM=2026-11-01 TO=2026-11-30 OUT=report/
	$(PY) -m integrations.council_services insight-report --from $(FROM) --to $(TO) --out $(OUT)

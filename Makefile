# Front Door: the front door of the project. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
PYTEST_ARGS ?=
# Test processes (pytest-xdist): the running-stack tests stay together in one (tests/conftest.py).
# Three on 2 cores: while one waits on the stack, a browser or a database, the others work.
PYTEST_WORKERS ?= 3
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --dist loadgroup

.PHONY: help install run train test test-fast lint types types-baseline env-example format validate shell eval purge stand-in seed create-staff bench bench-scaled bench-tracker-store soak bench-memory run-scaled system-packages clean translations kb-check kb-sync

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

# uv (pinned in the constraints) installs the pinned set; pip then checks it.
$(STAMP): requirements/requirements.in requirements/constraints.txt
	@py="$$(scripts/find-python.sh)" && \
	  { [ -x $(PY) ] || { echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV); }; }
	set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check \
	  uv -c requirements/constraints.txt 2>&1 | { grep -v "is ignored" || true; }
	$(VENV)/bin/uv pip install --quiet --python $(PY) \
	  -r requirements/requirements.in -c requirements/constraints.txt
	$(PY) -m pip check
	@$(PY) -m bot.launcher.startup stamp

install: $(STAMP) ## Create the virtual environment and install pinned dependencies

train: install ## Train the model if the training inputs changed (cached by their hash)
	$(PY) -m bot train

# The plan and the time to expect come first, from what is already here; then the install
# (when the requirements changed), the encoder, the model and the services, each with a
# progress line (bot/launcher/startup.py). It runs on the machine's Python 3.10 until the
# virtual environment exists.
run: ## Install if needed, train if the data changed, start every service, print the URLs
	@py="$$( [ -x $(PY) ] && echo $(PY) || scripts/find-python.sh )" && \
	  "$$py" -m bot.launcher.startup

system-packages: ## Install the Debian packages the tests need (nginx, chromium), if missing
	@scripts/system-packages.sh

test: install system-packages ## The whole test suite (unit, contract, NLU, end-to-end, browser)
	$(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: install ## Unit and contract tests only (no training, no Rasa server)
	$(PY) -m pytest $(PYTEST_PARALLEL) tests/unit tests/contract $(PYTEST_ARGS)

lint: install ## ruff, format check, import rules, mypy against its baseline, .env.example up to date
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/mypy_ratchet.py
	$(PY) scripts/env_example.py --check

env-example: install ## Write .env.example from the settings models (bot/settings.py, web/core/config.py)
	$(PY) scripts/env_example.py

types: install ## mypy on every package: no module may have more errors than scripts/mypy_baseline.json
	$(PY) scripts/mypy_ratchet.py

types-baseline: install ## Write today's mypy error counts to scripts/mypy_baseline.json (after fixing some)
	$(PY) scripts/mypy_ratchet.py --update

format: install ## Format the code
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

validate: install ## rasa data validate
	$(PY) -m bot.yaml_once data validate --domain domain --data data --config config.yml --fail-on-warnings

shell: install train ## Talk to the assistant in the terminal (needs the action server: make run)
	$(PY) -m rasa shell --model "$$($(PY) -m bot model-path)" --endpoints var/endpoints.yml

eval: install ## NLU cross-validation (5 folds) and held-out evaluation, reports in results/
	$(PY) -m bot.nlu_eval --cross-validation

purge: install ## Delete personal data past its retention once (the retention workers do it daily)
	$(PY) -m bot purge
	$(PY) -m web purge

stand-in: seed ## Run only the stand-ins of the council's systems (Open311, CRM, SMS) on :8100
	$(PY) -m web.stand_in

seed: install ## Upgrade the web service's database and add the stand-in's sample data (make run does it)
	$(PY) -m web seed

create-staff: install ## Create a staff account: make create-staff STAFF_USER=jo STAFF_ROLE=library
	@if [ -z "$(STAFF_USER)" ] || [ -z "$(STAFF_ROLE)" ]; then \
	  echo "Name the account and its role: make create-staff STAFF_USER=jo STAFF_ROLE=library" \
	    "(roles: library, caseworker, manager, admin)" >&2; exit 2; fi
	@if [ -t 0 ]; then from_stdin=; else from_stdin=--password-stdin; fi; \
	  $(PY) -m web create-staff $(STAFF_USER) --role $(STAFF_ROLE) $$from_stdin

# Local defaults for the scaled topology: PostgreSQL and Redis on this machine.
SCALED_PG ?= postgresql+psycopg2://postgres@127.0.0.1:5432
run-scaled: install system-packages ## Two Rasa + two action servers behind nginx, on PostgreSQL and Redis
	TRACKER_STORE_URL=$${TRACKER_STORE_URL:-$(SCALED_PG)/frontdoor_tracker} \
	DATABASE_URL=$${DATABASE_URL:-$(SCALED_PG)/frontdoor} \
	COUNCIL_SERVICES_DATABASE_URL=$${COUNCIL_SERVICES_DATABASE_URL:-$(SCALED_PG)/frontdoor_council} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(PY) -m bot run-scaled

bench: install ## Benchmark the running stack beside a bare Rasa project (1, 10, 50 at once): docs/benchmarks.md
	$(PY) scripts/bench.py $(BENCH_ARGS)

bench-scaled: install system-packages ## One against two Rasa replicas behind nginx (PostgreSQL, Redis), CPU a message: docs/benchmarks-scaled.md
	$(PY) scripts/bench_scaled.py --postgres $(SCALED_PG) --redis $${REDIS_URL:-redis://127.0.0.1:6379/0} $(BENCH_SCALED_ARGS)

bench-tracker-store: install ## Rasa's tracker store on SQLite and PostgreSQL, retrieve and save a turn: docs/benchmarks-tracker-store.json
	$(PY) scripts/bench_tracker_store.py --postgres $(SCALED_PG)/postgres --json docs/benchmarks-tracker-store.json --markdown $(BENCH_TRACKER_STORE_ARGS)

soak: install ## Steady load for SOAK_MINUTES (default 3), memory growth and errors: docs/soak.md
	$(PY) scripts/bench.py --soak $${SOAK_MINUTES:-3}

bench-memory: install ## Memory of the web service, then of Rasa and the action server, at rest and after use (twice each)
	$(PY) scripts/bench_memory.py web --repeat 2
	$(PY) scripts/bench_memory.py assistant --repeat 2
kb-check: install ## Fail if a knowledge-base answer lacks a source or date, or the domain disagrees with kb/
	$(PY) -m bot kb-check

kb-sync: install ## Regenerate the domain's service answers (domain/*_faq.yml) from kb/facts/
	$(PY) -m bot kb-sync

clean: ## Remove trained models, local databases and results
	rm -rf models var results test-artifacts

translations: install ## Regenerate domain/languages.yml from kb/translations (issue #7)
	$(PY) -m bot.content.translations
.PHONY: bench-insight bench-insight-worker insight-report
bench-insight: install ## Time the insight dashboard's queries on 1,000,000 events in PostgreSQL
	$(PY) scripts/bench_insight.py

bench-insight-worker: install ## Time the insight worker's rounds over 2,000 recent conversations
	$(PY) scripts/bench_insight_worker.py

insight-report: install ## Service insight report: make insight-report FROM=2026-11-01 TO=2026-11-30 OUT=report/
	$(PY) -m web insight-report --from $(FROM) --to $(TO) --out $(OUT)

# The two commands a newcomer needs: `make run` and `make test`.
# Each creates ./.venv on first use and reinstalls when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Every install takes its exact versions from constraints.txt (reproducible); setuptools'
# advice about editable installs is not for our users.
PIP    := PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet -c constraints.txt
SYNAPSE_VERSION ?= 1.163.2

.PHONY: run test lint bench bench-peers clean test-servers constraints typing-tree translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.run-installed

## run: the bot on its embedded default (console + SQLite in ./hatbot-data + web on :8080)
run: $(VENV)/.run-installed
	$(BIN)/hatbot run

# The tests of everything that keeps state (skills, the scheduler's jobs, handoffs, the
# web pages' queries), run a second time with each bot's state in a real PostgreSQL.
ON_POSTGRES := tests/unit/skills tests/unit/bot/test_handoffs.py tests/unit/bot/test_skill_sdk.py \
	tests/unit/bot/test_scheduler.py tests/unit/bot/test_scheduling.py \
	tests/unit/bot/test_outbound.py tests/unit/bot/test_batch.py \
	tests/integration/test_archive.py tests/integration/test_tracker.py \
	tests/integration/test_web.py tests/integration/test_kb.py

## test: lint, type-check, then every test (unit and integration) on SQLite, and those of
## everything that keeps state again on PostgreSQL
test: $(VENV)/.test-installed lint test-servers
	$(BIN)/python -m pytest
	HATBOT_TEST_ON_POSTGRES=1 $(BIN)/python -m pytest -q $(ON_POSTGRES)

## translations: gather the marked messages (ctx._, tr, N_) into bot/locale/hatbot.pot
## and merge them into each language's catalog; translate what is new, then make test
translations: $(VENV)/.test-installed
	$(BIN)/pybabel extract -F bot/locale/babel.cfg -k tr --no-location --sort-output \
		--project Hatbot --copyright-holder "The Hatbot authors" -o bot/locale/hatbot.pot \
		bot adapters skills
	$(BIN)/pybabel update -D hatbot -i bot/locale/hatbot.pot -d bot/locale \
		--no-fuzzy-matching --ignore-obsolete -w 88

# The integration tests run a real ngircd, a real PostgreSQL and a real Chromium with its
# driver (Debian's packages; installed here when missing and run as root, else install
# them yourself or those tests skip) and a real Synapse (PyPI, in its own venv under
# .cache/, never in the bot's).
test-servers: .cache/synapse/.installed-$(SYNAPSE_VERSION)
	@command -v ngircd >/dev/null || [ -x /usr/sbin/ngircd ] || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ngircd)
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)
	@{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium chromium-driver)

.cache/synapse/.installed-$(SYNAPSE_VERSION):
	$(PYTHON) -m venv .cache/synapse
	.cache/synapse/bin/python -m pip install --quiet --upgrade pip
	.cache/synapse/bin/python -m pip install --quiet matrix-synapse==$(SYNAPSE_VERSION)
	touch $@

lint: $(VENV)/.test-installed typing-tree
	$(BIN)/ruff check .
	$(BIN)/mypy

# mypy reads the folders under the names they are installed as (pyproject's package-dir):
# .cache/typing/hatbot holds links to bot/'s files and to adapters/, skills/, storage/.
typing-tree:
	rm -rf .cache/typing && mkdir -p .cache/typing/hatbot
	for entry in bot/*.py; do ln -s ../../../$$entry .cache/typing/hatbot/; done
	for folder in adapters skills storage; do ln -s ../../../$$folder .cache/typing/hatbot/; done

## bench: the dispatcher benchmark (results go in bench/README.md)
bench: $(VENV)/.run-installed
	$(BIN)/python -m bench dispatch

## bench-peers: Hatbot beside Errbot and opsdroid, interleaved (installs them under .cache/peers)
ERRBOT_VERSION ?= 6.2.1
OPSDROID_VERSION ?= 0.31.0
bench-peers: $(VENV)/.run-installed .cache/peers/errbot-home/config.py .cache/peers/opsdroid/.installed-$(OPSDROID_VERSION) .cache/peers/hatbot/.installed
	.cache/peers/hatbot/bin/python -m pip install --quiet --no-deps --force-reinstall .
	$(BIN)/python -m bench peers

# Hatbot as a user installs it (not editable, bytecode compiled, no test tools), like
# the peers: the dev venv's editable-install hook alone adds 12 ms to every start.
.cache/peers/hatbot/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv .cache/peers/hatbot
	PYTHONWARNINGS=ignore::UserWarning .cache/peers/hatbot/bin/python -m pip install --quiet -c constraints.txt .
	touch $@

.cache/peers/errbot-home/config.py:
	$(PYTHON) -m venv .cache/peers/errbot
	.cache/peers/errbot/bin/python -m pip install --quiet errbot==$(ERRBOT_VERSION)
	rm -rf .cache/peers/errbot-home && mkdir -p .cache/peers/errbot-home
	cd .cache/peers/errbot-home && ../errbot/bin/errbot --init >/dev/null

# opsdroid 0.31 still imports pkg_resources, which setuptools 81 removed.
.cache/peers/opsdroid/.installed-$(OPSDROID_VERSION):
	$(PYTHON) -m venv .cache/peers/opsdroid
	.cache/peers/opsdroid/bin/python -m pip install --quiet opsdroid==$(OPSDROID_VERSION) 'setuptools<81'
	touch $@

## constraints: refresh constraints.txt with the newest versions pyproject.toml allows
constraints:
	rm -rf .cache/constraints
	$(PYTHON) -m venv .cache/constraints
	PYTHONWARNINGS=ignore::UserWarning .cache/constraints/bin/python -m pip install --quiet '.[test,postgres]'
	{ head -2 constraints.txt; .cache/constraints/bin/python -m pip freeze --exclude hatbot; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info

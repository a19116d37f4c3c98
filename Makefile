# The README's two commands: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := platform/dolbom/static/vendor
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
MO := platform/dolbom/translations/en/LC_MESSAGES/messages.mo
# Each plugin's own English catalogue, compiled next to its .po file.
PLUGIN_MO := $(patsubst %.po,%.mo,$(wildcard plugins/*/dolbom_*/translations/*/LC_MESSAGES/messages.po))
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench lint format install assets browser translations clean

run: install
	$(BIN)/dolbom run

test: install browser
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(STAMP) $(VENDOR)/.stamp $(MO) $(PLUGIN_MO)

$(STAMP): pyproject.toml constraints.txt $(wildcard plugins/*/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]' $(foreach p,$(PLUGIN_DIRS),-e ./$(p))
	touch $@

# Front-end packages from npm (exact versions in package-lock.json), copied into a git-ignored folder.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.stamp: node_modules/.package-lock.json
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/htmx
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	mkdir -p $(VENDOR)/chartjs
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chartjs/
	cp -r node_modules/krds-uiux/resources $(VENDOR)/krds
	touch $@

$(MO): platform/dolbom/translations/en/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d platform/dolbom/translations

plugins/%/messages.mo: plugins/%/messages.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

# Debian's Chromium and CJK fonts for the Playwright journeys (no browser download).
browser:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
	  echo "installing Debian's chromium and fonts-noto-cjk"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o /tmp/dolbom-messages.pot .
	$(BIN)/pybabel update -i /tmp/dolbom-messages.pot -d platform/dolbom/translations
	$(BIN)/pybabel extract -F plugins/housing/babel.cfg -k _l -o /tmp/dolbom-housing.pot plugins/housing
	$(BIN)/pybabel update -i /tmp/dolbom-housing.pot -d plugins/housing/dolbom_housing/translations
	$(BIN)/pybabel extract -F plugins/reports/babel.cfg -k _l -o /tmp/dolbom-reports.pot plugins/reports
	$(BIN)/pybabel update -i /tmp/dolbom-reports.pot -d plugins/reports/dolbom_reports/translations
	$(BIN)/pybabel extract -F plugins/squad/babel.cfg -k _l -o /tmp/dolbom-squad.pot plugins/squad
	$(BIN)/pybabel update -i /tmp/dolbom-squad.pot -d plugins/squad/dolbom_squad/translations
	$(BIN)/pybabel extract -F plugins/blindspots/babel.cfg -k _l -o /tmp/dolbom-blindspots.pot plugins/blindspots
	$(BIN)/pybabel update -i /tmp/dolbom-blindspots.pot -d plugins/blindspots/dolbom_blindspots/translations

clean:
	rm -rf $(VENV) node_modules $(VENDOR) test-artifacts

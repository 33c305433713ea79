# Summit — `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium

.PHONY: run setup install install-dev system-deps migrate seed test test-sqlite test-postgres lint \
        format translations extract-messages update-messages compile-messages bench clean

# Printable PDF tickets (WeasyPrint) need Debian's Pango and a font. As root the
# packages are installed when missing; otherwise this says what to install.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-liberation

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

system-deps:
	@if PATH="$$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null | grep libpangoft2-1.0 >/dev/null \
	   && fc-list 2>/dev/null | grep -i liberation >/dev/null; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "== installing Pango and fonts for PDF tickets (apt-get) =="; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get update -qq && apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; } \
	    || echo "note: apt-get could not install $(SYSTEM_PACKAGES); PDF tickets will not work"; \
	else \
	  echo "note: PDF tickets need Pango and a font; run: sudo apt-get install $(SYSTEM_PACKAGES)"; \
	fi

install: system-deps $(VENV)/.installed
install-dev: system-deps $(VENV)/.installed-dev

compile-messages: $(VENV)/.installed
	$(BIN)/pybabel compile -d summit/translations > /dev/null

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project Summit -o summit/translations/messages.pot .

update-messages: extract-messages
	$(BIN)/pybabel update -i summit/translations/messages.pot -d summit/translations --no-fuzzy-matching --ignore-obsolete

translations: compile-messages

migrate: install compile-messages
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) demo seed

setup: seed

run: setup
	$(FLASK) run --port $(PORT) --debug

test: install-dev compile-messages
	@if [ ! -x "$(CHROMIUM)" ]; then echo "note: $(CHROMIUM) not found; browser tests will skip (CI installs it: apt-get install chromium)"; fi
	@echo "== test suite on SQLite =="
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)
	@echo "== test suite on PostgreSQL ($(PG_URL)) =="
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

test-sqlite: install-dev compile-messages
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install-dev compile-messages
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-dev
	@for b in bench/bench_*.py; do [ -e "$$b" ] && $(BIN)/python "$$b"; done
	$(BIN)/python bench/scheduling.py --suite --time-limit 30
	$(BIN)/python bench/registration.py --quick
	$(BIN)/python bench/checkin.py --quick
	$(BIN)/python bench/pages.py --quick
	$(BIN)/python bench/reports.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

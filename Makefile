# Two commands matter: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test lint bench venv dev-venv node-deps system-deps translations translations-update db demo clean

$(BIN)/activate: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $(BIN)/activate

$(VENV)/.dev: requirements-dev.txt requirements.txt $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.dev

venv: $(BIN)/activate
dev-venv: $(VENV)/.dev

translations: $(BIN)/activate
	$(BIN)/pybabel compile -d translations -f --statistics 2>&1 | tail -1

db: venv translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty

# The web server and, beside it, the outbox's consumer (e-mail and SMS; core.messaging.queue):
# its queue is instance/queue.sqlite3, a file of its own, so it never locks the app's
# database; it stops when `flask run` does.
run: db
	$(BIN)/flask demo logins
	@$(BIN)/huey_consumer core.messaging.queue.huey -w 2 -k thread & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: dev-venv
	$(BIN)/ruff check .

# What the tests need from the machine, besides Python: a CJK font for the PDFs, poppler to
# read them back and render their pages, zbar to scan the QR codes printed on them, chromium
# for the browser tests. Installed when
# missing if we can (root with apt-get; INSTALL_SYSTEM=no never installs), else we stop with
# the command that installs them.
INSTALL_SYSTEM ?= auto
FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
CHROMIUM ?= $(or $(TONGXIN_CHROMIUM),/usr/bin/chromium)
system-deps:
	@missing=""; \
	[ -f $(FONT) ] || missing="$$missing fonts-wqy-microhei"; \
	{ command -v pdftotext && command -v pdftoppm; } >/dev/null || missing="$$missing poppler-utils"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$(INSTALL_SYSTEM)" != no ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "== installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null; \
	else \
	  echo "make test needs$$missing. Install with: sudo apt-get install -y$$missing" >&2; \
	  exit 1; \
	fi

# The browser tests' accessibility check: axe-core, pinned in package.json / package-lock.json,
# installed into node_modules/ (tests/browser/axe.py reads it there; nothing is fetched while
# the tests run). `npm ci` again whenever the lock file changes.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make test needs npm (Node.js) to install axe-core for the browser tests' accessibility check. Install with: sudo apt-get install -y npm" >&2; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

node-deps: node_modules/.package-lock.json

# SQLite always, one worker per CPU (each has its own database file); PostgreSQL too when
# TEST_DATABASE_URL is set (CI sets it), in one process: the workers would share its database.
# The API fuzz (tests/api/test_fuzz.py, marker fuzz) runs on the SQLite pass only.
test: system-deps node-deps dev-venv translations lint
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -n auto
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
	  TONGXIN_DB_PASS=1 $(BIN)/python -m pytest -m "not browser and not fuzz"; \
	fi

bench: dev-venv translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance node_modules

# Developers: after adding strings, refresh the catalog and translate the new entries.
translations-update: dev-venv
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o translations/messages.pot --no-location --sort-output --ignore-dirs=".venv tests bench migrations" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l zh --no-fuzzy-matching

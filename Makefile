# cowork — `make run` serves the app on SQLite, `make test` runs every check. Both call `make setup`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := static/vendor
PG_TEST_URL ?= postgresql+psycopg://127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# pytest-xdist: three processes share the two cores (most tests wait on a browser or a server); `PYTEST_WORKERS=`
# runs the suite in one process.
PYTEST_WORKERS ?= -n 3

.PHONY: setup run test lint format test-sqlite test-postgres system-deps audit clean screenshots

setup: $(BIN)/.installed $(VENDOR)/.installed
	@$(BIN)/cowork i18n compile >/dev/null

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "cowork needs Python 3.11 or newer"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The few lucide-static icons cowork.css uses (.icon-*), listed in static/icons.txt (the Dockerfile reads it
# too) and copied one by one: no icon font, no CDN.
ICONS := $(shell cat static/icons.txt)

$(VENDOR)/.installed: package.json package-lock.json static/icons.txt
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/socket.io-client/dist/socket.io.min.js $(VENDOR)/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/
	mkdir -p $(VENDOR)/icons
	cp $(foreach icon,$(ICONS),node_modules/lucide-static/icons/$(icon).svg) $(VENDOR)/icons/
	touch $@

run: setup
	$(BIN)/cowork serve

# Debian packages: Chromium drives the browser tests (Playwright never downloads a browser of its own);
# Pango and a font let WeasyPrint write PDF exports.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
system-deps:
	@if ! { test -x /usr/bin/chromium && ldconfig -p | grep -q libpangoft2-1.0; }; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "cowork's tests need Debian packages: sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; fi; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: setup system-deps
	$(BIN)/pytest -q $(PYTEST_WORKERS)

# The same suite against PostgreSQL; each test gets its own schema in the `test` database.
test-postgres: setup system-deps
	@if $(BIN)/python -c 'import psycopg,sys; psycopg.connect("host=127.0.0.1 port=5432 dbname=test", connect_timeout=3).close()' 2>/dev/null; then \
	  COWORK_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q $(PYTEST_WORKERS) -m 'not browser'; \
	else \
	  echo "PostgreSQL is NOT reachable at 127.0.0.1:5432 (database test): the PostgreSQL run was NOT done."; \
	  if [ -n "$$REQUIRE_POSTGRES" ]; then exit 1; fi; \
	fi

test: lint test-sqlite test-postgres

# The README's screenshots of the room (tests/test_readme_screenshots.py), as a venue's LAN serves them.
screenshots: setup system-deps
	$(BIN)/pytest -q tests/test_readme_screenshots.py
	cp test-artifacts/readme/*.png docs/screenshots/

# Known vulnerabilities in the installed Python packages (needs PyPI's JSON API; not reachable everywhere).
audit: setup
	$(BIN)/pip-audit --skip-editable

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache

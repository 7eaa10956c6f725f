# The two commands of the README: `make run` and `make test`. Everything a new machine needs is here.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCKS := requirements/runtime.txt requirements/dev.txt
STAMP := $(VENV)/.installed-$(shell cat $(LOCKS) pyproject.toml | md5sum | cut -c1-12)
TOOLS := var/tools
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/portal
CI_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test test-dates venv messages services browser dnstools samltools loadtools faketime lint bench-blocklists bench-load lock audit prod-smoke docs-screenshots

# Development and tests install requirements/dev.txt; production installs requirements/runtime.txt only.
# Both are every package pinned with its hashes (pip refuses a file that does not match).
$(STAMP): $(LOCKS) pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements/dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

# After changing a pin in pyproject.toml: recompute both lock files (pip-tools, in its own venv).
lock:
	test -x $(TOOLS)/bin/pip-compile || ($(PY) -m venv $(TOOLS) && $(TOOLS)/bin/pip install -q pip-tools==7.6.2)
	CUSTOM_COMPILE_COMMAND="make lock" $(TOOLS)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements/runtime.txt pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(TOOLS)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.txt pyproject.toml

# Known vulnerabilities in what production installs (needs the internet: PyPI's and OSV's advisories).
audit:
	test -x $(TOOLS)/bin/pip-audit || ($(PY) -m venv $(TOOLS) && $(TOOLS)/bin/pip install -q pip-audit==2.10.1)
	$(TOOLS)/bin/pip-audit --require-hashes --disable-pip -r requirements/runtime.txt
	$(TOOLS)/bin/pip-audit --require-hashes --disable-pip -r requirements/dev.txt

# Polish (and English) translations ship as .po files; the compiled .mo files are built here.
messages: venv
	@command -v msgfmt >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null)
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv --ignore=var

# The portal with a Celery worker and beat on the embedded default (SQLite + filesystem broker),
# or on PostgreSQL/Redis when DATABASE_URL / REDIS_URL are set.
run: venv messages dnstools
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  TAM portal: http://127.0.0.1:$(PORT)/   (worker and beat start alongside; Ctrl-C stops all)"
	@echo "  Demo logins, password for all: demo-pass-2026"
	@echo "    alice@acme.test   Acme account admin        arthur@acme.test  Acme member"
	@echo "    bob@globex.test   Globex account admin      tina@tam.test     TAM of Acme"
	@echo "    tom@tam.test      TAM of Globex, backup for Acme"
	@echo "    sam@support.test  support agent             nina@support.test support agent"
	@echo "    admin@portal.test superuser (/admin/)"
	@echo "  Staff sign in with a second factor: the demo TOTP secret DEMOPORTALTOTPSECRETDEMOPORTAL23"
	@echo "    (add it to an authenticator app), or the current code: .venv/bin/python manage.py demo_code"
	@echo "  Security keys and passkeys need http://localhost:$(PORT)/ (browsers refuse WebAuthn on 127.0.0.1)."
	@echo ""
	PORT=$(PORT) $(BIN)/honcho start -f Procfile

# Services the suite needs in CI: PostgreSQL, Redis, Chromium. Outside CI, missing ones make their tests skip.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done

browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# rbldnsd serves real DNSBL zones on loopback, dnsmasq ordinary records (SPF, DKIM, DMARC, MX, PTR): the
# deliverability tests ask them, and `make run` serves the demo zones and domains with them.
dnstools:
	@test -x /usr/sbin/rbldnsd || command -v rbldnsd >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rbldnsd >/dev/null) || echo "rbldnsd could not be installed: blocklist checks will use the system's resolver"
	@test -x /usr/sbin/dnsmasq || command -v dnsmasq >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dnsmasq-base >/dev/null) || echo "dnsmasq could not be installed: authentication checks will use the system's resolver"

# The README's screenshots (docs/screenshots/): the browser tests that take them, saving them there too.
docs-screenshots: venv messages
	$(MAKE) --no-print-directory services browser
	DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest -p no:cacheprovider tests/browser/test_dmarc.py tests/browser/test_webhooks.py \
	  tests/browser/test_postmaster.py tests/browser/test_snds.py

# The SAML identity provider the tests sign in through (tests/idp/saml/, pysaml2) signs with Debian's xmlsec1.
samltools:
	@command -v xmlsec1 >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null)

# The production shape under load (bench/load.py): wrk from Debian against gunicorn, PostgreSQL and Redis.
loadtools:
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)

bench-load: venv messages loadtools
	$(BIN)/python bench/load.py

# Our blocklist checker beside pydnsbl (a benchmark-only extra) on the same rbldnsd zones.
bench-blocklists: venv dnstools
	$(BIN)/python -m pip install -q --disable-pip-version-check pydnsbl==1.1.7
	$(BIN)/python bench/blocklists.py

test: venv messages dnstools samltools
ifeq ($(CI),true)
	$(MAKE) --no-print-directory services browser
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} REDIS_URL=$${REDIS_URL:-$(CI_REDIS_URL)} $(BIN)/python -m pytest -n 2 -p no:cacheprovider; \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; rc=1; fi; exit $$rc
else
	$(BIN)/python -m pytest -n 2; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; rc=1; fi; exit $$rc
endif

# The non-browser suite again under faked clocks (Debian's libfaketime): a year turn in Warsaw (a Sunday night,
# crossing midnight) and in UTC, both DST changes of Warsaw and New York, a leap day; the access matrices'
# cases are spread over the dates (tests/dates.py). On SQLite, which reads the same faked clock (PostgreSQL's
# now() would not). .ci/run runs it after `make test`.
test-dates: venv messages dnstools samltools faketime
ifeq ($(CI),true)
	$(MAKE) --no-print-directory services
	REDIS_URL=$${REDIS_URL:-$(CI_REDIS_URL)} $(BIN)/python tests/dates.py
else
	$(BIN)/python tests/dates.py
endif

faketime:
	@ls /usr/lib/*/faketime/libfaketimeMT.so.1 >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# The README's production shape, run for real: gunicorn (production settings, TLS), a worker per queue, beat,
# PostgreSQL, Redis, SMTP and rbldnsd; a customer signs in, opens a critical case, a sweep runs. .ci/run runs it.
prod-smoke: venv messages dnstools
	$(MAKE) --no-print-directory services
	$(BIN)/python tests/prod_smoke.py

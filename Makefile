# Two commands: `make run` serves the API with the seed directory, `make test` runs the suite.
# Both install what is missing (apt packages, .venv, a project-local PostgreSQL under .data/).

PORT ?= 8000
PGPORT ?= 54329
MEILI_PORT ?= 7701
DB ?= referral
TEST_DB ?= referral_test
VENV := .venv/bin
DB_URL := postgresql+psycopg://postgres@127.0.0.1:$(PGPORT)/$(DB)
TEST_DB_URL := postgresql+psycopg://postgres@127.0.0.1:$(PGPORT)/$(TEST_DB)

export PGPORT MEILI_PORT

.PHONY: setup db seed run test fmt lint bench faults stop clean

setup:
	@scripts/setup.sh

db: setup
	@scripts/pg.sh createdb $(DB)
	@DATABASE_URL=$(DB_URL) $(VENV)/alembic upgrade head
	@DATABASE_URL=$(DB_URL) $(VENV)/directory check-db

seed: db
	@DATABASE_URL=$(DB_URL) $(VENV)/directory load-seed

# `make run SEARCH_BACKEND=meilisearch` serves with the project-local Meilisearch as well
run: seed
	@if [ "$(SEARCH_BACKEND)" = meilisearch ]; then scripts/meili.sh start; fi
	@echo "serving on http://127.0.0.1:$(PORT)"
	@env $$(if [ "$(SEARCH_BACKEND)" = meilisearch ]; then scripts/meili.sh env; fi) \
		DATABASE_URL=$(DB_URL) FORWARDED_ALLOW_IPS= $(VENV)/directory serve --host 127.0.0.1 --port $(PORT) --workers 1

# The suite drops and rebuilds $(TEST_DB) through the migrations at every run.
# Both search backends run: the project-local Meilisearch is started for the behaviour suite,
# unless MEILI_URL (and MEILI_API_KEY) name another server to test, e.g. a newer version.
test:
	@scripts/setup.sh --browser
	@scripts/pg.sh start
	@scripts/meili.sh $(if $(MEILI_URL),install,start)
	@env $$($(if $(MEILI_URL),echo MEILI_URL=$(MEILI_URL) MEILI_API_KEY=$(MEILI_API_KEY),scripts/meili.sh env)) \
		DATABASE_URL=$(TEST_DB_URL) ENVIRONMENT=test \
		SECRET_KEY=test-only-secret-0123456789abcdefghijklmnop $(VENV)/pytest $(PYTEST_ARGS)

fmt: setup
	@$(VENV)/ruff format .
	@$(VENV)/ruff check --fix .

lint: setup
	@$(VENV)/ruff format --check .
	@$(VENV)/ruff check .
	@$(VENV)/mypy app search directory_data tests bench

bench: setup
	@scripts/bench.sh

# races, a killed API and a stopped database, measured (stops and starts the cluster)
faults: setup
	@scripts/faults.sh

stop:
	@scripts/meili.sh stop
	@scripts/pg.sh stop

clean: stop
	rm -rf .data

# The seed workflow's targets, on top of ./convoy. The database comes from CONVOY_DATABASE_URL
# (default: a local convoy_app database, which 'make start' creates).
CONVOY ?= ./convoy
CONVOY_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/convoy_app
export CONVOY_DATABASE_URL

.PHONY: start migrate migration migration-current migration-history rollback migration-stamp test help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 22

start: ## Start PostgreSQL and Redis and create the app database
	@bash scripts/services.sh
	@db=$$(echo "$(CONVOY_DATABASE_URL)" | sed -E 's#.*/([^/?]+)(\?.*)?$$#\1#'); \
	  psql "$$(echo "$(CONVOY_DATABASE_URL)" | sed -E 's#/[^/?]+(\?.*)?$$#/postgres#')" -qtAc \
	    "SELECT 1 FROM pg_database WHERE datname = '$$db'" | grep -q 1 || \
	  psql "$$(echo "$(CONVOY_DATABASE_URL)" | sed -E 's#/[^/?]+(\?.*)?$$#/postgres#')" -qc "CREATE DATABASE $$db"

migrate: ## Apply every pending migration (convoy upgrade head)
	$(CONVOY) upgrade head

# With a declared schema (migrations/schema/*.sql, or schema-command in convoy.yaml or the
# environment) the operations are generated from it; otherwise the file lists examples.
MIGRATIONS_DIR := $(or $(CONVOY_MIGRATIONS_DIR),migrations)

migration: ## Create a migration: make migration msg="Add email field to Author"
	@test -n "$(msg)" || { echo 'usage: make migration msg="Add email field to Author"' >&2; exit 2; }
	@if ls $(MIGRATIONS_DIR)/schema/*.sql >/dev/null 2>&1 || [ -n "$$CONVOY_SCHEMA_COMMAND" ] || \
	    grep -qs '^schema-command:' $(MIGRATIONS_DIR)/convoy.yaml; then \
	  echo '$(CONVOY) revision --autogenerate -m "$(msg)"'; $(CONVOY) revision --autogenerate -m "$(msg)"; \
	else \
	  echo '$(CONVOY) revision -m "$(msg)"'; $(CONVOY) revision -m "$(msg)"; \
	fi

migration-current: ## Show the revision the database is at
	$(CONVOY) current -v

migration-history: ## Show every revision, marking what is applied
	$(CONVOY) history

rollback: ## Revert the last migration (convoy downgrade -1)
	$(CONVOY) downgrade -1

migration-stamp: ## Record a revision without running it: make migration-stamp rev=head
	@test -n "$(rev)" || { echo 'usage: make migration-stamp rev=<revision>|head' >&2; exit 2; }
	$(CONVOY) stamp $(rev)

test: ## Run the tests (as CI does)
	mvn -B verify

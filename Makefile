.PHONY: run test lint format

run:  ## Odoo 19 on http://127.0.0.1:8069 with the addon on a demo database
	bash scripts/run.sh

test:  ## lint + every test (pure Python and Odoo) on a fresh database
	bash scripts/test.sh $(ARGS)

lint:
	bash scripts/lint.sh

format:
	bash scripts/lint.sh --fix

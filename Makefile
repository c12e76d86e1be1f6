.PHONY: run test lint format pot bench bench-orders bench-stock bench-settlements bench-live bench-sandbox

run:  ## Odoo 19 on http://127.0.0.1:8069 with the addon on a demo database
	bash scripts/run.sh

test:  ## lint + every test (pure Python and Odoo) on a fresh database
	bash scripts/test.sh $(ARGS)

lint:
	bash scripts/lint.sh

format:
	bash scripts/lint.sh --fix

pot:  ## tiktok_shop_connector/i18n/tiktok_shop_connector.pot regenerated from the code
	bash scripts/pot.sh

bench:  ## the five benchmarks, one after the other
	bash scripts/bench.sh all

bench-orders:  ## orders/s end to end vs the raw ORM, LIVE burst latency
	bash scripts/bench.sh orders $(ARGS)

bench-stock:  ## stock push of 10,000 SKUs: full, incremental, one call per SKU
	bash scripts/bench.sh stock $(ARGS)

bench-settlements:  ## a month of settlements (15,000 orders) imported and reconciled vs the raw ORM
	bash scripts/bench.sh settlements $(ARGS)

bench-live:  ## a LIVE burst with another channel selling the same stock: latency, stock lag, oversold units
	bash scripts/bench.sh live $(ARGS)

bench-sandbox:  ## requests per second the sandbox serves
	bash scripts/bench.sh sandbox $(ARGS)

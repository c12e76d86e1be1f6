"""Settlement benchmark: a month of a busy shop imported, posted and reconciled, beside the raw ORM.

    make bench-settlements ARGS="--orders 15000 --days 30"

Sets up like the other benchmarks (.local/odoo-bench.conf, a fresh database, the sandbox in its
own process). The sandbox settles `--orders` delivered orders of the US shop over `--days` daily
statements, each paid out. Odoo gets, untimed, one posted invoice per order carrying its TikTok
order id (as the invoicing cron makes them) and a bank statement line per payout. Then it times:

1. the connector's settlement sync of the month: reading the statements, their transactions and
   payouts, posting one entry per statement, reconciling every invoice, matching every payout to
   its bank line; seconds and orders settled per second, peak memory of this process;
2. in the same process, the raw ORM creating and posting the same journal entries (the same
   lines, no API and no reconciliation): the floor.

Target: the sync at least half the raw rate, and under 3 minutes.
"""

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_orders import (
    ADDON_DIR,
    Sandbox,
    add_database_arguments,
    connect_seller,
    install_database,
    odoo_environment,
    peak_memory_mib,
    peak_memory_reset,
    refresh_planner_statistics,
    release_database,
)

DAY = 86_400


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=15000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--profile", action="store_true", help="print where the sync spends its time (cProfile)"
    )
    add_database_arguments(parser, "tiktok_settlement_bench")
    return parser.parse_args()


def settle_month(sandbox, shop, orders, days):
    """The sandbox's month of delivered orders, every statement cut and paid."""
    started = time.perf_counter()
    answer = sandbox.post(
        f"/sandbox/shops/{shop.tiktok_shop_ref}/settled_orders", {"count": orders, "days": days}
    )
    print(
        f"  sandbox: {orders} settled orders in {time.perf_counter() - started:.1f} s", flush=True
    )
    return answer


def remote_proceeds(shop):
    """{TikTok order id: what its invoice must hold} read through the connector's own client."""
    from odoo.addons.tiktok_shop_connector.tiktok_shop import endpoints, finance

    proceeds = {}
    statements = shop._tiktok_paginate(
        endpoints.FINANCE_STATEMENTS,
        params={"sort_field": "statement_time"},
        items_key="statements",
    )
    for data in statements:
        statement = finance.read_statement(data)
        items = shop._tiktok_paginate(
            endpoints.FINANCE_STATEMENT_TRANSACTIONS,
            path_params={"statement_id": statement.ref},
            params={"sort_field": "order_create_time"},
            items_key="transactions",
        )
        for item in items:
            transaction = finance.read_transaction(item)
            if transaction.order_ref and transaction.proceeds:
                proceeds[transaction.order_ref] = transaction.proceeds
    return proceeds


def create_invoices(env, shop, proceeds, batch=500):
    """One posted invoice per order, of its proceeds, carrying its TikTok order id."""
    from odoo import Command

    product = env["product.product"].create({"name": "Bench goods", "type": "consu"})
    buyers = env["res.partner"].create([{"name": f"Buyer {n}"} for n in range(200)])
    refs = sorted(proceeds)
    for start in range(0, len(refs), batch):
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": buyers[index % len(buyers)].id,
                    "currency_id": shop.currency_id.id,
                    "invoice_date": "2026-01-01",
                    "ref": ref,
                    "tiktok_order_ref": ref,
                    "tiktok_shop_id": shop.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": float(proceeds[ref]),
                                "tax_ids": [],
                            }
                        )
                    ],
                }
                for index, ref in enumerate(refs[start : start + batch], start)
            ]
        )
        moves.action_post()
        env.cr.commit()
        print(f"  invoices: {start + len(moves)}/{len(refs)}", flush=True)


def create_bank_lines(env, shop, sandbox):
    journal = env["account.journal"].create(
        {"name": "TikTok payouts", "code": "TTPO", "type": "bank"}
    )
    shop.payout_journal_id = journal
    lines = sandbox.get(f"/sandbox/shops/{shop.tiktok_shop_ref}/bank_lines")["bank_lines"]
    env["account.bank.statement.line"].create(
        [
            {
                "journal_id": journal.id,
                "date": line["date"],
                "payment_ref": line["payment_ref"],
                "amount": float(line["amount"]),
            }
            for line in lines
        ]
    )
    return len(lines)


def resident_memory_mib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class MemoryByStatement:
    """This process's resident memory while the sync runs, by the number of statements posted
    so far (read on a connection of its own: the sync commits each statement). Flat memory
    means the last statements need no more than the first ones did."""

    def __init__(self, registry, shop_id, interval=0.25):
        self.registry, self.shop_id, self.interval = registry, shop_id, interval
        self.peaks = {}  # statements posted -> peak resident MiB while that many were
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        with self.registry.cursor() as cr:
            while not self._stop.wait(self.interval):
                cr.execute(
                    "SELECT count(*) FROM tiktok_settlement"
                    " WHERE shop_id = %s AND state = 'posted'",
                    [self.shop_id],
                )
                posted = cr.fetchone()[0]
                cr.commit()  # a new snapshot for the next count
                memory = resident_memory_mib()
                self.peaks[posted] = max(self.peaks.get(posted, 0), memory)

    def milestones(self, count=6):
        """[(statements posted, peak MiB)] at about `count` evenly spread points of the run."""
        if not self.peaks:
            return []
        last = max(self.peaks)
        wanted = sorted({round(last * step / (count - 1)) for step in range(count)})
        return [(n, self.peaks[n]) for n in wanted if n in self.peaks]


def timed_sync(registry, Environment, shop_id):
    peak_memory_reset()
    before = peak_memory_mib()
    with registry.cursor() as cr:
        env = Environment(cr, 1, {})
        shop = env["tiktok.shop"].browse(shop_id)
        started = time.perf_counter()
        with MemoryByStatement(registry, shop_id) as memory:
            log = shop._tiktok_sync_settlements(since=0, trigger="benchmark")
            cr.commit()
            seconds = time.perf_counter() - started
            peak = peak_memory_mib()
        # What the benchmark checks afterwards is not the sync's: outside the figures above.
        settlements = shop.settlement_ids
        figures = {
            "seconds": seconds,
            "statements": len(settlements),
            "orders": env["tiktok.settlement.transaction"].search_count(
                [("shop_id", "=", shop_id), ("match_state", "=", "reconciled")]
            ),
            "unmatched": env["tiktok.settlement.transaction"].search_count(
                [("shop_id", "=", shop_id), ("match_state", "not in", ("reconciled", "charges"))]
            ),
            "payouts matched": len(shop.payout_ids.filtered(lambda p: p.state == "matched")),
            "log": (log.state, log.created_count, log.failed_count, log.message),
            "memory": (before, peak),
            "memory after the checks": resident_memory_mib(),
        }
    figures["memory by statements posted"] = memory.milestones()
    return figures


def raw_orm_entries(registry, Environment, shop_id):
    """The same entries created and posted by the raw ORM, rolled back: seconds."""
    from odoo import Command

    with registry.cursor() as cr:
        env = Environment(cr, 1, {})
        moves = env["tiktok.settlement"].search([("shop_id", "=", shop_id)]).move_id
        fields_ = ["account_id", "partner_id", "name", "currency_id", "amount_currency", "balance"]
        copies = [
            {
                "move_type": "entry",
                "journal_id": move.journal_id.id,
                "date": move.date,
                "currency_id": move.currency_id.id,
                "line_ids": [
                    Command.create(
                        {
                            name: (line[name].id if hasattr(line[name], "id") else line[name])
                            for name in fields_
                        }
                    )
                    for line in move.line_ids
                ],
            }
            for move in moves
        ]
        env.invalidate_all()
        started = time.perf_counter()
        for values in copies:
            env["account.move"].create(values).action_post()
        env.flush_all()
        seconds = time.perf_counter() - started
        cr.rollback()
    return seconds


def main():
    args = parse_arguments()
    if not Path(args.config).exists():
        raise SystemExit(f"{args.config} is missing: run scripts/test.sh once (it writes it)")
    print(f"Installing the addon into {args.database}...", flush=True)
    install_database(args.config, args.database)
    sys.path.insert(0, str(ADDON_DIR))
    registry, Environment = odoo_environment(args.config, args.database)
    print("Starting the sandbox...", flush=True)
    sandbox = Sandbox(products_per_shop=10)
    try:
        with registry.cursor() as cr:
            env = Environment(cr, 1, {})
            _account, shops = connect_seller(env, sandbox)
            shop = shops.filtered(lambda s: s.region == "US")
            shop_id = shop.id
            cr.commit()
            print(f"Settling {args.orders} orders over {args.days} days...", flush=True)
            settle_month(sandbox, shop, args.orders, args.days)
            print("Creating the invoices and the bank lines (untimed)...", flush=True)
            create_invoices(env, shop, remote_proceeds(shop))
            payouts = create_bank_lines(env, shop, sandbox)
            cr.commit()
        # Setting up posts 15,000 invoices, rewriting each of their lines: dead row versions
        # a production server's autovacuum would have cleared before the month's sync.
        refresh_planner_statistics(registry, vacuum=True)
        print("Timing the connector's settlement sync...", flush=True)
        if args.profile:
            profiler = cProfile.Profile()
            sync = profiler.runcall(timed_sync, registry, Environment, shop_id)
            profile_path = Path(args.config).parent / "logs" / "bench-settlements.prof"
            profiler.dump_stats(profile_path)
            print(f"  profile kept in {profile_path} (python -m pstats)", flush=True)
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(45)
            stats.print_stats("tiktok_shop_connector", 40)  # the connector's own steps
        else:
            sync = timed_sync(registry, Environment, shop_id)
        print(f"  {sync}", flush=True)
        refresh_planner_statistics(registry, vacuum=True)  # the raw ORM on the same footing
        print("Timing the raw ORM creating and posting the same entries...", flush=True)
        raw = raw_orm_entries(registry, Environment, shop_id)
        report(args, sync, raw, payouts)
    finally:
        sandbox.stop()
        release_database(args.database)
        if not args.keep_database:
            subprocess.run(["dropdb", "--if-exists", "--force", args.database], check=False)


def report(args, sync, raw, payouts):
    orders = sync["orders"]
    sync_rate = orders / sync["seconds"] if sync["seconds"] else 0
    raw_rate = orders / raw if raw else 0
    cores = os.cpu_count()
    print(f"\n== Settlements: a month of a busy shop ({cores} cores, shared with the sandbox) ==")
    print(
        f"connector sync: {sync['statements']} statements, {orders} orders settled and reconciled "
        f"({sync['unmatched']} not), {sync['payouts matched']}/{payouts} payouts matched, "
        f"{sync['seconds']:.1f} s = {sync_rate:.0f} orders/s (target < 180 s); "
        "memory of this process {:.0f} MiB before, peak {:.0f} MiB during; ".format(*sync["memory"])
        + f"sync log {sync['log']}"
    )
    milestones = sync["memory by statements posted"]
    if milestones:
        print(
            "memory of this process by statements posted (peak resident MiB): "
            + ", ".join(f"{n}: {mib:.0f}" for n, mib in milestones)
        )
        settled = [mib for n, mib in milestones if n >= 1]
        if len(settled) >= 2:
            print(
                f"growth from the first statement to the last: {settled[-1] - settled[0]:+.0f} MiB "
                "(target: flat)"
            )
    print(f"raw ORM, same entries created and posted: {raw:.1f} s = {raw_rate:.0f} orders/s")
    ratio = sync_rate / raw_rate if raw_rate else 0
    print(f"ratio connector/raw: {ratio:.2f} (target >= 0.50)")


if __name__ == "__main__":
    main()

"""How many order-search and order-detail requests per second the sandbox serves.

    make bench-sandbox ARGS="--requests 4000 --threads 8 --orders-per-shop 200"

The sandbox runs in its own process, so it does not share a GIL with the load generator. Client
threads use the connector's `TikTokShopClient` (signed requests, one keep-alive connection each)
and no client-side throttling; the sandbox's own quota is switched off (`--rate-limit 0`), since
TikTok's 50 requests/second per shop would otherwise be what is measured.

Next to each rate it prints how busy the sandbox process was (CPU seconds per wall second, read
from /proc on Linux): well under 100 % means the load generator, not the sandbox, set the pace.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
# The connector's pure package, imported top-level (its client is the load generator).
sys.path.insert(0, str(ROOT / "tiktok_shop_connector"))

from tiktok_shop.client import TikTokShopClient  # noqa: E402
from tiktok_shop.errors import TikTokShopError  # noqa: E402
from tiktok_shop.rate_limit import NoRateLimit  # noqa: E402

SEARCH = "/order/202309/orders/search"
DETAIL = "/order/202309/orders"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="per operation")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--orders-per-shop", type=int, default=200)
    parser.add_argument("--search-page-size", type=int, default=20)
    parser.add_argument("--detail-ids", type=int, default=1, help="order ids per detail call")
    return parser.parse_args()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sandbox(port, orders_per_shop):
    command = [
        sys.executable,
        "-m",
        "tiktok_shop_sandbox",
        "--port",
        str(port),
        "--seed",
        "1",
        "--rate-limit",
        "0",
        "--orders-per-shop",
        str(orders_per_shop),
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/sandbox/health", timeout=1).ok:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the sandbox did not start: {process.stderr.read().decode()}")


class Target:
    """What the load needs: credentials, a token and the US shop with its orders."""

    def __init__(self, url):
        app = requests.get(url + "/sandbox/app", timeout=5).json()
        self.url = url
        self.app_key, self.app_secret = app["app_key"], app["app_secret"]
        self.access_token = requests.post(url + "/sandbox/tokens", json={}, timeout=5).json()[
            "access_token"
        ]
        shops = requests.get(url + "/sandbox/shops", timeout=5).json()["shops"]
        shop = next(shop for shop in shops if shop["region"] == "US")
        self.shop_cipher = shop["cipher"]
        listed = requests.get(url + "/sandbox/orders", params={"shop_id": shop["id"]}, timeout=5)
        self.order_ids = [order["id"] for order in listed.json()["orders"]]

    def client(self):
        return TikTokShopClient(
            self.app_key,
            self.app_secret,
            access_token=self.access_token,
            api_host=self.url,
            auth_host=self.url,
            rate_limiter=NoRateLimit(),
            max_attempts=1,
            timeout=30,
        )


def cpu_seconds(pid):
    """User + system CPU time of a process (Linux), or None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(target, call, total, threads):
    """Send `total` calls from `threads` clients; return (seconds, failures)."""
    remaining = iter(range(total))
    lock = threading.Lock()
    failures = []

    def worker():
        with target.client() as client:
            call(client, 0)  # open the keep-alive connection before the clock starts
            barrier.wait()
            while True:
                with lock:
                    number = next(remaining, None)
                if number is None:
                    return
                try:
                    call(client, number)
                except TikTokShopError as error:
                    failures.append(error)

    barrier = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    return time.perf_counter() - started, failures


def main():
    arguments = parse_arguments()
    process, url = start_sandbox(free_port(), arguments.orders_per_shop)
    try:
        target = Target(url)
        ids = target.order_ids

        def search(client, number):
            client.request(
                "POST",
                SEARCH,
                params={"page_size": arguments.search_page_size},
                json={"order_status": "AWAITING_SHIPMENT"} if number % 2 else None,
                shop_cipher=target.shop_cipher,
            )

        def detail(client, number):
            start = (number * arguments.detail_ids) % len(ids)
            wanted = (ids * 2)[start : start + arguments.detail_ids]
            client.request("GET", DETAIL, params={"ids": wanted}, shop_cipher=target.shop_cipher)

        print(
            f"sandbox {url}: {len(ids)} orders in the US shop, {arguments.threads} client "
            f"threads, {arguments.requests} requests per operation"
        )
        for name, call in (("order search", search), ("order detail", detail)):
            cpu_before = cpu_seconds(process.pid)
            seconds, failures = run(target, call, arguments.requests, arguments.threads)
            cpu_after = cpu_seconds(process.pid)
            busy = ""
            if cpu_before is not None:
                busy = f", sandbox CPU {100 * (cpu_after - cpu_before) / seconds:.0f} % of a core"
            rate = arguments.requests / seconds
            outcome = f"{seconds:.2f} s, {len(failures)} failed{busy}"
            print(f"{name:13s} {rate:8.0f} requests/s  ({outcome})")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()

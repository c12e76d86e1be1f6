"""The addon installs on a database with Odoo's demo data too (the test database has none)."""

import os
import subprocess
import sys
import uuid

import pytest

CONFIG = os.environ.get("TIKTOK_ODOO_CONFIG")


@pytest.mark.slow
@pytest.mark.skipif(not CONFIG, reason="needs the Odoo configuration written by scripts/test.sh")
def test_addon_installs_with_demo_data():
    database = f"tiktok_shop_demo_check_{uuid.uuid4().hex[:8]}"
    odoo = [sys.executable, "-m", "odoo", "-c", CONFIG, "-d", database]
    try:
        install = subprocess.run(
            [*odoo, "-i", "tiktok_shop_connector", "--with-demo", "--stop-after-init"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert install.returncode == 0, install.stderr[-3000:]
        state = subprocess.run(
            ["psql", "-X", "-At", "-d", database, "-c", QUERY],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert state == ["installed|t"], "installed, with demo data"
    finally:
        subprocess.run(["dropdb", "--if-exists", database], capture_output=True, check=False)


QUERY = "select state, demo from ir_module_module where name = 'tiktok_shop_connector'"

"""`make run` encrypts the demo's secrets with a key of its own, generated once, kept private."""

import configparser
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_config(config, key_file):
    script = f'source "{ROOT}/scripts/common.sh"; write_odoo_config "{config}" 8999 "{key_file}"'
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    options = configparser.ConfigParser()
    options.read(config)
    return options["options"]


def test_demo_configuration_carries_a_generated_key_kept_across_runs(tmp_path):
    config, key_file = tmp_path / "odoo-demo.conf", tmp_path / "tiktok_shop_secret_key"
    first = write_config(config, key_file)["tiktok_shop_secret_key"]
    assert len(first) >= 40
    assert first == key_file.read_text().strip()
    assert write_config(config, key_file)["tiktok_shop_secret_key"] == first, "reused, not renewed"
    for path in (config, key_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name} is readable by others"

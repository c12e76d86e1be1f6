"""The project's own commands: fail-fast messages, the Docker Compose file."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_script(script, env_overrides, tmp_path):
    env = {**os.environ, **env_overrides}
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def fake_python(tmp_path, version):
    """A 'python3' that reports an old version."""
    wrapper = tmp_path / "python-old"
    answers = f"*version_info*) exit 1;; *python_version*) echo {version};;"
    wrapper.write_text(f'#!/bin/sh\ncase "$*" in {answers} esac\n')
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.mark.parametrize("script", ["test.sh", "run.sh"])
def test_commands_need_python_310_for_their_environment(script, tmp_path):
    result = run_script(script, {"TIKTOK_BASE_PYTHON": fake_python(tmp_path, "3.8.10")}, tmp_path)
    assert result.returncode == 2
    assert "is Python 3.8.10; the project needs 3.10+" in result.stderr


def test_no_server_and_no_postgres_binaries_is_reported(tmp_path):
    """ensure_postgres with nothing answering and no initdb/pg_ctl anywhere."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("id", "mkdir", "dirname", "python3", "md5sum", "cut"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    script = f'source "{ROOT}/scripts/common.sh"; ensure_postgres'
    env = {
        **os.environ,
        "PATH": str(bin_dir),
        "TIKTOK_PG_BIN_GLOB": str(tmp_path / "nowhere"),
        "PGHOST": "127.0.0.1",
        "PGPORT": "1",
    }
    result = subprocess.run(
        ["/bin/bash", "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "initdb, pg_ctl" in result.stderr
    assert "apt-get install postgresql" in result.stderr


def test_docker_compose_file_is_valid():
    tool = shutil.which("docker-compose")
    if not tool:
        pytest.skip("docker-compose is not installed (Debian package docker-compose)")
    result = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "image: odoo:19" in result.stdout
    assert "/mnt/extra-addons/tiktok_shop_connector" in result.stdout


def run_as_a_user_without(tmp_path, ensure_function):
    """Run `ensure_function` of scripts/common.sh as a user who is not root, with a PATH that
    has none of the tools it looks for: nothing is installed behind the user's back."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("mkdir", "dirname"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    fake_id = bin_dir / "id"
    fake_id.write_text('#!/bin/sh\n[ "$1" = "-u" ] && echo 1000 || echo someone\n')
    fake_id.chmod(0o755)
    script = f'source "{ROOT}/scripts/common.sh"; {ensure_function}'
    env = {**os.environ, "PATH": str(bin_dir)}
    return subprocess.run(
        ["/bin/bash", "-c", script], env=env, capture_output=True, text=True, check=False
    )


def test_missing_chromium_stops_the_tests_instead_of_skipping_them(tmp_path):
    """Odoo skips browser tests without Chromium; the test command says so and stops."""
    result = run_as_a_user_without(tmp_path, "ensure_chromium")
    assert result.returncode == 2
    assert "apt-get install chromium chromium-driver" in result.stderr


def test_missing_wkhtmltopdf_stops_the_tests(tmp_path):
    """Without wkhtmltopdf Odoo prints no PDF: the test command says what to install and stops."""
    result = run_as_a_user_without(tmp_path, "ensure_wkhtmltopdf")
    assert result.returncode == 2
    assert "apt-get install wkhtmltopdf" in result.stderr

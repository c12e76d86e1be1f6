"""The Odoo bootstrap of the make commands, on a tiny stand-in source and without the network.

Each source path is run end to end: a fresh environment (no pip, so nothing real is installed)
that cannot import Odoo, the bootstrap script run with ODOO_SOURCE (a directory, a .tar.gz, a
.tar.xz, a .zip) or a download address, then the environment's interpreter imports the stand-in.
"""

import http.server
import importlib.util
import os
import socket
import subprocess
import sys
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bootstrap_odoo.py"

spec = importlib.util.spec_from_file_location("bootstrap_odoo", SCRIPT)
bootstrap_odoo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bootstrap_odoo)


def make_source(parent, major=19):
    """An 'Odoo' source tree: odoo/release.py and a requirements.txt with nothing to install."""
    root = parent / f"odoo-{major}.0"
    (root / "odoo").mkdir(parents=True)
    (root / "odoo" / "__init__.py").write_text("")
    (root / "odoo" / "release.py").write_text(
        f"version_info = ({major}, 0, 0, 'final', 0, '')\nversion = '{major}.0'\n"
    )
    (root / "requirements.txt").write_text("# nothing this stand-in needs\n")
    return root


@pytest.fixture
def environment(tmp_path):
    """A virtual environment without pip (fast, offline) that does not import Odoo."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv / "bin" / "python"


def run_bootstrap(python, local_dir, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--python", str(python), "--local-dir", str(local_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def imported_version(python):
    probe = "import odoo.release, odoo; print(odoo.release.version, odoo.__file__)"
    return subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False)


def archive(source, path):
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as bundle:
            for file in source.rglob("*"):
                bundle.write(file, file.relative_to(source.parent))
    else:
        mode = "w:xz" if path.name.endswith(".xz") else "w:gz"
        with tarfile.open(path, mode) as bundle:
            bundle.add(source, arcname=source.name)
    return path


def test_the_environment_does_not_import_odoo_before(environment):
    assert imported_version(environment).returncode != 0


def test_a_source_directory_is_used_in_place(environment, tmp_path):
    source = make_source(tmp_path / "src")
    result = run_bootstrap(environment, tmp_path / "local", ODOO_SOURCE=str(source))
    assert result.returncode == 0, result.stderr
    probe = imported_version(environment)
    assert probe.stdout.split() == ["19.0", str(source / "odoo" / "__init__.py")]
    assert not (tmp_path / "local" / "odoo").exists(), "a directory is not copied"


@pytest.mark.parametrize("name", ["odoo.tar.gz", "odoo.tar.xz", "odoo.zip"])
def test_an_archive_is_extracted_under_the_local_dir_once(environment, tmp_path, name):
    packed = archive(make_source(tmp_path / "src"), tmp_path / name)
    local = tmp_path / "local"
    result = run_bootstrap(environment, local, ODOO_SOURCE=str(packed))
    assert result.returncode == 0, result.stderr
    assert "Extracting" in result.stdout
    probe = imported_version(environment)
    assert probe.stdout.split() == ["19.0", str(local / "odoo" / "odoo" / "__init__.py")]

    again = run_bootstrap(environment, local, ODOO_SOURCE=str(packed))
    assert again.returncode == 0 and again.stdout == "", "an importable Odoo means no work"

    # A new environment (say .local/venv was removed) reuses the extracted source.
    fresh = tmp_path / "venv2"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    reused = run_bootstrap(fresh / "bin" / "python", local, ODOO_SOURCE=str(packed))
    assert "Reusing the Odoo source" in reused.stdout and "Extracting" not in reused.stdout


def test_an_archive_with_another_checksum_is_refused(environment, tmp_path):
    packed = archive(make_source(tmp_path / "src"), tmp_path / "odoo.tar.gz")
    result = run_bootstrap(
        environment, tmp_path / "local", ODOO_SOURCE=str(packed), ODOO_SOURCE_SHA256="0" * 64
    )
    assert result.returncode == 2
    assert "not the expected" in result.stderr
    assert imported_version(environment).returncode != 0


def test_another_odoo_version_is_refused(environment, tmp_path):
    source = make_source(tmp_path / "src", major=18)
    result = run_bootstrap(environment, tmp_path / "local", ODOO_SOURCE=str(source))
    assert result.returncode == 2
    assert "holds Odoo 18, not 19" in result.stderr


def test_a_source_that_is_no_odoo_is_refused(environment, tmp_path):
    result = run_bootstrap(environment, tmp_path / "local", ODOO_SOURCE=str(tmp_path))
    assert result.returncode == 2
    assert "odoo/release.py is not in it" in result.stderr


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_download_says_how_to_use_a_local_copy(environment, tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/odoo_19.0.latest.tar.gz"
    result = run_bootstrap(environment, tmp_path / "local", ODOO_DOWNLOAD_URL=url)
    assert result.returncode == 2
    assert f"could not be downloaded from {url}" in result.stderr
    assert "ODOO_SOURCE=/path/to/odoo-19.0.tar.xz make test" in result.stderr
    assert not list((tmp_path / "local" / "downloads").iterdir()), "no partial file is left"


def test_a_download_is_extracted_and_kept(environment, tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    archive(make_source(tmp_path / "src"), served / "odoo_19.0.latest.tar.gz")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(served))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/odoo_19.0.latest.tar.gz"
        result = run_bootstrap(environment, tmp_path / "local", ODOO_DOWNLOAD_URL=url)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert imported_version(environment).stdout.startswith("19.0 ")
    assert (tmp_path / "local" / "downloads" / "odoo_19.0.tar.gz").is_file()


def test_requirements_skip_ldap_without_headers_and_fall_back_to_binary_psycopg2():
    lines = [
        "# comment",
        "python-ldap==3.4.0 ; sys_platform != 'win32'",
        "psycopg2==2.9.5 ; python_version == '3.11'",
        "cbor2==5.4.2 ; python_version < '3.12'",
    ]
    bare = bootstrap_odoo.filtered_requirements(lines, ldap_headers=False, pg_config=None)
    assert bare == [
        "psycopg2-binary==2.9.5 ; python_version == '3.11'",
        "cbor2==5.4.2 ; python_version < '3.12'",
    ]
    equipped = bootstrap_odoo.filtered_requirements(lines, ldap_headers=True, pg_config="pg")
    assert equipped == lines[1:]


def test_odoo_requirements_go_to_pip_with_the_build_constraints(tmp_path):
    """pip is called on the filtered requirements, PIP_CONSTRAINT reaching its build steps."""
    record = tmp_path / "pip-call"
    fake_python = tmp_path / "python"
    fake_python.write_text(f'#!/bin/sh\n{{ echo "$@"; cat "$PIP_CONSTRAINT"; }} > {record}\n')
    fake_python.chmod(0o755)
    source = make_source(tmp_path / "src")
    (source / "requirements.txt").write_text("cbor2==5.4.2\npython-ldap==3.4.0\n")
    bootstrap_odoo.install_requirements(str(fake_python), source, tmp_path / "local")
    call = record.read_text().splitlines()
    assert call[0].startswith("-m pip install -r ")
    assert "zope.interface<7" in call[0] and "zope.event<5" in call[0]
    assert {"setuptools<81", "zope.interface<7", "zope.event<5"} <= set(call[1:])
    wanted = (tmp_path / "local" / "odoo-requirements.txt").read_text().splitlines()
    assert "cbor2==5.4.2" in wanted
    assert ("python-ldap==3.4.0" in wanted) == bootstrap_odoo.ldap_headers_present()

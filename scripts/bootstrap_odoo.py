"""Makes Odoo 19.0 importable by the project's Python environment (standard library only).

    python3 scripts/bootstrap_odoo.py --python .local/venv/bin/python --local-dir .local

Nothing happens when that interpreter imports Odoo 19 already. Otherwise the source is taken from
ODOO_SOURCE (an Odoo 19.0 source directory, or a .tar.gz / .tar.xz / .zip archive of one) or,
without it, downloaded from Odoo's public nightly server (ODOO_DOWNLOAD_URL overrides the address).
An archive is extracted once under the local directory and reused; Odoo's requirements.txt is
installed into the environment with the known snags handled, and the source is made importable
with a .pth file (no build step, so a later run costs one import).
"""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

DEFAULT_DOWNLOAD_URL = "https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.xz", ".txz", ".zip")
SOURCE_STAMP = ".tiktok-source"
PTH_NAME = "odoo-19-source.pth"
# cbor2 5.4 builds with setuptools' pkg_resources (gone in 81); gevent's plugins are found through
# pkg_resources, which older zope releases' namespace packaging satisfies.
PIP_CONSTRAINTS = ("setuptools<81", "zope.interface<7", "zope.event<5")


class BootstrapError(Exception):
    """A set-up step that cannot go on; the message says what to do."""


def say(message):
    print(f"==> {message}", flush=True)


def odoo_is_importable(python):
    probe = "import odoo.release, sys; sys.exit(odoo.release.version_info[0] != 19)"
    return subprocess.run([python, "-c", probe], capture_output=True, check=False).returncode == 0


# === WHERE THE SOURCE COMES FROM === #


def source_root(directory):
    """The directory holding odoo/release.py: the given one or its only subdirectory."""
    directory = Path(directory)
    if (directory / "odoo" / "release.py").is_file():
        return directory
    children = [child for child in directory.iterdir() if child.is_dir()]
    if len(children) == 1 and (children[0] / "odoo" / "release.py").is_file():
        return children[0]
    raise BootstrapError(f"{directory} is no Odoo source: odoo/release.py is not in it.")


def odoo_major_version(root):
    release = (Path(root) / "odoo" / "release.py").read_text(encoding="utf-8")
    match = re.search(r"^version_info\s*=\s*\(\s*(\d+)", release, re.MULTILINE)
    if not match:
        raise BootstrapError(f"{root}/odoo/release.py names no version_info.")
    return int(match.group(1))


def is_archive(path):
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_identity(archive):
    stat = Path(archive).stat()
    return f"{Path(archive).resolve()} {stat.st_size} {int(stat.st_mtime)}"


def extract_archive(archive, destination, expected_sha256=None):
    """Extracts once: a destination stamped with the same archive is reused as it is."""
    archive, destination = Path(archive), Path(destination)
    stamp = destination / SOURCE_STAMP
    if stamp.is_file() and stamp.read_text() == archive_identity(archive):
        say(f"Reusing the Odoo source extracted in {destination}")
        return source_root(destination)
    if expected_sha256:
        actual = file_sha256(archive)
        if actual != expected_sha256.lower():
            raise BootstrapError(
                f"{archive} has sha256 {actual}, not the expected {expected_sha256}."
            )
    say(f"Extracting {archive.name} into {destination} (about half a minute)")
    # The staging folder sits beside the destination (one rename at the end): make its parent.
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".odoo-extract-", dir=destination.parent))
    try:
        unpack(archive, staging)
        root = source_root(staging)
        (root / SOURCE_STAMP).write_text(archive_identity(archive))
        shutil.rmtree(destination, ignore_errors=True)
        root.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return destination


def unpack(archive, target):
    try:
        if str(archive).lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(target)
        else:
            with tarfile.open(archive) as bundle:
                # The "data" filter (Python 3.10.12+) refuses links and paths out of the target.
                options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                bundle.extractall(target, **options)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
        raise BootstrapError(f"{archive} could not be extracted: {error}") from error


def download(url, target):
    say(f"Downloading Odoo 19.0 from {url}")
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            copy_with_progress(response, out, int(response.headers.get("Content-Length") or 0))
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        partial.unlink(missing_ok=True)
        reason = getattr(error, "reason", error)
        raise BootstrapError(
            f"Odoo 19.0 could not be downloaded from {url}: {reason}.\n"
            "  This machine may be offline. Point ODOO_SOURCE at a local copy of Odoo 19.0 "
            "(a source directory or a .tar.gz/.tar.xz/.zip archive), e.g.\n"
            "    ODOO_SOURCE=/path/to/odoo-19.0.tar.xz make test"
        ) from error
    partial.rename(target)
    return target


def copy_with_progress(response, out, total):
    copied, last_report = 0, time.monotonic()
    for block in iter(lambda: response.read(1 << 20), b""):
        out.write(block)
        copied += len(block)
        if time.monotonic() - last_report > 5:
            last_report = time.monotonic()
            size = f" of {total >> 20} MiB" if total else ""
            say(f"  {copied >> 20} MiB{size}")


def resolve_source(source, local_dir, download_url, expected_sha256=None):
    """The Odoo source directory to use, extracted or downloaded under local_dir when needed."""
    local_dir = Path(local_dir)
    extracted = local_dir / "odoo"
    if source:
        path = Path(source).expanduser()
        if path.is_dir():
            root = source_root(path)
        elif path.is_file() and is_archive(path):
            root = extract_archive(path, extracted, expected_sha256)
        else:
            raise BootstrapError(
                f"ODOO_SOURCE={source} is neither an Odoo source directory nor an archive "
                f"({', '.join(ARCHIVE_SUFFIXES)})."
            )
    else:
        downloads = local_dir / "downloads"
        downloads.mkdir(parents=True, exist_ok=True)
        archive = downloads / "odoo_19.0.tar.gz"
        if not archive.is_file():
            download(download_url, archive)
        root = extract_archive(archive, extracted, expected_sha256)
    major = odoo_major_version(root)
    if major != 19:
        raise BootstrapError(f"{root} holds Odoo {major}, not 19.")
    return Path(root).resolve()


# === INSTALLING IT === #


def ldap_headers_present(include_dirs=("/usr/include", "/usr/local/include")):
    return any(
        Path(d, "ldap.h").is_file() and Path(d, "sasl", "sasl.h").is_file() for d in include_dirs
    )


def requirement_name(line):
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return match.group(1).lower().replace("_", "-") if match else None


def filtered_requirements(lines, ldap_headers, pg_config):
    """Odoo's requirement lines this machine can install.

    python-ldap builds against the OpenLDAP and SASL headers and only auth_ldap uses it: left out
    without them. psycopg2 builds against libpq (pg_config): the binary wheel of the same version
    replaces it without.
    """
    kept = []
    for line in lines:
        name = requirement_name(line.split("#", 1)[0])
        if name is None:
            continue
        if name == "python-ldap" and not ldap_headers:
            continue
        if name == "psycopg2" and not pg_config:
            line = line.replace("psycopg2", "psycopg2-binary", 1)
        kept.append(line.rstrip("\n"))
    return kept


def install_requirements(python, root, local_dir):
    local_dir = Path(local_dir)
    logs = local_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    lines = (Path(root) / "requirements.txt").read_text(encoding="utf-8").splitlines()
    wanted = filtered_requirements(lines, ldap_headers_present(), shutil.which("pg_config"))
    if not wanted:
        return
    requirements = local_dir / "odoo-requirements.txt"
    requirements.write_text("\n".join(wanted) + "\n")
    constraints = local_dir / "pip-constraints.txt"
    constraints.write_text("\n".join(PIP_CONSTRAINTS) + "\n")
    log = logs / "pip-odoo.log"
    say(f"Installing Odoo's Python packages (a few minutes the first time; log: {log})")
    # PIP_CONSTRAINT reaches the isolated build environments too, where cbor2 needs it.
    env = {**os.environ, "PIP_CONSTRAINT": str(constraints)}
    command = [python, "-m", "pip", "install", "-r", str(requirements), *PIP_CONSTRAINTS]
    with open(log, "w") as out:
        result = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode:
        tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-15:])
        raise BootstrapError(f"pip could not install Odoo's requirements (log: {log}):\n{tail}")


def link_source(python, root):
    """A .pth file in the environment's site-packages names the source: importable, no build."""
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, PTH_NAME).write_text(f"{root}\n")


def bootstrap(python, local_dir, source, download_url, expected_sha256=None):
    if odoo_is_importable(python):
        return False
    say("Odoo 19 is not importable in the project's environment yet: installing it")
    root = resolve_source(source, local_dir, download_url, expected_sha256)
    install_requirements(python, root, local_dir)
    link_source(python, root)
    if not odoo_is_importable(python):
        raise BootstrapError(f"Odoo was installed from {root} but still does not import.")
    say(f"Odoo 19 is installed from {root}")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="the environment's interpreter")
    parser.add_argument("--local-dir", required=True)
    arguments = parser.parse_args(argv)
    try:
        bootstrap(
            arguments.python,
            arguments.local_dir,
            os.environ.get("ODOO_SOURCE"),
            os.environ.get("ODOO_DOWNLOAD_URL") or DEFAULT_DOWNLOAD_URL,
            os.environ.get("ODOO_SOURCE_SHA256"),
        )
    except BootstrapError as error:
        print(f"\nERROR: {error}\n", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

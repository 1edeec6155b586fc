"""The committed reference fixtures are exactly what the generators produce
with the pinned library versions: regenerate each one into a temporary folder
and compare. A fixture edited by hand, or one generated with other versions,
fails here. The generators pin numpy's and OpenBLAS's CPU code paths
(scripts/fixtures/common.py), so the comparison is exact on any x86-64
machine with AVX2, AVX-512 ones included."""

import glob
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GENERATORS = sorted(glob.glob(os.path.join(ROOT, "scripts", "fixtures", "gen_*.py")))


def test_there_are_generators():
    assert GENERATORS, "no fixture generators found in scripts/fixtures"


def _pinned():
    pins = {}
    with open(os.path.join(ROOT, "requirements-dev.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.split("#")[0].strip()
            if "==" in line:
                name, version = line.split("==")
                pins[name.strip()] = version.strip()
    return pins


@pytest.mark.parametrize("generator", GENERATORS, ids=os.path.basename)
def test_fixture_matches_generator(generator, tmp_path):
    area = os.path.basename(generator)[len("gen_") : -len(".py")]
    committed_path = os.path.join(ROOT, "abstat-core", "tests", "fixtures", f"{area}.json")
    assert os.path.exists(committed_path), f"{committed_path} missing: run {generator}"
    subprocess.run([sys.executable, generator, "--out", str(tmp_path)], check=True, cwd=ROOT)
    with open(committed_path, encoding="utf-8") as f:
        committed = json.load(f)
    with open(tmp_path / f"{area}.json", encoding="utf-8") as f:
        fresh = json.load(f)
    pins = _pinned()
    for lib in ("numpy", "scipy", "statsmodels", "scikit-learn"):
        assert committed["versions"][lib] == pins[lib], f"{area}.json was made with {lib} {committed['versions'][lib]}, pinned is {pins[lib]}"
    assert committed["cases"] == fresh["cases"], f"{area}.json differs from what {generator} produces now"

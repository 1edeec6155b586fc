"""The committed abstat-io corpus is what scripts/make_io_corpus.py makes:
regenerate it into a temporary folder and compare. Text files and
expected.json must be byte-identical; binary files (whose writers embed
their own version strings and timestamps) must hold the same table."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "abstat-io", "tests", "corpus")
SCRIPT = os.path.join(ROOT, "scripts", "make_io_corpus.py")
TEXT = (".csv", ".tsv", ".txt", ".json", ".jsonl")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    # pinned in requirements-dev.txt: a missing one is a failure, not a skip
    import openpyxl  # noqa: F401
    import pyarrow  # noqa: F401

    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, SCRIPT, str(out)], check=True, cwd=ROOT)
    return out


def test_same_files(fresh):
    assert sorted(os.listdir(CORPUS)) == sorted(os.listdir(fresh))


@pytest.mark.parametrize("name", sorted(n for n in os.listdir(CORPUS) if n.endswith(TEXT)))
def test_text_files_are_byte_identical(fresh, name):
    with open(os.path.join(CORPUS, name), "rb") as a, open(fresh / name, "rb") as b:
        assert a.read() == b.read(), f"{name} differs from what make_io_corpus.py writes"


@pytest.mark.parametrize("name", ["basic.parquet", "basic.arrow", "basic.arrows", "basic.feather"])
def test_arrow_files_hold_the_same_table(fresh, name):
    import pyarrow.feather as feather
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    def load(path):
        if name.endswith(".parquet"):
            return pq.read_table(path)
        if name.endswith(".arrows"):
            return ipc.open_stream(path).read_all()
        return feather.read_table(path)

    assert load(os.path.join(CORPUS, name)).equals(load(fresh / name))


@pytest.mark.parametrize("name", ["basic.xlsx", "basic.ods", "basic.xls"])
def test_spreadsheets_hold_the_same_sheet(fresh, name):
    import pandas as pd

    engine = {"ods": "odf", "xls": "xlrd"}.get(name.rsplit(".", 1)[1])
    a = pd.read_excel(os.path.join(CORPUS, name), engine=engine)
    b = pd.read_excel(fresh / name, engine=engine)
    pd.testing.assert_frame_equal(a, b)

"""Exports written by abstat-io (abstat-io/tests/export.rs, which leaves its
files in ABSTAT_EXPORT_DIR) read by pandas and openpyxl: the same table as
pandas reads from the source file, and the original labels as headers."""

import csv
import os
import shutil
import subprocess

import pandas as pd
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ROOT = os.path.dirname(ROOT)
CORPUS = os.path.join(ROOT, "abstat-io", "tests", "corpus")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    cargo = shutil.which("cargo")
    assert cargo, "cargo is needed to produce the exports"
    out = tmp_path_factory.mktemp("export")
    env = dict(os.environ, ABSTAT_EXPORT_DIR=str(out))
    subprocess.run([cargo, "test", "-q", "-p", "abstat-io", "--test", "export"], check=True, cwd=ROOT, env=env)
    return out


def source():
    return pd.read_csv(os.path.join(CORPUS, "basic.csv"), parse_dates=["day", "ts"])


@pytest.mark.parametrize(
    "name,sep,encoding",
    [
        ("basic_44.csv", ",", "utf-8"),
        ("basic_59_bom.csv", ";", "utf-8-sig"),
        ("basic_9.csv", "\t", "utf-8"),
        ("basic_124_bom.csv", "|", "utf-8-sig"),
    ],
)
def test_csv_reads_back_in_pandas(exported, name, sep, encoding):
    got = pd.read_csv(exported / name, sep=sep, encoding=encoding, parse_dates=["day", "ts"])
    pd.testing.assert_frame_equal(got, source())


def test_bom_is_there_for_excel(exported):
    assert (exported / "basic_59_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (exported / "basic_44.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_parquet_reads_back_in_pandas(exported):
    got = pd.read_parquet(exported / "basic_44.parquet")
    want = source()
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_series_equal(got["price"], want["price"])
    pd.testing.assert_series_equal(got["id"], want["id"])
    assert got["city"].tolist() == want["city"].where(want["city"].notna(), None).tolist()
    assert [d.isoformat() if d is not None else None for d in got["day"]] == [
        None if pd.isna(d) else d.date().isoformat() for d in want["day"]
    ]


def test_xlsx_reads_back_in_openpyxl_and_pandas(exported):
    import openpyxl

    wb = openpyxl.load_workbook(exported / "basic_44.xlsx")
    ws = wb.active
    assert ws.title == "data"
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header == list(source().columns)
    got = pd.read_excel(exported / "basic_44.xlsx", engine="openpyxl")
    want = source()
    pd.testing.assert_series_equal(got["price"], want["price"])
    pd.testing.assert_series_equal(got["id"], want["id"])
    assert got["day"].tolist() == want["day"].tolist()
    assert got["ts"].tolist() == want["ts"].tolist()
    # pandas turns a boolean column with gaps into floats; the cells are
    # real booleans, as openpyxl shows.
    col = header.index("flag")
    cells = [r[col].value for r in ws.iter_rows(min_row=2)]
    assert cells == [None if pd.isna(v) else bool(v) for v in want["flag"]]


def test_original_labels_are_the_headers(exported):
    with open(os.path.join(CORPUS, "hostile_names.csv"), encoding="utf-8", newline="") as f:
        labels = next(csv.reader(f))
    with open(exported / "hostile_names_44.csv", encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == labels
    header = [c.value for c in next(__import__("openpyxl").load_workbook(exported / "hostile_names_44.xlsx").active.iter_rows(max_row=1))]
    assert [h if h is not None else "" for h in header] == labels

"""Write abstat-io's test corpus into the folder given on the command line.

    python scripts/make_io_corpus.py abstat-io/tests/corpus

Every file a user really sends: each format, cp1251 with semicolons and
decimal commas, UTF-8 with BOM, UTF-16, ragged rows, hostile column names,
an XLSX zip bomb, empty and header-only files, null spellings. Alongside
the data it writes `expected.json`: the values each file holds (taken from
the Python data that produced it, not from any reader) and, for the
profile checks, pandas' describe()/nunique()/duplicated() of the profile
file.

The corpus is small (about 200 KB) and committed, so the Rust tests need
neither Python nor pyarrow/openpyxl at test time; re-running this script
must reproduce the text files byte for byte (the binary writers embed
their version, so only their values are compared).

Needs pandas, pyarrow, openpyxl, xlwt, odfpy (requirements-dev.txt).
"""

import datetime as dt
import io
import json
import math
import os
import sys
import zipfile

# pins numpy's and OpenBLAS's code paths, so that any AVX2 machine writes the
# same expected.json (see scripts/fixtures/common.py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
import common  # noqa: E402, F401
import numpy as np  # noqa: E402
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

# The shared table: one column of each inferred type, with nulls.
BASIC = {
    "id": [1, 2, 3, 4, 5, 6, 7, 8],
    "price": [1.5, 2.25, None, -3.0, 1e6, 0.125, 7.0, 8.5],
    "flag": [True, False, True, None, False, True, False, True],
    "day": ["2024-01-01", "2024-01-02", None, "2024-02-29", "2023-12-31",
            "2024-03-01", "2024-03-02", "2024-03-03"],
    "ts": ["2024-01-01 10:00:00", "2024-01-01 10:30:15", "2024-01-02 00:00:00", None,
           "2024-01-03 23:59:59", "2024-01-04 12:00:00", "2024-01-05 08:15:00",
           "2024-01-06 09:00:00"],
    "city": ["Moscow", "Kazan", "", "Tver", "Omsk", "Perm", "Sochi, RU", "Ufa \"centre\""],
}
BASIC_TYPES = {"id": "Integer", "price": "Float", "flag": "Boolean", "day": "Date",
               "ts": "Datetime", "city": "String"}
# The empty city is read as null (the "" null spelling).
BASIC_CITY_READ = ["Moscow", "Kazan", None, "Tver", "Omsk", "Perm", "Sochi, RU", "Ufa \"centre\""]


def csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    s = str(v)
    if any(c in s for c in ',"\n'):
        s = '"' + s.replace('"', '""') + '"'
    return s


def basic_csv(sep=","):
    cols = list(BASIC)
    lines = [sep.join(cols)]
    for i in range(len(BASIC["id"])):
        lines.append(sep.join(csv_cell(BASIC[c][i]) for c in cols))
    return "\n".join(lines) + "\n"


def arrow_table():
    return pa.table({
        "id": pa.array(BASIC["id"], pa.int64()),
        "price": pa.array(BASIC["price"], pa.float64()),
        "flag": pa.array(BASIC["flag"], pa.bool_()),
        "day": pa.array([None if d is None else dt.date.fromisoformat(d) for d in BASIC["day"]],
                        pa.date32()),
        "ts": pa.array([None if t is None else dt.datetime.fromisoformat(t) for t in BASIC["ts"]],
                       pa.timestamp("us")),
        "city": pa.array(BASIC_CITY_READ, pa.string()),
    })


# Russian sales in cp1251: semicolons, decimal commas, a space as the
# thousands separator, DD.MM.YYYY dates.
RU_HEADER = ["Город", "Выручка, ₽", "Количество", "Дата"]
RU_ROWS = [
    ["Москва", "1 234,50", "3", "01.02.2024"],
    ["Санкт-Петербург", "987,25", "12", "02.02.2024"],
    ["Казань", "-15,75", "", "03.02.2024"],
    ["Тверь", "0,5", "7", "NA"],
]
# Keyed by the safe names the reader gives the headers.
RU_VALUES = {"Gorod": ["Москва", "Санкт-Петербург", "Казань", "Тверь"],
             "Vyruchka_rub": [1234.5, 987.25, -15.75, 0.5],
             "Kolichestvo": [3, 12, None, 7],
             "Data": ["2024-02-01", "2024-02-02", "2024-02-03", None]}


def ru_text():
    # "₽" is not in cp1251; users' files write "руб." instead.
    header = [h.replace("₽", "руб.") for h in RU_HEADER]
    return "\r\n".join(";".join(r) for r in [header] + RU_ROWS) + "\r\n"


HOSTILE = ["id", "id", "", "a\"b`c", "line\nbreak", "💰 revenue", "1st", "x'; DROP TABLE t;--",
           "Выручка", "ID"]
HOSTILE_SAFE = ["id", "id_2", "column_3", "a_b_c", "line_break", "revenue", "c_1st",
                "x_DROP_TABLE_t", "Vyruchka", "ID_3"]


def hostile_csv():
    head = ",".join(csv_cell(h) if h else "" for h in HOSTILE)
    return head + "\n" + ",".join(str(i) for i in range(len(HOSTILE))) + "\n"


# Line numbers are of the row's first line; line 4 holds a quoted field
# with a line break, so the row after it starts on line 6.
RAGGED = (
    "a,b,c\n"
    "1,2,3\n"
    "4,5\n"            # line 3: too few
    "6,\"x\ny\",8\n"   # lines 4-5: fine, multi-line quoted field
    "9,10,11,12\n"     # line 6: too many
    "13,14,15\n"
)
RAGGED_BAD_LINES = [3, 6]

NULLS = "k,v\n" + "".join(f"{i},{s}\n" for i, s in enumerate(
    ["", "NA", "N/A", "null", "NULL", "NaN", "-", "1.5"]))


def profile_frame():
    rng = np.random.default_rng(20240601)
    n = 2000
    x = rng.normal(10.0, 3.0, n).round(3)
    x[rng.choice(n, 50, replace=False)] = np.nan
    k = rng.integers(0, 40, n)
    g = rng.choice(["control", "treatment", "holdout"], n, p=[0.5, 0.4, 0.1])
    u = np.array([f"user{int(i)}" for i in rng.integers(0, 1500, n)])
    df = pd.DataFrame({"x": x, "k": k, "g": g, "u": u})
    df = pd.concat([df, df.iloc[:37]], ignore_index=True)  # 37 duplicate rows
    return df


def profile_expected(df):
    out = {"rows": len(df), "duplicate_rows": int(df.duplicated().sum()), "columns": {}}
    for c in df.columns:
        s = df[c]
        col = {"count": int(s.count()), "nulls": int(s.isna().sum()), "distinct": int(s.nunique())}
        if pd.api.types.is_numeric_dtype(s):
            d = s.describe()
            for key in ["mean", "std", "min", "25%", "50%", "75%", "max"]:
                col[key] = float(d[key])
        else:
            # most frequent first, ties by value: value_counts leaves the
            # order of ties to the sort numpy dispatches to on this CPU
            vc = sorted(s.value_counts().items(), key=lambda t: (-t[1], str(t[0])))
            col["top"] = [[str(v), int(n)] for v, n in vc[:3]]
        out["columns"][c] = col
    return out


def zip_bomb(path):
    """A real XLSX whose sheet XML is padded with 30 MB of spaces: a
    1000:1 ratio that calamine would inflate in memory."""
    buf = io.BytesIO()
    pd.DataFrame({"a": [1]}).to_excel(buf, index=False)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (30 << 20), 1)
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(zi, data, compresslevel=9)


def lying_bomb(src, path):
    """The bomb with its sheet's declared uncompressed size patched to 1000
    bytes in both the local header and the central directory, so only
    inflating it shows its real size."""
    data = bytearray(open(src, "rb").read())
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while True:
            pos = data.find(sig, pos)
            if pos < 0:
                break
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[pos + size_at:pos + size_at + 4] = (1000).to_bytes(4, "little")
            pos += 4
    with open(path, "wb") as f:
        f.write(bytes(data))


def write_text(out, name, text, encoding="utf-8", bom=b""):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bom + text.encode(encoding))


def main(out):
    os.makedirs(out, exist_ok=True)
    write_text(out, "basic.csv", basic_csv())
    write_text(out, "basic_bom.csv", basic_csv(), bom=b"\xef\xbb\xbf")
    write_text(out, "basic_utf16le.csv", basic_csv(), "utf-16-le", b"\xff\xfe")
    write_text(out, "basic_utf16be.tsv", basic_csv("\t"), "utf-16-be", b"\xfe\xff")
    write_text(out, "basic_pipe.txt", basic_csv("|"))
    write_text(out, "sales_cp1251.csv", ru_text(), "cp1251")
    write_text(out, "hostile_names.csv", hostile_csv())
    write_text(out, "ragged.csv", RAGGED)
    write_text(out, "nulls.csv", NULLS)
    write_text(out, "empty.csv", "")
    write_text(out, "header_only.csv", "a;b;c\n")
    write_text(out, "no_header.csv", "1,2.5,x\n3,4.5,y\n5,6.5,z\n")
    df = profile_frame()
    df.to_csv(os.path.join(out, "profile.csv"), index=False, lineterminator="\n")

    table = arrow_table()
    pq.write_table(table, os.path.join(out, "basic.parquet"), compression="zstd")
    # pyarrow's and pandas' default codec, and the other common ones
    for codec in ("snappy", "gzip", "lz4"):
        pq.write_table(table, os.path.join(out, f"basic_{codec}.parquet"), compression=codec)
    with ipc.new_file(os.path.join(out, "basic.arrow"), table.schema) as w:
        w.write_table(table)
    with ipc.new_stream(os.path.join(out, "basic.arrows"), table.schema) as w:
        w.write_table(table)
    feather.write_feather(table, os.path.join(out, "basic.feather"), compression="uncompressed")
    rows = [{k: BASIC[k][i] if k != "city" else BASIC_CITY_READ[i] for k in BASIC}
            for i in range(len(BASIC["id"]))]
    write_text(out, "basic.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    write_text(out, "basic_array.json", json.dumps(rows, ensure_ascii=False, indent=1))

    pdf = pd.DataFrame({
        "id": BASIC["id"], "price": BASIC["price"], "flag": BASIC["flag"],
        "day": [None if d is None else dt.datetime.fromisoformat(d) for d in BASIC["day"]],
        "city": BASIC_CITY_READ,
    })
    with pd.ExcelWriter(os.path.join(out, "basic.xlsx"), engine="openpyxl") as w:
        pdf.to_excel(w, sheet_name="Data", index=False)
        pd.DataFrame({"note": ["second sheet"]}).to_excel(w, sheet_name="Notes", index=False)
    pdf.to_excel(os.path.join(out, "basic.ods"), engine="odf", index=False)
    write_xls(os.path.join(out, "basic.xls"), pdf)
    zip_bomb(os.path.join(out, "bomb.xlsx"))
    lying_bomb(os.path.join(out, "bomb.xlsx"), os.path.join(out, "bomb_lying.xlsx"))

    expected = {
        "basic": {"types": BASIC_TYPES, "values": {**BASIC, "city": BASIC_CITY_READ}},
        "sales_cp1251": {"values": RU_VALUES},
        "hostile": {"originals": HOSTILE, "safe": HOSTILE_SAFE},
        "ragged_bad_lines": RAGGED_BAD_LINES,
        "profile": profile_expected(df),
    }
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


def write_xls(path, pdf):
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Data")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for j, c in enumerate(pdf.columns):
        ws.write(0, j, c)
    for i, row in enumerate(pdf.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
                continue
            if isinstance(v, (pd.Timestamp, dt.datetime)):
                ws.write(i, j, v.to_pydatetime() if hasattr(v, "to_pydatetime") else v, date_style)
            elif isinstance(v, (bool, np.bool_)):
                ws.write(i, j, bool(v))
            elif isinstance(v, (int, np.integer)):
                ws.write(i, j, int(v))
            else:
                ws.write(i, j, v)
    wb.save(path)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_io_corpus.py OUTDIR")
    main(sys.argv[1])

"""Read data files into pyarrow Tables with abstat's readers (the same
ones the server and bot use): encoding, delimiter, header and decimal comma
detected for CSV/TSV; Parquet; XLSX/XLS/ODS (first sheet, or ``sheet``).
Column names become safe identifiers; the original name is kept in each
field's metadata under ``abstat:label``."""

from __future__ import annotations

import os

from abstat import _abstat

__all__ = ["read_csv", "read_excel", "read_parquet", "read_file"]


def read_file(path, *, format=None, sheet=None, delimiter=None, encoding=None):
    """Read ``path`` in whatever format it is (detected from its first
    bytes and name) into a ``pyarrow.Table``."""
    return _abstat.read_table(os.fspath(path), format, sheet, delimiter, encoding)


def read_csv(path, *, delimiter=None, encoding=None):
    """Read a CSV/TSV file; ``delimiter`` and ``encoding`` (a WHATWG label
    such as 'windows-1251') are detected when None."""
    return read_file(path, format="csv", delimiter=delimiter, encoding=encoding)


def read_excel(path, *, sheet=None):
    """Read the first sheet (or ``sheet``) of an XLSX, XLS or ODS file."""
    return read_file(path, sheet=sheet)


def read_parquet(path):
    """Read a Parquet file."""
    return read_file(path, format="parquet")

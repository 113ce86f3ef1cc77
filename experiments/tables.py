"""CSV files in and out: one reader with plain-language errors, one numeric check, one safe writer.

Used for the visitor's own data and for saved results, so both say the same thing about the same mistake,
and no raw parser text ("C error", "UnicodeDecodeError") ever reaches a person.
"""
import csv
import io
import re

import numpy as np
import pandas as pd

from .numbers import MAX_WHOLE

SEPARATORS = ",;\t|"
SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "'|'"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(data, what):
    """The text of a CSV given as bytes, a path or a file object; ValueError in plain words if it is not."""
    if isinstance(data, str):
        if "\n" in data or len(data) > 4096:
            raise ValueError(f"{what} must be a path or the file's bytes; got text that looks like a CSV's "
                             "content (pass it as bytes: text.encode()).")
        try:
            with open(data, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise ValueError(f"cannot read {what} at {data!r}: {error.strerror or error}.") from None
    elif hasattr(data, "read"):
        data = data.read()
    if isinstance(data, str):
        return data
    if not isinstance(data, (bytes, bytearray)):
        raise ValueError(f"{what} must be a path, bytes or a file object; got {type(data).__name__}.")
    if b"\x00" in data[:4096]:
        raise ValueError(f"{what} is not a text file (it looks binary); save it as CSV (comma-separated text).")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return bytes(data).decode("cp1252")
        except UnicodeDecodeError:
            raise ValueError(f"{what} is not readable text; save it as CSV in UTF-8.") from None


def detect_separator(text):
    """The separator the first lines use most consistently (comma, semicolon, tab or '|'); if none is
    consistent (ragged rows), the one the header uses most; comma if unsure."""
    lines = text.splitlines()[:20]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=SEPARATORS).delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        return max(SEPARATORS, key=header.count) if any(map(header.count, SEPARATORS)) else ","


def read_csv(data, what="the file", nrows=None, **options):
    """A DataFrame from a CSV (bytes, path or file object). The separator is detected; every problem is a
    ValueError that says what is wrong and where, in words a visitor can act on."""
    text = _text(data, what)
    if not text.strip():
        raise ValueError(f"{what} is empty.")
    separator = detect_separator(text)
    _check_row_lengths(text, separator, what, nrows)
    try:
        if separator == ";" and "decimal" not in options:  # semicolon files usually write 0,5 for 0.5
            options = {**options, "decimal": ","}
        frame = pd.read_csv(io.StringIO(text), sep=separator, nrows=nrows, skipinitialspace=True, **options)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{what} is empty.") from None
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found:
            expected, line, saw = found.groups()
            raise ValueError(f"{what}: line {line} has {saw} values but the header has {expected} columns; "
                             "every row needs one value per column.") from None
        raise ValueError(f"{what} is not a well-formed CSV table (check quotes and separators).") from None
    except (ValueError, OverflowError, MemoryError):
        raise ValueError(f"{what} is not a well-formed CSV table.") from None
    if separator != ",":
        frame.attrs["separator"] = SEPARATOR_NAMES[separator]
    return frame


def _check_row_lengths(text, separator, what, nrows=None):
    """Every row must have as many values as the header: pandas would read a separator at the end of every
    row, or an unquoted "Paris, France" in every row, as an index column and shift the others."""
    header, longer, extra_empty = None, None, True
    try:
        for line, count, last_empty in _row_lengths(text, separator, nrows):
            if header is None:
                header = count
                continue
            if count != header and longer is None:
                longer = (line, count)
            extra_empty = extra_empty and count == header + 1 and last_empty
    except csv.Error:  # a quote never closed: left to pandas, which names it
        return
    if longer is None:
        return
    line, count = longer
    name = "a tab" if separator == "\t" else f"'{separator}'"
    hint = (f" (every row ends with an extra {name}; remove it)" if extra_empty else
            f" (a value holding {name} must be in double quotes, like \"Paris, France\")" if count > header else "")
    raise ValueError(f"{what}: line {line} has {count} values but the header has {header} columns{hint}; every row "
                     "needs one value per column.")


def _row_lengths(text, separator, nrows=None):
    """(line number, number of values, whether the last is empty) of each line that is not blank, up to the
    header and ``nrows`` rows. Without quotes a line's values are its separators plus one (counted at C
    speed); with quotes, the csv module reads them as pandas does."""
    if '"' not in text:
        lines = text.split("\n", -1 if nrows is None else nrows + 2)[:None if nrows is None else nrows + 2]
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield number, line.count(separator) + 1, not line.rsplit(separator, 1)[-1].strip()
        return
    rows = csv.reader(io.StringIO(text), delimiter=separator, skipinitialspace=True)
    for row in rows:
        if row and row != [""]:  # a blank line: pandas skips it too
            yield rows.line_num, len(row), not row[-1].strip()
            if nrows is not None and rows.line_num > nrows + 1:
                return


def numeric_column(frame, column, what, integer=False, allow_empty=True, hint=""):
    """``frame[column]`` as numbers; ValueError naming the first cell that is not one (row numbers as in a
    spreadsheet: the header is row 1). ``what`` names the file, ``hint`` ends the message."""
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{what} column {column!r} must hold numbers; row {row + 2} has {_cell(raw.iloc[row])}"
                         f"{hint}.")
    empty = values.isna()
    if empty.any() and not allow_empty:
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise ValueError(f"{what} column {column!r} has {int(empty.sum())} empty cell(s) (first in row {row + 2}); "
                         "fill or remove them.")
    if integer:
        finite = values[~empty]
        if not np.isfinite(finite).all() or (finite != finite.round()).any():
            raise ValueError(f"{what} column {column!r} must hold whole numbers.")
        huge = np.abs(values.to_numpy(dtype=float)) > MAX_WHOLE  # would wrap round as int64: 1e30 -> -9.2e18
        if huge.any():
            row = int(np.flatnonzero(huge)[0])
            raise ValueError(f"{what} column {column!r} must hold whole numbers up to {MAX_WHOLE}; row {row + 2} has "
                             f"{values.iloc[row]:g}.")
        return values.astype(np.int64) if not empty.any() else values
    return values


def _cell(value, limit=40):
    """A cell's value for a message: quoted, and cut if long."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _safe_text(value):
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def spreadsheet_safe(frame):
    """A copy in which text cells and column names that a spreadsheet would run as a formula (=, +, -, @
    first) start with an apostrophe, as OWASP advises for CSV export; numbers are left alone."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = [_safe_text(value) for value in safe[column]]
    safe.columns = [_safe_text(column) for column in safe.columns]
    return safe


def to_csv_text(frame):
    return spreadsheet_safe(frame).to_csv(index=False)


def write_csv(frame, path):
    with open(path, "w", newline="") as handle:
        handle.write(to_csv_text(frame))

"""The module gives what the CLI gives.

`fanwen scan --out DIR CORPUS` and `fanwen.scan_paths([CORPUS]).write(DIR2)`
write the same seven CSVs byte for byte, and summary.json the same apart
from its timings; and the tables the module returns (as NumPy arrays and as
tuples) hold the CSVs' rows: ids, counts, and every ratio to the CSV's six
decimals. Two corpora, the demo one (plain files and a JSONL shard) and the
generated one (passages and reuse), with the defaults and with options
given both ways (boilerplate, template mode, OPH, a memory limit, the
passage level and verification off).
"""
import csv
import json
import math
import os
import subprocess
from pathlib import Path

import pytest

import fanwen

REPO = Path(__file__).resolve().parents[2]

CSVS = ["pairs.csv", "clusters.csv", "docs.csv", "passages.csv", "reuse.csv",
        "spans.csv", "boilerplate.csv"]
# corpus, CLI options, the same as keywords
RUNS = [
    ("corpus/docs", [], {}),
    ("corpus/generated/docs", [], {}),
    ("corpus/generated/docs",
     ["--boilerplate-docs", "3", "--threshold", "0.5", "--template", "--sketch", "oph"],
     {"boilerplate_docs": 3, "threshold": 0.5, "template": True, "sketch": "oph"}),
    ("corpus/generated/docs", ["--memory-limit", "64M", "-j", "1"],
     {"memory_limit": 64 << 20, "threads": 1}),
    ("corpus/docs", ["--no-passages", "--no-verify"], {"passages": False, "verify": False}),
]


@pytest.fixture(scope="module", params=RUNS, ids=lambda r: " ".join([r[0]] + r[1]))
def reports(request, cli, tmp_path_factory):
    """Both reports of one run, and the module's Result (ids are relative
    to the argument, so both run in the repository root)."""
    corpus, args, options = request.param
    out = tmp_path_factory.mktemp("reports")
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        done = subprocess.run([cli, "scan", "-q", *args, "--out", str(out / "cli"), corpus],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        result = fanwen.scan_paths([corpus], **options)
        result.write(out / "py")
    finally:
        os.chdir(cwd)
    yield out / "cli", out / "py", result
    result.close()


@pytest.mark.parametrize("name", CSVS)
def test_csv_bytes_equal(reports, name):
    cli_dir, py_dir, _ = reports
    if not (cli_dir / name).exists():  # the passage reports, with passages off
        assert not (py_dir / name).exists()
        return
    assert (py_dir / name).read_bytes() == (cli_dir / name).read_bytes()


def test_summary_equal_but_timings(reports):
    cli_dir, py_dir, _ = reports

    def load(d):
        summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
        summary.pop("stages")  # seconds and peak memory
        return summary

    assert load(py_dir) == load(cli_dir)


def csv_rows(path):
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def as_csv(value):
    """A value as report.c prints it: ratios with six decimals, what was
    not computed (None; in arrays NaN, and -1 for the passage count with
    passages off) as an empty field."""
    if value is None or value == -1 or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return "%.6f" % value
    return str(value)


def table_rows(table):
    rows = table.tolist() if hasattr(table, "tolist") else table
    return [[as_csv(v) for v in row] for row in rows]


TABLES = {"pairs.csv": "pairs", "clusters.csv": "clusters", "docs.csv": "documents",
          "passages.csv": "passages", "reuse.csv": "reuse", "spans.csv": "spans",
          "boilerplate.csv": "boilerplate"}


@pytest.mark.parametrize("name", CSVS)
def test_tables_equal_csv_rows(reports, mode, name):
    cli_dir, _, result = reports
    if not (cli_dir / name).exists():
        assert len(getattr(result, TABLES[name])) == 0
        return
    header, rows = csv_rows(cli_dir / name)
    table = getattr(result, TABLES[name])
    if mode == "numpy":
        assert list(table.dtype.names) == header
    else:
        assert all(isinstance(row, tuple) for row in table)
        assert table == [] or list(table[0]._fields) == header
    assert table_rows(table) == rows


def test_not_an_empty_comparison(reports):
    _, _, result = reports
    assert len(result.pairs) >= 4
    assert len(result.clusters) >= 8
    if result.options["passages"]:
        assert len(result.passages) > 0 and len(result.reuse) > 0 and len(result.spans) > 0
    kinds = [row[0] for row in result.boilerplate.tolist()] if fanwen._np is not None \
        else [row.kind for row in result.boilerplate]
    assert set(kinds) <= {"line", "passage"}
    if result.options["boilerplate_docs"] == 3:  # the sites' short lines, and passages
        assert set(kinds) == {"line", "passage"}


def test_spans_equal_csv_rows(reports, mode):
    """spans.csv field by field: ids, byte offsets and counts exactly (as
    ints), similarity to the CSV's six decimals."""
    cli_dir, _, result = reports
    if not (cli_dir / "spans.csv").exists():
        assert len(result.spans) == 0
        return
    header, rows = csv_rows(cli_dir / "spans.csv")
    assert header == list(fanwen.Span._fields)
    spans = result.spans.tolist() if mode == "numpy" else result.spans
    assert len(spans) == len(rows)
    for span, row in zip(spans, rows):
        assert [span[0], span[3]] == [row[0], row[3]]
        ints = [span[i] for i in (1, 2, 4, 5, 6, 7, 8)]
        assert all(type(v) is int for v in ints)
        assert ints == [int(row[i]) for i in (1, 2, 4, 5, 6, 7, 8)]
        assert "%.6f" % span[9] == row[9]
        assert span[1] < span[2] and span[4] < span[5] and span[8] <= min(span[6], span[7])

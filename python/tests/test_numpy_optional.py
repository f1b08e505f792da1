"""NumPy is optional: the module imports and works in a Python where numpy
cannot be imported, and FANWEN_NO_NUMPY=1 turns it off; the two forms of
every result hold the same values."""
import math
import os
import subprocess
import sys

import pytest

import cjk
import fanwen

SCRIPT = r"""
import sys
sys.path.insert(0, sys.argv[1])
import fanwen
assert fanwen._np is None
r = fanwen.scan({"a": "\u4e00\u4e01\u4e02\u4e03\u4e04\u4e05" * 9, "b": "\u4e00\u4e01\u4e02\u4e03\u4e04\u4e05" * 9})
assert r.pairs == [fanwen.Pair("a", "b", 1.0, 1.0, 1.0, 1.0)], r.pairs
assert r.clusters == [("a", "a", 2), ("a", "b", 2)]
sig = fanwen.Sketcher().minhash(["\u4e00\u4e01\u4e02\u4e03\u4e04\u4e05"])
assert type(sig) is list and sig[0].typecode == "I"
m = fanwen.MinHash.from_text("\u4e00\u4e01\u4e02\u4e03\u4e04\u4e05")
assert list(m.hashvalues) == list(sig[0])
print("ok")
"""


def run(build_lib, env_extra=None, block_numpy=False):
    code = ("import sys; sys.modules['numpy'] = None\n" if block_numpy else "") + SCRIPT
    env = dict(os.environ, **(env_extra or {}))
    done = subprocess.run([sys.executable, "-c", code, build_lib], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_works_where_numpy_cannot_be_imported(build_lib):
    run(build_lib, block_numpy=True)


def test_fanwen_no_numpy_turns_it_off(build_lib):
    run(build_lib, {"FANWEN_NO_NUMPY": "1"})


def same(a, b):
    """An array value and a tuple value: NaN, and -1 for the passages
    count with passages off, are None in tuples."""
    if b is None:
        return a is None or a == -1 or (isinstance(a, float) and math.isnan(a))
    return a == b


def test_both_forms_hold_the_same_values(monkeypatch):
    numpy = pytest.importorskip("numpy")
    rng = cjk.rng(8)
    base = [cjk.text(rng, 400) for _ in range(5)]
    docs = {"%d" % i: t for i, t in enumerate(base + [cjk.substitute(rng, t, 2) for t in base])}
    tables = ["documents", "pairs", "clusters", "passages", "reuse", "spans", "boilerplate"]
    for options in [{}, {"verify": False, "passages": False}]:
        monkeypatch.setattr(fanwen, "_np", numpy)
        result = fanwen.scan(docs, **options)
        arrays = {name: getattr(result, name) for name in tables}
        monkeypatch.setattr(fanwen, "_np", None)
        tuples = {name: getattr(result, name) for name in tables}
        for name in tables:
            assert type(arrays[name]) is numpy.ndarray and type(tuples[name]) is list
            rows_a = arrays[name].tolist()
            rows_t = tuples[name]
            assert len(rows_a) == len(rows_t)
            for ra, rt in zip(rows_a, rows_t):
                assert all(same(a, t) for a, t in zip(ra, rt)), (name, ra, rt)
        assert len(tuples["pairs"]) == 5

"""Sketcher and MinHash.

Sketcher: the same rows at any thread count, the same as
MinHash.from_text, 1.0 for identical texts, and the same as a MinHash fed
the text's packed n-grams through update() (which checks that update()
hashes with the shingles' own XXH3 and seed). MinHash: datasketch's
semantics (merge is the union, update_batch is updates, jaccard near the
true one), its checks (num_perm and seed must match), copies and pickling,
and to_datasketch() with and without datasketch. The GIL is released while
sketching.
"""
import pickle
import sys
import threading
import time
import types
from array import array

import pytest

import cjk
import fanwen

RNG = cjk.rng(11)
TEXTS = [cjk.text(RNG, RNG.randint(0, 600)) for _ in range(300)] + ["", "短", "五个字符啊"]


def rows(matrix):
    return [list(r) for r in matrix]


def test_same_rows_at_every_thread_count(mode):
    want = rows(fanwen.Sketcher(threads=1).minhash(TEXTS))
    for threads in (2, 3, 8):
        assert rows(fanwen.Sketcher(threads=threads).minhash(TEXTS)) == want


def test_shape_and_type(mode):
    sigs = fanwen.Sketcher(perms=64).minhash(TEXTS)
    assert len(sigs) == len(TEXTS)
    if mode == "numpy":
        assert sigs.shape == (len(TEXTS), 64) and sigs.dtype.name == "uint32"
    else:
        assert all(isinstance(r, array) and r.typecode == "I" and len(r) == 64 for r in sigs)
    assert len(fanwen.Sketcher().minhash([])) == 0


@pytest.mark.parametrize("options", [{}, {"seed": 3, "perms": 200, "ngram": 3},
                                     {"template": True}])
def test_from_text_is_the_sketchers_row(options):
    sk = fanwen.Sketcher(**options)
    sigs = sk.minhash(TEXTS[:20])
    kw = {"num_perm": options.get("perms", 128), "seed": options.get("seed", 0),
          "ngram": options.get("ngram", 5), "template": options.get("template", False)}
    for text, sig in zip(TEXTS[:20], sigs):
        assert list(fanwen.MinHash.from_text(text, **kw).hashvalues) == list(sig)


def test_identical_texts_estimate_one():
    sigs = fanwen.Sketcher().minhash([TEXTS[0], TEXTS[0], TEXTS[0].encode("utf-8")])
    assert fanwen.estimate(sigs[0], sigs[1]) == 1.0
    assert fanwen.Sketcher.jaccard_estimate(sigs[0], sigs[2]) == 1.0
    assert fanwen.estimate(sigs[0], fanwen.Sketcher().minhash([TEXTS[1]])[0]) < 0.1


def test_empty_text_is_all_max():
    assert list(fanwen.Sketcher(perms=8).minhash([""])[0]) == [0xFFFFFFFF] * 8


def test_normalization_applies():
    """Full-width, spaced and punctuated forms are the same text."""
    sigs = fanwen.Sketcher().minhash(["ＡＢＣ，中文 文本。", "abc中文文本"])
    assert list(sigs[0]) == list(sigs[1])


@pytest.mark.parametrize("seed", [0, 12345])
def test_update_with_packed_ngrams_is_the_scans_signature(seed):
    text = TEXTS[5]
    m = fanwen.MinHash(num_perm=128, seed=seed)
    m.update_batch(cjk.packed(g) for g in cjk.shingles(text))
    assert m == fanwen.MinHash.from_text(text, seed=seed)


def test_oph_differs_from_minhash_but_is_deterministic():
    a = fanwen.Sketcher(sketch="oph").minhash(TEXTS[:5])
    b = fanwen.Sketcher(sketch="oph", threads=1).minhash(TEXTS[:5])
    assert rows(a) == rows(b)
    assert rows(a) != rows(fanwen.Sketcher().minhash(TEXTS[:5]))


def test_sketcher_checks():
    with pytest.raises(ValueError, match="ngram"):
        fanwen.Sketcher(ngram=0)
    with pytest.raises(fanwen.ArgumentError, match="perms"):
        fanwen.Sketcher(perms=2000)
    with pytest.raises(ValueError, match="sketch"):
        fanwen.Sketcher(sketch="simhash")
    with pytest.raises(TypeError):
        fanwen.Sketcher().minhash("one text, not a list")
    with pytest.raises(TypeError, match="text 1 must be str or bytes"):
        fanwen.Sketcher().minhash(["ok", 3])
    with pytest.raises(fanwen.FileError):
        fanwen.Sketcher(canon="/nonexistent/canon.tsv")


# -------------------------------------------------------------- MinHash

def minhash(tokens, num_perm=128, seed=0):
    m = fanwen.MinHash(num_perm=num_perm, seed=seed)
    m.update_batch(tokens)
    return m


def tokens(lo, hi):
    return [b"token-%d" % i for i in range(lo, hi)]


def test_merge_is_the_union():
    a, b = minhash(tokens(0, 100)), minhash(tokens(50, 150))
    a.merge(b)
    assert a == minhash(tokens(0, 150))
    assert fanwen.MinHash.union(minhash(tokens(0, 100)), b) == a


def test_update_batch_is_updates_in_any_order():
    one_by_one = fanwen.MinHash()
    for t in reversed(tokens(0, 50)):
        one_by_one.update(t)
    assert one_by_one == minhash(tokens(0, 50))
    assert minhash(["中文", "text"]) == minhash(["中文".encode("utf-8"), b"text"])


def test_jaccard_estimates_the_overlap():
    a, b = minhash(tokens(0, 300), 256), minhash(tokens(100, 400), 256)
    assert a.jaccard(b) == pytest.approx(200 / 400, abs=0.1)
    assert a.jaccard(a.copy()) == 1.0
    assert 0.7 * 300 < a.count() < 1.3 * 300


def test_mismatches_are_value_errors():
    with pytest.raises(ValueError):
        minhash(tokens(0, 5), num_perm=64).jaccard(minhash(tokens(0, 5)))
    with pytest.raises(ValueError):
        minhash(tokens(0, 5), seed=1).merge(minhash(tokens(0, 5)))
    with pytest.raises(TypeError):
        fanwen.MinHash().merge([1, 2, 3])
    with pytest.raises(TypeError):
        fanwen.MinHash().update(42)
    with pytest.raises(ValueError):
        fanwen.MinHash(num_perm=0)


def test_state_methods(mode):
    m = fanwen.MinHash(num_perm=16, seed=4)
    assert m.is_empty() and len(m) == 16
    assert list(m.hashvalues) == [0xFFFFFFFF] * 16
    m.update(b"x")
    assert not m.is_empty()
    before = list(m.hashvalues)
    digest = m.digest()
    digest[0] = (digest[0] + 1) % 2**32
    assert list(m.hashvalues) == before  # a digest is a copy
    if mode == "numpy":
        assert m.hashvalues.dtype.name == "uint32"
        live = m.hashvalues
        m.update_batch(tokens(0, 100))
        assert list(live) == list(m.hashvalues)  # follows updates, as datasketch's
    else:
        assert m.hashvalues.typecode == "I"
    c = m.copy()
    assert c == m and c is not m
    c.update_batch(tokens(1000, 2000))
    assert c != m
    assert pickle.loads(pickle.dumps(m)) == m
    assert fanwen.MinHash(seed=4, hashvalues=m.hashvalues) == m
    m.clear()
    assert m.is_empty()


def test_to_datasketch_without_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "datasketch", None)  # import fails
    with pytest.raises(ImportError, match="datasketch"):
        fanwen.MinHash().to_datasketch()


def test_to_datasketch_passes_values_and_seed(monkeypatch):
    made = {}

    class FakeMinHash:
        def __init__(self, **kw):
            made.update(kw)

    monkeypatch.setitem(sys.modules, "datasketch", types.SimpleNamespace(MinHash=FakeMinHash))
    m = minhash(tokens(0, 10), num_perm=32, seed=9)
    m.to_datasketch()
    assert made == {"num_perm": 32, "seed": 9, "hashvalues": list(m.hashvalues)}


# ------------------------------------------------------------------ GIL

def runs_alongside(work):
    """True when this thread ran Python code while work() was inside C:
    timestamps taken here fall inside the call."""
    window = []
    done = threading.Event()

    def worker():
        t0 = time.perf_counter()
        work()
        window.extend((t0, time.perf_counter()))
        done.set()

    ticks = []
    thread = threading.Thread(target=worker)
    thread.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    thread.join()
    t0, t1 = window
    assert t1 - t0 > 0.1, "the call was too short to tell"
    inside = [t for t in ticks if t0 + 0.03 < t < t1 - 0.03]
    return len(inside) > 10


def test_gil_released_while_sketching():
    rng = cjk.rng(3)
    big = [cjk.text(rng, 1000) for _ in range(200)] * 100  # 20 M characters
    sk = fanwen.Sketcher(threads=1)
    assert runs_alongside(lambda: sk.minhash(big))


def test_gil_released_while_scanning():
    rng = cjk.rng(4)
    big = [cjk.text(rng, 2000) for _ in range(100)] * 20
    assert runs_alongside(lambda: fanwen.scan(big, threads=1, passages=False))

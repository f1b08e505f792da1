"""fanwen.Index answers as a scan of archive and batch together would.

An archive and batches are generated from a fixed seed (cjk.py: random
ideographs, so the normalized text is the text itself): originals of
several paragraphs, copies and light edits of them (pairs), reports made
of paragraphs of two originals (reused spans), and unrelated texts.

- A query's pairs are exactly the pairs a brute force over the exact
  5-gram sets of archive and batch finds at the threshold that involve a
  batch document, with the same Jaccard and containment, and a_indexed /
  b_indexed saying which side is archived.
- Its pairs, spans and reuse rows are those of fanwen.scan() of archive
  and batch together with the index's passage model, restricted to rows
  with a batch document (as NumPy arrays and as tuples).
- write() gives the CSVs of ``fanwen query`` byte for byte.
- add(), remove() and compact() keep that: a query after them is the scan
  of what remains; the counts add() and remove() return are exact.
- Errors carry the library's message: a missing index, a non-empty
  directory, a parameter that differs (named), a write on a reader, a
  closed index, a damaged file (named), an unknown keyword.
- Closing an index with a result still open: the result's tables stay
  readable, its write() says the index is closed, and the writer's lock is
  released once the result is closed too (another process can then open
  the index to write).
"""
import itertools
import math
import os
import subprocess
import sys
import textwrap

import pytest

import cjk
import fanwen

THRESHOLD = 0.8


def corpus():
    """archive, batch1, batch2: lists of (id, text)."""
    rng = cjk.rng(20261128)
    para = lambda: cjk.text(rng, rng.randint(120, 200))  # noqa: E731
    archive, batch1, batch2 = [], [], []
    originals = []
    for i in range(16):
        paras = [para() for _ in range(rng.randint(3, 5))]
        originals.append(paras)
        archive.append(("arch-%02d" % i, "\n".join(paras)))
    for i in range(10):
        archive.append(("other-%02d" % i, cjk.text(rng, rng.randint(300, 700))))
    # batch 1: copies, light edits, a copy of a copy, reports of paragraphs
    for i in range(4):
        batch1.append(("copy-%02d" % i, archive[i][1]))
        batch1.append(("edit-%02d" % i, cjk.substitute(rng, archive[4 + i][1], 2)))
    batch1.append(("copy-00b", archive[0][1]))
    for i in range(4):
        a, b = originals[8 + i], originals[12 + i]
        batch1.append(("report-%02d" % i, "\n".join([a[0], para(), b[1], para()])))
    for i in range(5):
        batch1.append(("new-%02d" % i, cjk.text(rng, rng.randint(300, 600))))
    # batch 2: against archive and batch 1, and an id the archive holds
    batch2.append(("again-00", batch1[1][1]))
    batch2.append(("edit-x", cjk.substitute(rng, archive[2][1], 3)))
    batch2.append(("arch-05", archive[5][1]))  # renamed arch-05#2
    batch2.append(("report-x", "\n".join([originals[3][0], para(), originals[9][2]])))
    batch2.append(("new-x", cjk.text(rng, 400)))
    return archive, batch1, batch2


ARCHIVE, BATCH1, BATCH2 = corpus()


def brute_pairs(indexed, batch):
    """{(id_a, id_b): (jaccard, a_in_b, b_in_a, a_indexed, b_indexed)} of
    the pairs at THRESHOLD with a batch document."""
    docs = dict(indexed)
    docs.update(batch)
    new = {i for i, _ in batch}
    # the normalized text: line breaks dropped (cjk.py)
    sets = {k: cjk.shingles(v.replace("\n", "")) for k, v in docs.items()}
    found = {}
    for a, b in itertools.combinations(sorted(docs), 2):
        if a not in new and b not in new:
            continue
        inter = len(sets[a] & sets[b])
        j = inter / (len(sets[a]) + len(sets[b]) - inter)
        if j >= THRESHOLD:
            found[(a, b)] = (j, inter / len(sets[a]), inter / len(sets[b]), a not in new,
                             b not in new)
    return found


def rows(table):
    """A table's rows as tuples of plain values (arrays or tuples alike)."""
    out = []
    for r in table:
        out.append(tuple(v.item() if hasattr(v, "item") else v for v in r))
    return out


def scan_rows(docs, batch_ids, model, table):
    """fanwen.scan() of docs with the model, its `table` restricted to rows
    with a batch document, as the index's columns (without the flags)."""
    with fanwen.scan(docs, passage_model=model, threshold=THRESHOLD) as r:
        t = rows(getattr(r, table))
    if table == "spans":
        return [x for x in t if x[0] in batch_ids or x[3] in batch_ids]
    return [x for x in t if x[0] in batch_ids or x[1] in batch_ids]


def check_query(result, indexed, batch, model):
    """The query's tables against the brute force and the scan."""
    batch_ids = {i for i, _ in batch}
    pairs = rows(result.pairs)
    want = brute_pairs(indexed, batch)
    assert {(p[0], p[1]) for p in pairs} == set(want)
    for p in pairs:
        j, a_in_b, b_in_a, a_ix, b_ix = want[(p[0], p[1])]
        assert math.isclose(p[2], j, abs_tol=1e-12)
        assert math.isclose(p[4], a_in_b, abs_tol=1e-12)
        assert math.isclose(p[5], b_in_a, abs_tol=1e-12)
        assert (p[6], p[7]) == (a_ix, b_ix)
    docs = list(indexed) + list(batch)
    assert [p[:6] for p in pairs] == scan_rows(docs, batch_ids, model, "pairs")
    spans = rows(result.spans)
    assert [s[:10] for s in spans] == scan_rows(docs, batch_ids, model, "spans")
    assert [r[:6] for r in rows(result.reuse)] == scan_rows(docs, batch_ids, model, "reuse")
    for s in spans:
        assert (s[10], s[11]) == (s[0] not in batch_ids, s[3] not in batch_ids)
    return pairs, spans


def check_documents(result, directory):
    """result.documents are the rows of the docs.csv write() gives."""
    import csv
    result.write(directory)
    with open(os.path.join(directory, "docs.csv"), encoding="utf-8", newline="") as f:
        want = list(csv.reader(f))[1:]
    got = rows(result.documents)
    assert len(got) == len(want) > 0
    for g, w in zip(got, want):
        fmt = lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) \
            else "%.6f" % v if isinstance(v, float) else str(v)  # noqa: E731
        assert [fmt(v) if not isinstance(v, str) else v for v in g] == \
            [w[0], w[1], w[2], w[3], w[4], w[5] if w[5] else "", w[6], w[7], w[8], w[9]], (g, w)


def model_of(ix):
    return os.path.join(ix.path, ix.info["passage_model"])


def test_query_is_the_scan(tmp_path, mode):
    ix = fanwen.Index.create(tmp_path / "ix", ARCHIVE, threshold=THRESHOLD)
    ix.close()
    with fanwen.Index(tmp_path / "ix") as ix:
        assert ix.info["documents"] == len(ARCHIVE)
        assert ix.options["threshold"] == THRESHOLD
        # texts read back as indexed: the spans' offsets slice them
        assert all(ix.text(i) == t for i, t in ARCHIVE)
        assert ix.text("arch-03", raw=True) == ARCHIVE[3][1].encode()
        with pytest.raises(fanwen.ArgumentError, match="no document of the index has the id 'zz'"):
            ix.text("zz")
        with ix.query(BATCH1) as r:
            pairs, spans = check_query(r, ARCHIVE, BATCH1, model_of(ix))
            assert len(pairs) >= 9  # the copies and edits (the test tests something)
            reports = {s[3] for s in spans if s[3].startswith("report-")}
            assert reports == {"report-%02d" % i for i in range(4)}
            texts = dict(ARCHIVE + BATCH1)
            for s in spans:  # a span's bytes: the indexed side from the index
                a = ix.text(s[0], raw=True) if s[10] else texts[s[0]].encode()
                b = texts[s[3]].encode()
                assert a[s[1]:s[2]].replace(b"\n", b"") == b[s[4]:s[5]].replace(b"\n", b"") \
                    or s[9] < 1
            assert sum(r.batch.stats["documents"].values()) == len(BATCH1)
            check_documents(r, str(tmp_path / ("docs-" + mode)))
            shares = {d[0]: d[6] for d in rows(r.documents)}
            assert shares["copy-00"] == 1.0 and 0.3 < shares["report-00"] < 0.7
            assert shares["new-00"] == 0.0


def test_write_is_the_cli(tmp_path, cli):
    ix = fanwen.Index.create(tmp_path / "ix", ARCHIVE, threshold=THRESHOLD)
    ix.close()
    batch = tmp_path / "batch.jsonl"
    import json
    batch.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                             for i, t in BATCH1), encoding="utf-8")
    with fanwen.Index(tmp_path / "ix") as ix, ix.query(batch, paths=True) as r:
        r.write(tmp_path / "py")
    subprocess.run([cli, "query", "-q", "--index", str(tmp_path / "ix"), "-o",
                    str(tmp_path / "cli"), str(batch)], check=True)
    for name in ["pairs.csv", "clusters.csv", "docs.csv", "reuse.csv", "spans.csv"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert len((tmp_path / "py" / "pairs.csv").read_text().splitlines()) > 5


def test_add_remove_compact(tmp_path, mode):
    with fanwen.Index.create(tmp_path / "ix", ARCHIVE, threshold=THRESHOLD) as ix:
        assert ix.add(BATCH1) == len(BATCH1)
        indexed = ARCHIVE + BATCH1
        assert ix.info["documents"] == len(indexed)
        assert len(ix.segments) == 2
        model = model_of(ix)
        # the archive's id again: renamed as a scan renames it
        batch2 = BATCH2
        renamed = [("arch-05#2", t) if i == "arch-05" else (i, t) for i, t in batch2]
        with ix.query(batch2) as r:
            assert ("arch-05", "arch-05#2") in {(p[0], p[1]) for p in rows(r.pairs)}
            check_documents(r, str(tmp_path / ("docs-" + mode)))
            row = [d for d in rows(r.documents) if d[0] == "arch-05#2"]
            assert row and row[0][9] == "duplicate id, renamed"
            assert row[0][8] == "arch-05"  # its cluster, named by the archived copy
        with ix.query(batch2) as r:
            check_query(r, indexed, renamed, model)
        gone = ["arch-02", "copy-01", "edit-02", "not-there"]
        assert ix.remove(gone) == 3
        left = [d for d in indexed if d[0] not in gone]
        with ix.query(batch2) as r:
            check_query(r, left, renamed, model)
        ix.compact()
        assert len(ix.segments) == 1 and ix.info["documents"] == len(left)
        with ix.query(batch2) as r:
            check_query(r, left, renamed, model)
        # query and add at once: the batch is then indexed
        with ix.query(batch2, add=True) as r:
            check_query(r, left, renamed, model)
        assert ix.info["documents"] == len(left) + len(batch2)
        assert ix.warning == ""


def test_errors(tmp_path):
    with pytest.raises(fanwen.FileError, match="nowhere"):
        fanwen.Index(tmp_path / "nowhere")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(fanwen.ArgumentError, match="not empty"):
        fanwen.Index.create(tmp_path / "full")
    with pytest.raises(TypeError, match="unexpected keyword"):
        fanwen.Index.create(tmp_path / "kw", tresh=0.5)
    with pytest.raises(TypeError, match="threads= goes with inputs"):
        fanwen.Index.create(tmp_path / "kw", threads=2)
    assert not (tmp_path / "kw").exists()
    fanwen.Index.create(tmp_path / "ix", ARCHIVE, threshold=THRESHOLD).close()
    with fanwen.Index(tmp_path / "ix") as ix:
        with pytest.raises(fanwen.ArgumentError, match="threshold 0.8, not 0.5"):
            ix.query(BATCH1, threshold=0.5)
        # a value that differs past six digits is shown with more of them
        with pytest.raises(fanwen.ArgumentError, match="threshold 0.8, not 0.8000001$"):
            ix.query(BATCH1, threshold=0.8000001)
        # options that cannot change an index's answer are refused, not dropped
        with pytest.raises(fanwen.ArgumentError, match="verifies every pair"):
            ix.query(BATCH1, verify=False)
        with pytest.raises(fanwen.ArgumentError, match="passage model says what is boilerplate"):
            ix.query(BATCH1, boilerplate_docs=3)
        with pytest.raises(fanwen.ArgumentError, match="opened to read"):
            ix.add(BATCH1)
        with pytest.raises(fanwen.ArgumentError, match="opened to read"):
            ix.query(BATCH1, add=True)
        with pytest.raises(TypeError):
            ix.remove("arch-00")
        with pytest.raises(ValueError, match="id 1 contains a NUL character"):
            ix.remove(["arch-00", "arch\x0001"])
        with pytest.raises(ValueError, match="the id contains a NUL character"):
            ix.text("arch\x0001")
    with pytest.raises(ValueError, match="the index is closed"):
        ix.query(BATCH1)
    # a flipped byte in a segment's table: an error naming the file
    docs = sorted(p for p in os.listdir(tmp_path / "ix") if p.endswith(".docs"))[0]
    path = tmp_path / "ix" / docs
    data = bytearray(path.read_bytes())
    data[100] ^= 0x20
    path.write_bytes(bytes(data))
    with pytest.raises(fanwen.Error, match=docs):
        fanwen.Index(tmp_path / "ix")


def test_close_with_a_result_open(tmp_path, build_lib):
    ix = fanwen.Index.create(tmp_path / "ix", ARCHIVE, threshold=THRESHOLD)
    r = ix.query(BATCH1)
    ix.close()
    assert len(rows(r.pairs)) >= 9  # still readable
    with pytest.raises(ValueError, match="the index is closed"):
        r.write(tmp_path / "out")
    assert not (tmp_path / "out").exists()
    r.close()
    # the lock is free: another process opens the index to write and adds
    code = textwrap.dedent("""
        import sys, fanwen
        with fanwen.Index(sys.argv[1], write=True) as ix:
            print(ix.add([("late", "一段新的文字" * 20)]))
    """)
    env = dict(os.environ, PYTHONPATH=build_lib)
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "ix")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


def test_results_outlive_changes(tmp_path):
    """A result (and its batch, which borrows the index's passage model)
    stays whole through add, remove and compact on the same index."""
    with fanwen.Index.create(tmp_path / "ix", ARCHIVE, threshold=THRESHOLD) as ix:
        r = ix.query(BATCH1)
        r.write(tmp_path / "before")
        r.batch.write_passage_model(tmp_path / "model-before")
        ix.add(BATCH2)
        assert ix.remove(["arch-00", "arch-09"]) == 2
        ix.compact()
        r.write(tmp_path / "after")
        r.batch.write_passage_model(tmp_path / "model-after")
        for name in ["pairs.csv", "clusters.csv", "docs.csv", "reuse.csv", "spans.csv"]:
            assert (tmp_path / "before" / name).read_bytes() == \
                (tmp_path / "after" / name).read_bytes(), name
        assert (tmp_path / "model-before").read_bytes() == (tmp_path / "model-after").read_bytes()
        r.close()


def test_python_code_that_closes_the_index(tmp_path):
    """Python code the binding runs while it holds the index (an option's
    __fspath__, an ids generator) cannot close it under the call."""
    ix = fanwen.Index.create(tmp_path / "ix", ARCHIVE, threshold=THRESHOLD)

    class Closer:
        def __fspath__(self):
            ix.close()
            return str(tmp_path)

    with pytest.raises(RuntimeError, match="in use"):
        ix.query(BATCH1, tmp_dir=Closer())
    assert ix.info["documents"] == len(ARCHIVE)  # still open

    def ids():
        yield "arch-01"
        ix.close()
        yield "arch-02"

    with pytest.raises(ValueError, match="the index is closed"):
        ix.remove(ids())
    # a batch of one index is refused by another
    other = fanwen.Index.create(tmp_path / "other", ARCHIVE[:3], threshold=THRESHOLD)
    batch = other._core.batch({}, False)
    again = fanwen.Index(tmp_path / "ix")
    with pytest.raises(TypeError, match="a batch of this index"):
        again._core.query(batch)
    batch.close()
    other.close()
    again.close()


def test_renamed_document_with_a_message(tmp_path, mode):
    """A batch document whose id the index holds, and whose text the scan
    repaired, gets both messages, as a scan of both would write them."""
    bad = b"\xff\xfe" + ARCHIVE[6][1].encode()
    with fanwen.scan(ARCHIVE + [("arch-06", bad)], threshold=THRESHOLD) as both:
        said = [d for d in rows(both.documents) if d[0] == "arch-06#2"][0]
    assert said[1] == "repaired" and said[9].endswith("; duplicate id, renamed")
    with fanwen.Index.create(tmp_path / "ix", ARCHIVE, threshold=THRESHOLD) as ix:
        with ix.query([("arch-06", bad), ("fresh-1", ARCHIVE[7][1])]) as r:
            docs = rows(r.documents)
            assert docs[0][0] == "arch-06#2" and docs[0][1] == "repaired"
            assert docs[0][9] == said[9]  # the scan of index and batch together
            assert docs[1][9] == ""
            check_documents(r, str(tmp_path / ("docs-" + mode)))

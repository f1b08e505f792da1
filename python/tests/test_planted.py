"""Planted copies are found, exactly, with the exact Jaccard.

A collection is generated from a fixed seed: originals of random
ideographs, exact copies, copies with a few characters changed, copies
changed too much to count, and unrelated texts. Brute force over all pairs
(exact 5-gram sets in pure Python; the normalized text is the text itself,
see cjk.py) says which pairs reach the threshold; the scan must report
exactly those, with the same Jaccard and containment, and an estimate that
is the one of the Sketcher's signatures (so the Sketcher makes the scan's
signatures, under each sketch option).

A paragraph copied into another text with a few characters dropped is one
reused span, at the paragraph's bytes, its matched characters the longest
common subsequence of the two paragraphs (plain DP here).
"""
import itertools

import pytest

import cjk
import fanwen

THRESHOLD = 0.8


def planted():
    rng = cjk.rng()
    docs = {}
    for i in range(12):
        original = cjk.text(rng, rng.randint(300, 800))
        docs["orig-%02d" % i] = original
        if i < 4:
            docs["copy-%02d" % i] = original
        elif i < 8:
            docs["edit-%02d" % i] = cjk.substitute(rng, original, 3)
            docs["edit2-%02d" % i] = cjk.substitute(rng, original, 2)
        elif i < 10:
            docs["heavy-%02d" % i] = cjk.substitute(rng, original, len(original) // 8)
    for i in range(20):
        docs["other-%02d" % i] = cjk.text(rng, rng.randint(200, 900))
    return docs


DOCS = planted()


def brute_force(docs, threshold):
    sets = {k: cjk.shingles(v) for k, v in docs.items()}
    found = {}
    for a, b in itertools.combinations(sorted(docs), 2):
        j = cjk.jaccard(sets[a], sets[b])
        if j >= threshold:
            inter = len(sets[a] & sets[b])
            found[(a, b)] = (j, inter / len(sets[a]), inter / len(sets[b]))
    return found


EXPECTED = brute_force(DOCS, THRESHOLD)


def test_the_collection_is_what_it_claims():
    assert len(EXPECTED) == 4 + 4 * 3  # copies, and each edit trio
    heavy = cjk.jaccard(cjk.shingles(DOCS["orig-08"]), cjk.shingles(DOCS["heavy-08"]))
    assert heavy < 0.6


VARIANTS = [{}, {"sketch": "oph"}, {"template": True}, {"seed": 7, "perms": 64},
            {"threads": 1}, {"passages": False}, {"verify": False}]


@pytest.mark.parametrize("options", VARIANTS, ids=lambda o: ",".join(o) or "default")
def test_exactly_the_planted_pairs(mode, options):
    result = fanwen.scan(DOCS, threshold=THRESHOLD, **options)
    pairs = result.pairs.tolist() if mode == "numpy" else result.pairs
    assert {(p[0], p[1]) for p in pairs} == set(EXPECTED)
    for id_a, id_b, j, est, a_in_b, b_in_a in pairs:
        if options.get("verify", True):
            want = EXPECTED[(id_a, id_b)]
            assert (j, a_in_b, b_in_a) == pytest.approx(want, rel=1e-12)
        else:  # estimate only: not computed
            assert all(v is None or v != v for v in (j, a_in_b, b_in_a))


@pytest.mark.parametrize("options", VARIANTS[:4], ids=lambda o: ",".join(o) or "default")
def test_estimates_are_the_sketchers(options):
    """est_jaccard of each pair is fw_minhash_estimate of the Sketcher's
    signatures of the two texts: the same signatures as the scan's."""
    result = fanwen.scan(DOCS, threshold=THRESHOLD, **options)
    sk = fanwen.Sketcher(**options)
    ids = sorted(DOCS)
    sigs = dict(zip(ids, sk.minhash([DOCS[i] for i in ids])))
    for pair in result.pairs.tolist() if hasattr(result.pairs, "tolist") else result.pairs:
        assert pair[3] == fanwen.estimate(sigs[pair[0]], sigs[pair[1]])


def test_documents_counted_as_written(mode):
    result = fanwen.scan(DOCS)
    docs = result.documents
    rows = docs.tolist() if mode == "numpy" else docs
    assert [r[0] for r in rows] == list(DOCS)  # input order
    for (doc_id, status, size, chars, shingles, *_), text in zip(rows, DOCS.values()):
        assert status == "ok"
        assert size == len(text.encode("utf-8"))
        assert chars == len(text)
        assert shingles == len(text) - 4


def test_clusters_are_the_planted_groups(mode):
    result = fanwen.scan(DOCS, threshold=THRESHOLD)
    clusters = result.clusters.tolist() if mode == "numpy" else result.clusters
    groups = {}
    for name, member, size in clusters:
        groups.setdefault(name, []).append(member)
        assert size == len([c for c in clusters if c[0] == name])
    # each planted family is one cluster named by its smallest id
    assert sorted(groups) == sorted(min(f) for f in families())
    assert sorted(map(sorted, groups.values())) == sorted(map(sorted, families()))


def families():
    out = {}
    for a, b in EXPECTED:
        key = a.split("-")[1]
        out.setdefault(key, set()).update((a, b))
    return [sorted(v) for v in out.values()]


def test_input_shapes_agree():
    """A dict, (id, text) tuples, texts with ids=, and a generator of tuples
    are the same collection."""
    ids, texts = list(DOCS), list(DOCS.values())
    want = fanwen.scan(DOCS).pairs.tolist() if fanwen._np else fanwen.scan(DOCS).pairs
    for inputs, kw in [(list(DOCS.items()), {}), (texts, {"ids": ids}),
                       ((item for item in DOCS.items()), {}),
                       ([t.encode("utf-8") for t in texts], {"ids": ids})]:
        got = fanwen.scan(inputs, **kw).pairs
        assert (got.tolist() if fanwen._np else got) == want


def test_default_ids_are_positions():
    texts = list(DOCS.values())[:8]
    result = fanwen.scan(texts)
    assert result.ids == [str(i) for i in range(8)]
    pairs = result.pairs.tolist() if fanwen._np else result.pairs
    # orig-00, copy-00, orig-01, copy-01, ...
    assert [(p[0], p[1]) for p in pairs] == [("0", "1"), ("2", "3"), ("4", "5"), ("6", "7")]


def test_template_folds_digits():
    """In template mode texts that differ only in digit runs are one
    (2015 ≡ 2024), and the Sketcher agrees."""
    rng = cjk.rng(5)
    body = [cjk.text(rng, 40) for _ in range(6)]
    a = "2015".join(body)
    b = "2024".join(body)
    plain = fanwen.scan([a, b], threshold=0.5)
    folded = fanwen.scan([a, b], threshold=0.5, template=True)
    jp = plain.pairs.tolist() if fanwen._np else plain.pairs
    jf = folded.pairs.tolist() if fanwen._np else folded.pairs
    assert jp and jp[0][2] < 1.0
    assert jf and jf[0][2] == 1.0
    sig = fanwen.Sketcher(template=True).minhash([a, b])
    assert fanwen.estimate(sig[0], sig[1]) == 1.0


def lcs(a, b):
    """Length of the longest common subsequence, the plain O(len a * len b)
    DP, one row at a time."""
    prev = [0] * (len(b) + 1)
    for ca in a:
        row = [0]
        for j, cb in enumerate(b):
            row.append(prev[j] + 1 if ca == cb else max(prev[j + 1], row[j]))
        prev = row
    return prev[-1]


def test_lcs_itself():
    assert lcs("ABCBDAB", "BDCABA") == 4
    assert lcs("", "abc") == 0 and lcs("abc", "abc") == 3


def test_copied_paragraph_is_one_span(mode):
    rng = cjk.rng(11)
    par = cjk.text(rng, 200)
    # drops away from the edges: the span ends at runs of 3 aligned characters
    drop = set(rng.sample(range(5, len(par) - 5), 4))
    copy = "".join(c for i, c in enumerate(par) if i not in drop)
    before = [cjk.text(rng, n) for n in (150, 240, 120)]
    after = [cjk.text(rng, n) for n in (260, 130)]
    a = "\n".join(before + [par] + after)
    head, tail = cjk.text(rng, 180), cjk.text(rng, 250)
    b = "\n".join([head, copy, tail])
    result = fanwen.scan({"a": a, "b": b, "c": cjk.text(rng, 500)})
    spans = result.spans.tolist() if mode == "numpy" else result.spans
    assert len(spans) == 1
    span = spans[0]
    # byte offsets from the UTF-8 encoding (3 bytes an ideograph, 1 a newline)
    a_start = len(("\n".join(before) + "\n").encode("utf-8"))
    b_start = len((head + "\n").encode("utf-8"))
    assert (span[0], span[1], span[2]) == ("a", a_start, a_start + len(par.encode("utf-8")))
    assert (span[3], span[4], span[5]) == ("b", b_start, b_start + len(copy.encode("utf-8")))
    assert a.encode("utf-8")[span[1]:span[2]].decode("utf-8") == par
    matched = lcs(par, copy)
    assert (span[6], span[7], span[8]) == (len(par), len(copy), matched)
    assert span[9] == pytest.approx(matched / len(par), rel=1e-12)
    if mode == "fallback":
        assert isinstance(span, fanwen.Span) and span.matched_chars == matched

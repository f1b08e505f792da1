"""fanwen: near-duplicate documents and recycled passages, from Python.

A binding of libfanwen (the C library behind the ``fanwen`` command), batch
first: one call hands a whole collection to the library, which works with
the GIL released and all cores.

    >>> import fanwen
    >>> result = fanwen.scan(["...", "...", "..."])          # texts; ids "0", "1", ...
    >>> result = fanwen.scan({"a.txt": "...", "b.txt": "..."})  # id -> text
    >>> result = fanwen.scan_paths(["corpus/docs"], threshold=0.7)
    >>> result.pairs        # id_a, id_b, jaccard, est_jaccard, a_in_b, b_in_a
    >>> result.spans        # reused stretches: id_a, a_start, a_end, id_b, ...
    >>> result.write("report")                  # the CSVs the CLI writes

    >>> sk = fanwen.Sketcher(ngram=5, perms=128)
    >>> sigs = sk.minhash(texts)                # n x 128 uint32, the scan's own
    >>> fanwen.estimate(sigs[0], sigs[1])

    >>> m = fanwen.MinHash(num_perm=128)        # datasketch's method names
    >>> m.update(b"token"); m.jaccard(other)

    >>> ix = fanwen.Index.create("library.ix", archive_texts)   # index build
    >>> ix.query(new_texts).pairs               # which archived text each copies

Results are NumPy arrays when NumPy can be imported (a structured array per
table, one field per CSV column), and lists of named tuples otherwise;
signatures are uint32 arrays, or lists of ``array('I')``. NumPy is never
required; setting FANWEN_NO_NUMPY=1 before the import turns it off.

Design: the C extension (fanwen._fanwen) only wraps the public API of
include/fanwen.h and returns plain columns (numbers packed in bytes with an
array typecode, strings in lists); this module shapes them. Errors are
fanwen.Error subclasses carrying the library's message; ArgumentError is
also a ValueError, FileError an OSError, NoMemoryError a MemoryError.
"""
import itertools
import operator
import os
from array import array
from collections import namedtuple
from collections.abc import Mapping
from functools import lru_cache

# OpenMP threads that wait for work spin by default, taking the cores from
# the scan's reading and sketching threads; libgomp reads the policy once,
# when it is loaded, which is now (the CLI sets it the same way; a value the
# user set is kept). bench/README.md, "OpenMP threads that wait: passive".
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import _fanwen  # noqa: E402 (after the policy)
from ._fanwen import ArgumentError, Error, FileError, NoMemoryError

__all__ = [
    "scan", "scan_paths", "Result", "Sketcher", "MinHash", "estimate",
    "Error", "ArgumentError", "FileError", "NoMemoryError", "DEFAULT_OPTIONS",
    "Pair", "Cluster", "Document", "Reuse", "Span", "Passage", "Boilerplate",
    "Index", "IndexResult", "Match", "IndexSpan", "IndexReuse",
]

#: The version of this package: include/fanwen.h's, as compiled.
__version__ = _fanwen.__version__
#: The keywords scan() takes, with their defaults (fw_scan_options_default).
DEFAULT_OPTIONS = _fanwen.default_options()
#: The version of the libfanwen linked in (fw_version()).
library_version = _fanwen.library_version


def _load_numpy():
    if os.environ.get("FANWEN_NO_NUMPY"):
        return None
    try:
        import numpy
    except ImportError:
        return None
    return numpy


# NumPy if importable, else None: every conversion below reads this, so
# tests switch it to cover both paths.
_np = _load_numpy()

assert array("I").itemsize == 4, "signatures are read as array('I') of 32-bit values"

# ------------------------------------------------------------- columns

def _numbers(column):
    """A numeric column from the C side, (typecode, bytes), as an array."""
    code, data = column
    if _np is not None:
        return _np.frombuffer(data, dtype=code)
    values = array(code)
    values.frombytes(data)
    return values


def _ratios(values):
    """A share or Jaccard column: negative means not computed, which is NaN
    in an array and None in a tuple."""
    if _np is not None:
        return _np.where(values < 0, _np.nan, values)
    return [None if v < 0 else v for v in values]


def _objects(items):
    """A list as an object array (with NumPy), for fancy indexing."""
    if _np is None:
        return items
    out = _np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _pick(items, index):
    """items[i] for each i of index."""
    if _np is not None:
        return items[_np.asarray(index, dtype=_np.intp)]
    return [items[i] for i in index]


def _table(row_type, dtypes, columns):
    """Rows from equal-length columns: a structured array with one field per
    column, or a list of row_type tuples."""
    if _np is None:
        return [row_type._make(r) for r in zip(*columns)]
    n = len(columns[0]) if columns else 0
    out = _np.empty(n, dtype=list(zip(row_type._fields, dtypes)))
    for name, col in zip(row_type._fields, columns):
        out[name] = col
    return out


def _empty(row_type, dtypes):
    return _table(row_type, dtypes, [[] for _ in dtypes])


# ------------------------------------------------------------- results

#: A row of pairs.csv. jaccard, a_in_b and b_in_a are None (NaN in arrays)
#: when the pair was not verified (verify=False).
Pair = namedtuple("Pair", "id_a id_b jaccard est_jaccard a_in_b b_in_a")
#: A row of clusters.csv: the cluster is named by its smallest id.
Cluster = namedtuple("Cluster", "cluster id size")
#: A row of docs.csv. passages, reused_share and boilerplate_share are None
#: (-1, NaN, NaN in arrays) with passages=False; cluster is None (also in
#: arrays) for a document in no cluster.
Document = namedtuple("Document", "id status bytes chars shingles passages reused_share "
                                  "boilerplate_share cluster message")
#: A row of reuse.csv: shared_chars counts aligned characters (the smaller
#: side's), a_in_b the share of a's characters aligned with b.
Reuse = namedtuple("Reuse", "id_a id_b shared_passages shared_chars a_in_b b_in_a")
#: A row of spans.csv: a stretch of a's text that b repeats, through edits.
#: Starts and ends are byte offsets in each text (end exclusive), the chars
#: normalized characters inside the span, matched_chars those aligned (their
#: longest common subsequence), similarity matched_chars over the larger
#: side's chars. id_a == id_b for a text repeated within one document.
Span = namedtuple("Span", "id_a a_start a_end id_b b_start b_end a_chars b_chars "
                          "matched_chars similarity")
#: A row of passages.csv: byte offsets in the document's text, the text's
#: first 80 characters.
Passage = namedtuple("Passage", "group id passage byte_start byte_end chars text")
#: A row of boilerplate.csv: kind is "line" (a short line in that many
#: documents, digit runs folded; lines are numbered apart from groups) or
#: "passage" (a passage group).
Boilerplate = namedtuple("Boilerplate", "kind group docs chars text")

_PAIR_DTYPES = (object, object, "f8", "f8", "f8", "f8")
_CLUSTER_DTYPES = (object, object, "u8")
_DOCUMENT_DTYPES = (object, object, "u8", "u8", "u8", "i8", "f8", "f8", object, object)
_REUSE_DTYPES = (object, object, "u8", "u8", "f8", "f8")
_SPAN_DTYPES = (object, "u8", "u8", object, "u8", "u8", "u8", "u8", "u8", "f8")
_PASSAGE_DTYPES = ("u8", object, "u4", "u8", "u8", "u8", object)
_BOILERPLATE_DTYPES = (object, "u8", "u8", "u8", object)
# boilerplate kinds by fw_group_info.line
_KINDS = ("passage", "line")


class _Tables:
    """What Result and IndexResult share: the library's object, each table
    read from it once (per NumPy mode, which tests switch), and `with`."""

    def __init__(self, core):
        self._core = core
        self._cache = {}

    def _get(self, name, build):
        key = (name, _np is None)
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Result(_Tables):
    """What one scan found, read from the library on first use of each
    table: documents, pairs, clusters and, with passages on (the default),
    passages, reuse, spans and boilerplate. Each is a NumPy structured array
    with one field per column of the CSV of that name
    (``result.pairs["jaccard"]``, ``result.spans["a_start"]``), or without
    NumPy a list of named tuples (Pair, Cluster, Document, Reuse, Span,
    Passage, Boilerplate) in the CSV's order.

    The scan's memory is held until close() (or the end of a ``with``
    block, or garbage collection); tables already read stay usable.
    """

    # the raw columns, shared by the tables
    def _docs(self):
        return self._get("docs", self._core.documents)

    def _ids(self):
        return self._get("ids_objects", lambda: _objects(self._docs()["id"]))

    @property
    def options(self):
        """The options in force (defaults filled in), as a dict."""
        return self._get("options", self._core.options)

    @property
    def stats(self):
        """Counters and timings (fw_scan_stats) as a dict: documents per
        status, the LSH bands and rows chosen, candidates, verified pairs,
        clusters, passage counts, seconds per stage, peak memory (MB)."""
        return self._core.stats()

    @property
    def ids(self):
        """Every document's id, in input order (documents are numbered so)."""
        return list(self._docs()["id"])

    @property
    def documents(self):
        """docs.csv: one row per document, unreadable input and broken
        record, in input order; status is ok, repaired, empty, binary or
        error, and message says why."""
        return self._get("documents", self._build_documents)

    def _build_documents(self):
        d = self._docs()
        passages_on = self.options["passages"]
        status = _pick(_objects(list(_fanwen.DOC_STATUS)), _numbers(d["status"]))
        cluster = _numbers(d["cluster"])
        ids = self._ids()
        if _np is not None:
            cluster_id = _np.where(cluster >= 0, ids[_np.maximum(cluster, 0)], None)
        else:
            cluster_id = [ids[c] if c >= 0 else None for c in cluster]
        n = len(ids)
        if passages_on:
            passages = _numbers(d["passages"])
            shares = [_numbers(d["reused_share"]), _numbers(d["boilerplate_share"])]
        elif _np is not None:
            passages = _np.full(n, -1)
            shares = [_np.full(n, _np.nan)] * 2
        else:
            passages, shares = [None] * n, [[None] * n] * 2
        return _table(Document, _DOCUMENT_DTYPES,
                      [ids, status, _numbers(d["bytes"]), _numbers(d["chars"]),
                       _numbers(d["shingles"]), passages, shares[0], shares[1], cluster_id,
                       d["message"]])

    @property
    def pairs(self):
        """pairs.csv: pairs at Jaccard >= threshold, id_a < id_b, sorted."""
        return self._get("pairs", self._build_pairs)

    def _build_pairs(self):
        p = self._core.pairs()
        ids = self._ids()
        return _table(Pair, _PAIR_DTYPES,
                      [_pick(ids, _numbers(p["a"])), _pick(ids, _numbers(p["b"])),
                       _ratios(_numbers(p["jaccard"])), _numbers(p["estimate"]),
                       _ratios(_numbers(p["a_in_b"])), _ratios(_numbers(p["b_in_a"]))])

    @property
    def clusters(self):
        """clusters.csv: each document of a cluster of two or more, by
        cluster (named by its smallest id), then id."""
        return self._get("clusters", self._build_clusters)

    def _build_clusters(self):
        d = self._docs()
        rep, rank, size = _numbers(d["cluster"]), _numbers(d["rank"]), _numbers(d["cluster_size"])
        if _np is not None:
            members = _np.nonzero(rep >= 0)[0]
            order = members[_np.lexsort((rank[members], rank[rep[members]]))]
            reps = rep[order]
        else:
            order = sorted((i for i in range(len(rep)) if rep[i] >= 0),
                           key=lambda i: (rank[rep[i]], rank[i]))
            reps = [rep[i] for i in order]
        ids = self._ids()
        return _table(Cluster, _CLUSTER_DTYPES,
                      [_pick(ids, reps), _pick(ids, order), _pick(size, order)])

    @property
    def reuse(self):
        """reuse.csv: documents sharing text (boilerplate left out), from
        their reused spans, where either has at least reuse_min of its
        characters aligned with the other."""
        return self._get("reuse", self._build_reuse)

    def _build_reuse(self):
        if not self.options["passages"]:
            return _empty(Reuse, _REUSE_DTYPES)
        r = self._core.reuse()
        ids = self._ids()
        return _table(Reuse, _REUSE_DTYPES,
                      [_pick(ids, _numbers(r["a"])), _pick(ids, _numbers(r["b"])),
                       _numbers(r["shared_passages"]), _numbers(r["shared_chars"]),
                       _numbers(r["a_in_b"]), _numbers(r["b_in_a"])])

    @property
    def spans(self):
        """spans.csv: reused spans, the stretches of a's text that b repeats
        through edits (boilerplate left out), by id_a, a_start, id_b,
        b_start; offsets are bytes of each document's text, as in
        passages. See Span."""
        return self._get("spans", self._build_spans)

    def _build_spans(self):
        if not self.options["passages"]:
            return _empty(Span, _SPAN_DTYPES)
        r = self._core.spans()
        ids = self._ids()
        return _table(Span, _SPAN_DTYPES,
                      [_pick(ids, _numbers(r["a"])), _numbers(r["a_start"]),
                       _numbers(r["a_end"]), _pick(ids, _numbers(r["b"])),
                       _numbers(r["b_start"]), _numbers(r["b_end"]), _numbers(r["a_chars"]),
                       _numbers(r["b_chars"]), _numbers(r["matched"]),
                       _numbers(r["similarity"])])

    @property
    def passages(self):
        """passages.csv: every passage that matched another, by group, id,
        position; passage counts from 1 within its document."""
        return self._get("passages", self._build_passages)

    def _build_passages(self):
        if not self.options["passages"]:
            return _empty(Passage, _PASSAGE_DTYPES)
        p = self._core.passages()
        return _table(Passage, _PASSAGE_DTYPES,
                      [_numbers(p["group"]), _pick(self._ids(), _numbers(p["doc"])),
                       _numbers(p["index"]), _numbers(p["byte_start"]),
                       _numbers(p["byte_end"]), _numbers(p["chars"]), p["text"]])

    @property
    def boilerplate(self):
        """boilerplate.csv: short lines (kind "line") and passage groups
        (kind "passage") found in too many documents to be copies, most
        documents first, then lines before groups."""
        return self._get("boilerplate", self._build_boilerplate)

    def _build_boilerplate(self):
        if not self.options["passages"]:
            return _empty(Boilerplate, _BOILERPLATE_DTYPES)
        g = self._core.boilerplate()
        return _table(Boilerplate, _BOILERPLATE_DTYPES,
                      [_pick(_objects(list(_KINDS)), _numbers(g["line"])), _numbers(g["group"]),
                       _numbers(g["docs"]), _numbers(g["chars"]), g["text"]])

    def write(self, directory):
        """Writes the reports into `directory` (created if missing) with
        fw_report_write(): pairs.csv, clusters.csv, docs.csv, with passages
        passages.csv, reuse.csv, spans.csv and boilerplate.csv, and
        summary.json, the same bytes as ``fanwen scan --out directory``.
        Returns the seconds it took. Raises FileError with the library's
        message."""
        return self._core.write(directory)

    def write_passage_model(self, path):
        """Writes what the passage level learned from this corpus (its
        boilerplate lines and passages, and common 3-grams) to `path`, the file
        ``fanwen scan --save-passage-model`` writes; scan(...,
        passage_model=path) uses it. Raises FileError, or ArgumentError
        without the passage level."""
        self._core.write_passage_model(path)

    def close(self):
        """Frees the scan (fw_scan_free). Tables already read stay usable."""
        self._core.close()

    def __repr__(self):
        try:
            docs = self.stats["documents"]
            return "<fanwen.Result: %d documents, %d pairs>" % (
                sum(docs.values()), len(self.pairs))
        except (Error, ValueError):
            return "<fanwen.Result: closed>"


# ----------------------------------------------------------------- scan

_CHUNK = 4096  # items handed to the C side at a time from an iterator


def scan(inputs, *, ids=None, paths=False, **options):
    """Scans a collection and returns a Result.

    `inputs` is one of:

    - a list (or any iterable) of texts, str or bytes: ids are "0", "1", ...
      in order, or the strings given in `ids` (a sequence of the same
      length);
    - a list (or iterable) of (id, text) tuples;
    - a mapping id -> text (a dict);
    - with ``paths=True`` (or scan_paths()), paths: a str, bytes or
      os.PathLike, or a list of them. A directory is read recursively, a
      *.jsonl / *.warc file record by record, any other file is one
      document, exactly as the CLI reads its arguments; a path that cannot
      be read is a document with status "error", not an exception.

    A str alone is never taken for a list of texts (TypeError). Ids are str
    or bytes; texts are str (encoded as UTF-8; lone surrogates become
    invalid bytes, which the library repairs: status "repaired") or bytes
    (any bytes: invalid UTF-8 is repaired the same way).

    Keyword options are the fields of fw_scan_options, with their defaults
    in DEFAULT_OPTIONS: threshold, ngram, perms, bands, rows, seed, verify,
    sketch ('minhash' or 'oph'), simd, passages, min_passage, max_passage,
    passage_threshold, boilerplate_docs, boilerplate_share, reuse_min,
    template, canon (a canon table path; implies template), passage_model (a
    file of Result.write_passage_model() or ``--save-passage-model``: its
    boilerplate lines and passages and common 3-grams instead of learned), threads (0: all
    cores), text_field, id_field, max_doc_bytes, memory_limit (bytes; 0:
    none), tmp_dir. None keeps a default. An unknown keyword is a TypeError;
    a value the library refuses an ArgumentError (a ValueError) with the
    library's message.

    The library reads, sketches and matches with the GIL released; Ctrl-C
    stops a scan (KeyboardInterrupt) within about a tenth of a second of a
    batch boundary.
    """
    if paths and ids is not None:
        raise TypeError("ids= goes with texts; a path's id is its path")
    model = options.pop("passage_model", None)
    core = _fanwen.Scan(options)
    try:
        if model is not None:
            core.use_passage_model(model)
        if paths:
            _add_paths(core, inputs)
        else:
            _add_texts(core, inputs, ids)
        core.run()
    except BaseException:
        core.close()
        raise
    return Result(core)


def scan_paths(paths, **options):
    """scan(paths, paths=True, **options): files, directories, JSONL shards
    and WARC/WET archives, as the CLI reads them."""
    return scan(paths, paths=True, **options)


def _add_paths(core, inputs):
    if isinstance(inputs, (str, bytes, os.PathLike)):
        inputs = [inputs]
    core.add_paths([os.fsencode(p) for p in inputs])


def _add_texts(core, inputs, ids):
    if isinstance(inputs, (str, bytes, bytearray)):
        raise TypeError("scan() takes a collection of texts, not a single %s: wrap it in a "
                        "list, or pass paths=True to read a path" % type(inputs).__name__)
    if isinstance(inputs, Mapping):
        if ids is not None:
            raise TypeError("ids= goes with a list of texts, not with a mapping")
        core.add_texts(list(inputs.keys()), list(inputs.values()))
        return
    items = iter(inputs)
    id_iter = None if ids is None else iter(ids)
    base = 0
    for chunk in iter(lambda: list(itertools.islice(items, _CHUNK)), []):
        chunk_ids, texts = _split(chunk, base, id_iter)
        core.add_texts(chunk_ids, texts, base)
        base += len(chunk)
    if id_iter is not None and next(id_iter, None) is not None:
        raise ValueError("more ids than texts (%d texts)" % base)


def _split(chunk, base, id_iter):
    """Ids and texts of a chunk of inputs: texts, or (id, text) tuples."""
    if isinstance(chunk[0], tuple):
        if id_iter is not None:
            raise TypeError("ids= goes with plain texts, not with (id, text) tuples")
        for i, item in enumerate(chunk):
            if not isinstance(item, tuple) or len(item) != 2:
                raise TypeError("item %d is not an (id, text) tuple like the first"
                                % (base + i))
        return [item[0] for item in chunk], [item[1] for item in chunk]
    if id_iter is None:
        return [str(base + i) for i in range(len(chunk))], chunk
    chunk_ids = list(itertools.islice(id_iter, len(chunk)))
    if len(chunk_ids) != len(chunk):
        raise ValueError("fewer ids than texts (%d ids)" % (base + len(chunk_ids)))
    return chunk_ids, chunk


# ----------------------------------------------------------- signatures

def _matrix(buf, k):
    """n x k uint32 from the C side's bytearray: a NumPy array over the
    same memory, or a list of array('I') rows."""
    if _np is not None:
        return _np.frombuffer(buf, dtype=_np.uint32).reshape(-1, k)
    view = memoryview(buf)
    rows = []
    for i in range(0, len(buf), 4 * k):
        row = array("I")
        row.frombytes(view[i:i + 4 * k])
        rows.append(row)
    return rows


def _signature_bytes(sig):
    """A signature as bytes: from a MinHash, bytes, an array('I'), a NumPy
    array or any sequence of ints below 2**32."""
    if isinstance(sig, MinHash):
        return sig._sig
    if isinstance(sig, (bytes, bytearray)):
        return sig
    if isinstance(sig, array) and sig.typecode == "I":
        return sig.tobytes()
    if _np is not None and isinstance(sig, _np.ndarray) and sig.dtype == _np.uint32:
        return _np.ascontiguousarray(sig).tobytes()
    return array("I", [int(v) for v in sig]).tobytes()


def estimate(sig_a, sig_b):
    """The Jaccard estimate of two signatures of the same length: the share
    of equal positions (fw_minhash_estimate). Rows of Sketcher.minhash(),
    MinHash objects, array('I') or sequences of ints."""
    return _fanwen.estimate(_signature_bytes(sig_a), _signature_bytes(sig_b))


class Sketcher:
    """The scan's signatures of texts, outside a scan.

    ``Sketcher(ngram, perms, seed, template, sketch, canon).minhash(texts)``
    gives, for each text, exactly the signature that scan() with the same
    options computes for it: normalized (NFKC, case folded, white space,
    punctuation and controls dropped), in template mode digit runs folded
    and the canon table applied, every character n-gram hashed with XXH3-64
    (seeded), then K-permutation MinHash, or one-permutation hashing with
    sketch='oph'. A text with nothing left gets all values 0xFFFFFFFF (the
    scan gives such a document no signature at all).

    Texts are sketched in parallel on `threads` threads (0: all cores), the
    GIL released; the rows do not depend on the thread count.
    """

    def __init__(self, ngram=5, perms=128, seed=0, template=False, sketch="minhash",
                 canon=None, threads=0):
        self._core = _fanwen.Sketcher(ngram, perms, seed, bool(template), sketch, canon)
        self.ngram, self.perms, self.seed = ngram, perms, seed
        self.template, self.sketch, self.canon = bool(template) or canon is not None, sketch, canon
        self.threads = threads

    def minhash(self, texts):
        """Signatures of a list of texts (str or bytes): a len(texts) x perms
        uint32 NumPy array, or without NumPy a list of array('I') rows."""
        if isinstance(texts, (str, bytes)):
            raise TypeError("minhash() takes a list of texts; wrap a single text in a list")
        return _matrix(self._core.sketch(texts, self.threads), self.perms)

    jaccard_estimate = staticmethod(estimate)

    def __repr__(self):
        return "Sketcher(ngram=%d, perms=%d, seed=%d, template=%r, sketch=%r)" % (
            self.ngram, self.perms, self.seed, self.template, self.sketch)


@lru_cache(maxsize=32)
def _sketcher(ngram, perms, seed, template):
    return _fanwen.Sketcher(ngram, perms, seed, template, "minhash", None)


@lru_cache(maxsize=32)
def _token_hasher(num_perm, seed):
    return _fanwen.TokenHasher(num_perm, seed)


_UINT32_MAX = 0xFFFFFFFF


def _check_int(name, value, lo, hi):
    """ArgumentError unless value is an int (or stands for one, as NumPy's
    do) from lo to hi."""
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__)) from None
    if not lo <= number <= hi:
        raise ArgumentError("%s must be between %d and %d, got %d" % (name, lo, hi, number))


class MinHash:
    """A MinHash with datasketch's method names, on fanwen's permutations.

    ``update(b)`` hashes one token (bytes, or str as UTF-8) with XXH3-64
    seeded by `seed` and keeps, for each of the num_perm permutations
    (a*x + b) mod 2**32 of the hash's low 32 bits (fw_minhasher), the
    minimum. ``MinHash.from_text(text, ngram)`` is the signature a scan
    makes of a text (the Sketcher's), whose tokens are character n-grams
    packed as 3-byte code points: update() with a text's n-grams as str
    gives a different signature.

    Two MinHashes compare (jaccard, merge) only with the same num_perm and
    seed; otherwise ValueError. ``hashvalues`` is a uint32 NumPy array that
    follows updates, or without NumPy an array('I') copy.
    """

    def __init__(self, num_perm=128, seed=0, hashvalues=None):
        # checked before anything is made of them: a seed past 64 bits
        # would be cut to its low bits by the C side, and a huge num_perm
        # would be allocated
        _check_int("seed", seed, 0, 2**64 - 1)
        if hashvalues is not None:
            sig = bytearray(_signature_bytes(hashvalues))
            if len(sig) % 4:
                raise ValueError("hashvalues must be 32-bit values")
            num_perm = len(sig) // 4
        else:
            _check_int("num_perm", num_perm, 1, 1024)
            sig = bytearray(b"\xff" * (4 * num_perm))
        _check_int("num_perm", num_perm, 1, 1024)
        self.seed = seed
        self._sig = sig

    @classmethod
    def from_text(cls, text, ngram=5, num_perm=128, seed=0, template=False):
        """The scan's signature of one text: Sketcher(ngram, num_perm, seed,
        template).minhash([text])[0] as a MinHash."""
        sig = _sketcher(ngram, num_perm, seed, bool(template)).sketch([text], 1)
        return cls(seed=seed, hashvalues=sig)

    @classmethod
    def union(cls, *mhs):
        """A new MinHash, the union of two or more."""
        if len(mhs) < 2:
            raise ValueError("union needs at least 2 MinHashes")
        out = mhs[0].copy()
        for m in mhs[1:]:
            out.merge(m)
        return out

    def _check(self, other, what):
        if not isinstance(other, MinHash):
            raise TypeError("%s needs a fanwen.MinHash, not %s" % (what, type(other).__name__))
        if other.seed != self.seed or len(other) != len(self):
            raise ValueError("cannot %s MinHashes of different seeds or num_perm "
                             "(%d/%d and %d/%d)" % (what, self.seed, len(self), other.seed,
                                                    len(other)))

    def update(self, b):
        """Adds one token: bytes, or str (as UTF-8)."""
        _token_hasher(len(self), self.seed).fold(self._sig, (b,))

    def update_batch(self, b):
        """Adds every token of an iterable at once."""
        _token_hasher(len(self), self.seed).fold(self._sig, b)

    def jaccard(self, other):
        """The Jaccard estimate: the share of equal values."""
        self._check(other, "jaccard")
        return _fanwen.estimate(self._sig, other._sig)

    def merge(self, other):
        """Makes this the MinHash of the union: the element-wise minimum."""
        self._check(other, "merge")
        _fanwen.signature_min(self._sig, other._sig)

    def count(self):
        """The estimated number of distinct tokens (as datasketch computes it)."""
        values = array("I", self._sig)
        return len(values) / sum(v / _UINT32_MAX for v in values) - 1.0

    def is_empty(self):
        """True while nothing was added."""
        return self._sig == b"\xff" * len(self._sig)

    def clear(self):
        self._sig[:] = b"\xff" * len(self._sig)

    def copy(self):
        return MinHash(seed=self.seed, hashvalues=bytes(self._sig))

    @property
    def hashvalues(self):
        if _np is not None:
            return _np.frombuffer(self._sig, dtype=_np.uint32)
        return array("I", self._sig)

    def digest(self):
        """A copy of the values."""
        if _np is not None:
            return _np.frombuffer(bytes(self._sig), dtype=_np.uint32).copy()
        return array("I", self._sig)

    def to_datasketch(self):
        """A datasketch.MinHash with these values, num_perm and seed.

        Its values compare only with other MinHashes converted from fanwen
        (same num_perm and seed): fanwen's hash and permutations are not
        datasketch's, so a jaccard() against a MinHash datasketch built
        itself, or update() on the converted one, mixes two schemes and
        means nothing. datasketch is imported here, only; ImportError if it
        is not installed.
        """
        try:
            import datasketch
        except ImportError as e:
            raise ImportError("MinHash.to_datasketch() needs the datasketch package, "
                              "which is not installed") from e
        return datasketch.MinHash(num_perm=len(self), seed=self.seed,
                                  hashvalues=list(array("I", self._sig)))

    def __len__(self):
        return len(self._sig) // 4

    def __eq__(self, other):
        return (type(self) is type(other) and self.seed == other.seed
                and self._sig == other._sig)

    __hash__ = None  # mutable

    def __repr__(self):
        return "<fanwen.MinHash num_perm=%d seed=%d%s>" % (
            len(self), self.seed, " empty" if self.is_empty() else "")


# ---------------------------------------------------------------- index

from ._index import Index, IndexResult, IndexReuse, IndexSpan, Match  # noqa: E402

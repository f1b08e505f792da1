"""fanwen.Index: a persistent index, from Python (``fanwen index`` and
``fanwen query`` of the CLI; README.md, "A persistent index").

Scan an archive once, then check new documents against it:

    >>> ix = fanwen.Index.create("library.ix", texts)     # index build
    >>> with fanwen.Index("library.ix") as ix:            # read
    ...     r = ix.query(new_texts, ids=new_ids)          # fanwen query
    ...     r.pairs      # id_a, id_b, jaccard, ..., a_indexed, b_indexed
    ...     r.spans      # the reused stretches, byte offsets in each text
    >>> with fanwen.Index("library.ix", write=True) as ix:
    ...     ix.add(more_texts)                            # index add
    ...     ix.remove(["id-7"]); ix.compact()

A query's rows are exactly those of a scan of the indexed documents and
the new ones together that involve a new one (the library's promise,
include/fanwen.h). One writer at a time: opening to write waits for the
index's lock, which close() releases.
"""
import os
from collections import namedtuple

from . import _fanwen
from . import (_DOCUMENT_DTYPES, Document, Result, _Tables, _add_paths, _add_texts, _numbers,
               _objects, _pick, _ratios, _table)

__all__ = ["Index", "IndexResult", "Match", "IndexSpan", "IndexReuse"]

#: A pair with a new document, as pairs.csv has it (id_a < id_b), and
#: which side is indexed (bool). jaccard, a_in_b and b_in_a are None (NaN
#: in arrays) for a pair not verified.
Match = namedtuple("Match", "id_a id_b jaccard est_jaccard a_in_b b_in_a a_indexed b_indexed")
#: A reused span with a new document, as spans.csv has it (byte offsets in
#: each document's text, end exclusive), and which side is indexed.
IndexSpan = namedtuple("IndexSpan", "id_a a_start a_end id_b b_start b_end a_chars b_chars "
                                    "matched_chars similarity a_indexed b_indexed")
#: A reuse row with a new document, as reuse.csv has it, and which side is
#: indexed.
IndexReuse = namedtuple("IndexReuse", "id_a id_b shared_passages shared_chars a_in_b b_in_a "
                                      "a_indexed b_indexed")

_MATCH_DTYPES = (object, object, "f8", "f8", "f8", "f8", "?", "?")
_SPAN_DTYPES = (object, "u8", "u8", object, "u8", "u8", "u8", "u8", "u8", "f8", "?", "?")
_REUSE_DTYPES = (object, object, "u8", "u8", "f8", "f8", "?", "?")


def _flags(column):
    """A 0/1 int column as bools."""
    return [bool(v) for v in _numbers(column)]


class IndexResult(_Tables):
    """What Index.query() found: pairs (Match rows), spans (IndexSpan) and
    reuse (IndexReuse), each a NumPy structured array or, without NumPy, a
    list of named tuples, in the order of the CSVs ``fanwen query`` writes;
    write() writes those CSVs, and docs.csv and clusters.csv. The batch's
    own scan (its documents' status, its stats) is ``batch``, a Result.

    Holds the batch's memory until close() (or the end of a ``with``
    block, or garbage collection); tables already read stay usable.
    """

    def __init__(self, core):
        super().__init__(core)
        self.batch = Result(core.batch())

    @property
    def documents(self):
        """docs.csv of the query: each new document in input order (Document
        rows), its id as the query named it ("id#2" for an id the index
        held), reused_share its characters' share reused from archived or
        new documents (NaN, None without tuples, without passages), cluster
        the id naming its cluster or None."""
        return self._get("documents", self._build_documents)

    def _build_documents(self):
        from . import _np  # read now: the tests switch it
        d = self._core.documents()
        status = _pick(_objects(list(_fanwen.DOC_STATUS)), _numbers(d["status"]))
        # without the passage level the shares are negative: NaN or None, as
        # Result.documents has them, and passages -1 or None
        passages_on = all(v >= 0 for v in _numbers(d["reused_share"]))
        n = len(d["id"])
        if passages_on:
            passages = _numbers(d["passages"])
        else:
            passages = _np.full(n, -1) if _np is not None else [None] * n
        shares = [_ratios(_numbers(d[k])) for k in ("reused_share", "boilerplate_share")]
        cluster = [c or None for c in d["cluster"]]
        message = d["message"]
        return _table(Document, _DOCUMENT_DTYPES,
                      [d["id"], status, _numbers(d["bytes"]), _numbers(d["chars"]),
                       _numbers(d["shingles"]), passages, shares[0], shares[1], cluster,
                       message])

    @property
    def pairs(self):
        """The pairs with a new document at Jaccard >= threshold."""
        return self._get("pairs", self._build_pairs)

    def _build_pairs(self):
        p = self._core.pairs()
        return _table(Match, _MATCH_DTYPES,
                      [p["id_a"], p["id_b"], _ratios(_numbers(p["jaccard"])),
                       _numbers(p["estimate"]), _ratios(_numbers(p["a_in_b"])),
                       _ratios(_numbers(p["b_in_a"])), _flags(p["a_indexed"]),
                       _flags(p["b_indexed"])])

    @property
    def spans(self):
        """The reused spans with a new document (empty without passages)."""
        return self._get("spans", self._build_spans)

    def _build_spans(self):
        s = self._core.spans()
        return _table(IndexSpan, _SPAN_DTYPES,
                      [s["id_a"], _numbers(s["a_start"]), _numbers(s["a_end"]), s["id_b"],
                       _numbers(s["b_start"]), _numbers(s["b_end"]), _numbers(s["a_chars"]),
                       _numbers(s["b_chars"]), _numbers(s["matched"]),
                       _numbers(s["similarity"]), _flags(s["a_indexed"]),
                       _flags(s["b_indexed"])])

    @property
    def reuse(self):
        """The reuse rows with a new document (empty without passages)."""
        return self._get("reuse", self._build_reuse)

    def _build_reuse(self):
        r = self._core.reuse()
        return _table(IndexReuse, _REUSE_DTYPES,
                      [r["id_a"], r["id_b"], _numbers(r["shared_passages"]),
                       _numbers(r["shared_chars"]), _numbers(r["a_in_b"]),
                       _numbers(r["b_in_a"]), _flags(r["a_indexed"]), _flags(r["b_indexed"])])

    def write(self, directory):
        """Writes pairs.csv, clusters.csv, docs.csv and, with passages,
        reuse.csv and spans.csv into `directory` (created if missing): the
        bytes ``fanwen query --index DIR -o directory`` writes (it adds
        summary.json). Needs the index open."""
        self._core.write(os.fsencode(directory))

    def close(self):
        """Frees the result and its batch. Tables already read stay usable."""
        self._core.close()
        self.batch.close()

    def __repr__(self):
        try:
            return "<fanwen.IndexResult: %d pairs, %d spans>" % (len(self.pairs),
                                                                 len(self.spans))
        except (_fanwen.Error, ValueError):
            return "<fanwen.IndexResult: closed>"


class Index:
    """A persistent index (``fanwen index``): opened to read, or with
    ``write=True`` to add, remove and compact (waiting for the writer's
    lock, which close() releases). Index.create() makes a new one.

    Errors are fanwen.Error subclasses with the library's message: a
    damaged file names itself (fanwen.Error), a parameter that differs from
    the index's names both values (ArgumentError), a missing index is a
    FileError.
    """

    def __init__(self, path, *, write=False, _core=None):
        self._core = _core if _core is not None else _fanwen.Index(os.fsencode(path),
                                                                   bool(write))
        self.path = os.fspath(path)
        self._writer = bool(write) or _core is not None  # create() makes writers

    @classmethod
    def create(cls, path, inputs=None, *, ids=None, paths=False, passage_model=None,
               **options):
        """Creates the index directory `path` (absent or empty) with the
        parameters of `options` (the keywords of fanwen.scan: threshold,
        ngram, passages, min_passage, template, canon, ...; threads and
        reading options are not the index's), adds `inputs` if given (as
        add() takes them) and returns it open for writing: ``fanwen index
        build``. `passage_model` gives the passage model (a file of
        Result.write_passage_model()) instead of learning it from the first
        batch."""
        reading = {k: options.pop(k) for k in ("threads", "text_field", "id_field",
                                               "max_doc_bytes", "memory_limit", "tmp_dir")
                   if k in options}
        if reading and inputs is None:
            raise TypeError("%s= goes with inputs (how to read them), which create() was not "
                            "given" % next(iter(reading)))
        ix = cls(path, _core=_fanwen.index_create(os.fsencode(path), options))
        try:
            if passage_model is not None:
                ix._core.use_passage_model(os.fsencode(passage_model))
            if inputs is not None:
                ix.add(inputs, ids=ids, paths=paths, **reading)
        except BaseException:
            ix.close()
            raise
        return ix

    def _batch(self, inputs, ids, paths, to_add, options):
        if paths and ids is not None:
            raise TypeError("ids= goes with texts; a path's id is its path")
        core = self._core.batch(options, to_add)
        try:
            if paths:
                _add_paths(core, inputs)
            else:
                _add_texts(core, inputs, ids)
            return self._core.query(core)
        except BaseException:
            core.close()
            raise

    def query(self, inputs, *, ids=None, paths=False, add=False, **options):
        """Checks new documents against the index and among themselves
        (``fanwen query``) and returns an IndexResult. `inputs`, `ids` and
        `paths` as for fanwen.scan; `options` are the reading ones
        (threads, text_field, id_field, max_doc_bytes) or answer-changing
        ones equal to the index's (others are an ArgumentError naming the
        parameter). An id the index holds already is renamed "id#2", as a
        scan renames repeats. With add=True (an index open to write) the
        batch is then added (``query --add``)."""
        if add and not self._writer:  # before the query's work, not after
            raise _fanwen.ArgumentError("query(add=True): the index was opened to read; "
                                        "open it with Index(path, write=True)")
        result = IndexResult(self._batch(inputs, ids, paths, False, options))
        if add:
            try:
                self._core.add(result._core)
            except BaseException:
                result.close()
                raise
        return result

    def add(self, inputs, *, ids=None, paths=False, **options):
        """Adds new documents as a segment (``fanwen index add``): found
        pairs are kept, spans are not made. Returns how many documents
        were added."""
        core = self._batch(inputs, ids, paths, True, options)
        result = IndexResult(core)
        with result:
            self._core.add(core)
            return sum(result.batch.stats["documents"].values())

    def remove(self, ids):
        """Marks the documents with these ids removed (tombstones); returns
        how many were found. Of x, x#2, x#3 (one id given three times) one
        goes only with those after it, else ArgumentError and nothing is
        removed."""
        if isinstance(ids, (str, bytes)):
            raise TypeError("remove() takes a collection of ids, not a single one")
        return self._core.remove(list(ids))

    def compact(self):
        """Merges every segment into one, removed documents left out
        (``fanwen index compact``). Changes no answer."""
        self._core.compact()

    def check(self):
        """Checks every block and text of every segment (``index info
        --check``): fanwen.Error naming a damaged file."""
        self._core.check()

    def text(self, id, raw=False):
        """The text of the indexed document `id` as it was indexed: the
        text spans' byte offsets count in (as bytes with raw=True; else a
        str, bytes that are not UTF-8 replaced). ArgumentError when no live
        document has the id; "" for one indexed without a text (empty,
        unreadable)."""
        data, _status = self._core.text(id)
        return data if raw else data.decode("utf-8", "replace")

    @property
    def info(self):
        """``fanwen index info`` as a dict: generation, documents, removed,
        segments, pairs, the files' bytes, the passage model."""
        return self._core.info()

    @property
    def segments(self):
        """[(name, documents, first, last)] of the current generation."""
        return self._core.segments()

    @property
    def options(self):
        """The index's parameters, as the keywords of fanwen.scan."""
        return self._core.options()

    @property
    def warning(self):
        """The library's message of the last call: after an add, remove or
        compact that succeeded, "" or why it may not survive a power loss
        (flushing the directory failed)."""
        return self._core.message()

    def close(self):
        """Closes the index; a writer's lock is released once the results
        of its queries are closed too."""
        self._core.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        try:
            info = self.info
            return "<fanwen.Index %r: %d documents, %d segments>" % (
                self.path, info["documents"], info["segments"])
        except (_fanwen.Error, ValueError):
            return "<fanwen.Index %r: closed>" % self.path

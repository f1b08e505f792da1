/*
 * fanwen_py.h — what the three files of the CPython extension share.
 *
 * The extension (fanwen._fanwen) is a thin wrapper of the public API in
 * include/fanwen.h and nothing more: it turns Python objects into the
 * library's arguments, runs the library with the GIL released, and hands
 * results back as plain objects (lists of str, and numbers packed in bytes
 * with a typecode that both array.array and numpy.frombuffer read). The
 * Python layer (fanwen/__init__.py) shapes those into tuples or NumPy
 * arrays, so NumPy stays optional and the C side never imports it.
 *
 * It is compiled against the limited API of Python 3.8 (Py_LIMITED_API is
 * set by setup.py), so one abi3 build loads in every CPython from 3.8 on;
 * that rules out the buffer protocol (3.11) and PyUnicode_AsUTF8AndSize
 * (3.10), hence bytes and bytearray where a buffer would do.
 *
 *   module.c   exceptions, text encoding, module init, the small
 *              signature helpers (estimate, element-wise min)
 *   scan.c     _fanwen.Scan: options table, adding, running, results
 *   sketch.c   _fanwen.Sketcher (the scan's signatures, in parallel) and
 *              _fanwen.TokenHasher (MinHash of single tokens)
 *   index.c    _fanwen.Index (a persistent index: open, create, query,
 *              add, remove, compact) and _fanwen.IndexResult
 */
#ifndef FANWEN_PY_H
#define FANWEN_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "fanwen.h"

/* Exceptions: Error and its subclasses that are also the matching
 * built-in one (ArgumentError is a ValueError, and so on). */
extern PyObject *fwpy_Error, *fwpy_ArgumentError, *fwpy_FileError, *fwpy_NoMemoryError;

/* Raises the exception for `st` with `message` (the library's; the status
 * text when empty). Returns NULL. */
PyObject *fwpy_raise(fw_status st, const char *message);

/* A str or bytes as bytes: bytes as they are, str as UTF-8 with the error
 * handler `errors` (NULL: strict). New reference, or NULL with TypeError
 * naming `what` for any other type. */
PyObject *fwpy_utf8(PyObject *obj, const char *errors, const char *what);

/* An id as bytes for the library (str as UTF-8, bytes that are not kept
 * by surrogateescape): a new reference, or NULL with TypeError naming
 * `what`, or ValueError when it holds a NUL (the library takes C
 * strings). */
PyObject *fwpy_id(PyObject *obj, const char *what);

/* A C string as str: UTF-8, bytes that are not (file names) kept by
 * surrogateescape, as os.fsdecode does. */
PyObject *fwpy_str(const char *s);

/* Texts encoded a chunk at a time: the GIL is held while a chunk is
 * encoded and released while the library works on it, so memory beyond
 * the caller's objects stays at about one chunk. */
typedef struct fwpy_text {
    const char *data;
    size_t len;
} fwpy_text;

typedef struct fwpy_chunk {
    PyObject *keep;     /* a list holding the encoded bytes objects */
    fwpy_text *texts;
    Py_ssize_t n, cap;
    Py_ssize_t base;    /* added to an item's index in error messages */
} fwpy_chunk;

/* Encodes items [start, start + n) of `list`, n at most `max_items` and
 * fewer once about FWPY_CHUNK_BYTES are taken. Returns n (0 at the end),
 * or -1 with an exception. `errors` as for fwpy_utf8(). */
#define FWPY_CHUNK_BYTES ((size_t)64 << 20)
Py_ssize_t fwpy_chunk_fill(fwpy_chunk *c, PyObject *list, Py_ssize_t start,
                           Py_ssize_t max_items, const char *errors, const char *what);
void fwpy_chunk_free(fwpy_chunk *c);

/* The signature inside a bytes or bytearray: `*k` 32-bit values. */
int fwpy_signature(PyObject *obj, uint32_t **values, unsigned *k, const char *what);

/* Keyword dict → options (scan.c's table), over what `o` holds; None
 * leaves a value. Strings are kept alive in the list `keep`. -1 with an
 * exception (TypeError for an unknown keyword). */
int fwpy_apply_options(PyObject *dict, fw_scan_options *o, PyObject *keep);
PyObject *fwpy_options_dict(const fw_scan_options *o);

/* One member of a library struct, read into a column or a dict entry.
 * Kinds are array.array typecodes ('I' uint32, 'i' int, 'Q' uint64, 'q'
 * int64, 'd' double) and 's' (const char *) and 'a' (inline char array). */
typedef struct fwpy_field {
    const char *name;
    char kind;
    size_t offset;
} fwpy_field;
#define FWPY_FIELD(type, name, kind) {#name, kind, offsetof(type, name)}
#define FWPY_COUNT(a) (sizeof a / sizeof *a)

typedef fw_status (*fwpy_row_fn)(const void *ctx, size_t i, void *row);

/* A table as {name: (typecode, bytes) or [str]}: `count` rows got by
 * `get` into `row`. NULL with an exception, or with none and *failed set
 * to the status of the row that failed (the caller raises its message). */
PyObject *fwpy_columns(const fwpy_field *fields, size_t nfields, size_t count,
                       fwpy_row_fn get, const void *ctx, void *row, fw_status *failed);
/* A struct as a dict of its fields. */
PyObject *fwpy_struct_dict(const fwpy_field *fields, size_t n, const void *row);

/* A Scan (scan.c) that is an index's batch (index.c): made by
 * fw_index_batch_new() or, with to_add, fw_index_batch_to_add(), over
 * the index's options and then `options`; it holds `owner` (the index's
 * Python object) and calls fwpy_index_release(owner) once freed. */
PyObject *fwpy_scan_batch(fw_index *index, PyObject *owner, PyObject *options, int to_add);
/* Takes a Scan for a call that runs it (fw_index_query), GIL about to be
 * released: *scan its fw_scan; -1 with an exception when it is not a
 * batch of `owner`, or closed, failed or in use. fwpy_scan_end() after,
 * with the call's status (a failure other than FW_ERR_ARG leaves only its
 * stats). */
int fwpy_scan_begin(PyObject *obj, PyObject *owner, fw_scan **scan);
void fwpy_scan_end(PyObject *obj, fw_status st);
/* A result made from the Scan refers to it: pinned, close() refuses. */
void fwpy_scan_pin(PyObject *obj, int delta);
/* Its message (fw_scan_error()), "" when closed. */
const char *fwpy_scan_error(PyObject *obj);
/* A batch of the index `owner` was freed (index.c). */
void fwpy_index_release(PyObject *owner);

/* Adds the types of scan.c, sketch.c and index.c to the module. */
int fwpy_add_scan(PyObject *module);
int fwpy_add_sketch(PyObject *module);
int fwpy_add_index(PyObject *module);

#endif

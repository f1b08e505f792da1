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

/* Adds the types of scan.c and sketch.c to the module. */
int fwpy_add_scan(PyObject *module);
int fwpy_add_sketch(PyObject *module);

#endif

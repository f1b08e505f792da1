/*
 * module.c — fanwen._fanwen: exceptions, text encoding, signature helpers
 * and module init. See fanwen_py.h for the design.
 *
 * Errors: the library's fw_status becomes one exception class per status,
 * each a subclass of fanwen.Error and of the built-in exception a Python
 * programmer would catch (FW_ERR_ARG a ValueError, FW_ERR_IO an OSError,
 * FW_ERR_NOMEM a MemoryError), carrying the library's own message: the
 * `why` of fw_scan_new() or fw_scan_error().
 */
#include "fanwen_py.h"

#include <stdint.h>
#include <string.h>

PyObject *fwpy_Error, *fwpy_ArgumentError, *fwpy_FileError, *fwpy_NoMemoryError;

PyObject *fwpy_raise(fw_status st, const char *message)
{
    PyObject *type = st == FW_ERR_ARG     ? fwpy_ArgumentError
                     : st == FW_ERR_IO    ? fwpy_FileError
                     : st == FW_ERR_NOMEM ? fwpy_NoMemoryError
                                          : fwpy_Error;
    if (!message || !*message) message = fw_status_str(st);
    /* a message may quote a file name that is not UTF-8 */
    PyObject *text = PyUnicode_DecodeUTF8(message, (Py_ssize_t)strlen(message), "replace");
    if (text) {
        PyErr_SetObject(type, text);
        Py_DECREF(text);
    }
    return NULL;
}

PyObject *fwpy_utf8(PyObject *obj, const char *errors, const char *what)
{
    if (PyBytes_Check(obj)) {
        Py_INCREF(obj);
        return obj;
    }
    if (PyUnicode_Check(obj)) {
        /* strict first: twice as fast as with an error handler, and only
         * a str with lone surrogates needs one */
        PyObject *b = PyUnicode_AsUTF8String(obj);
        if (b || !errors || !PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return b;
        PyErr_Clear();
        return PyUnicode_AsEncodedString(obj, "utf-8", errors);
    }
    PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(obj), "__name__");
    if (name) {
        PyErr_Format(PyExc_TypeError, "%s must be str or bytes, not %U", what, name);
        Py_DECREF(name);
    }
    return NULL;
}

PyObject *fwpy_id(PyObject *obj, const char *what)
{
    PyObject *b = fwpy_utf8(obj, "surrogateescape", what);
    if (b && strlen(PyBytes_AsString(b)) != (size_t)PyBytes_Size(b)) {
        PyErr_Format(PyExc_ValueError, "%s contains a NUL character", what);
        Py_CLEAR(b);
    }
    return b;
}

PyObject *fwpy_str(const char *s)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "surrogateescape");
}

/* ------------------------------------------------------------ chunks */

/* TypeError naming the item, e.g. "text 3 must be str or bytes, not int". */
static PyObject *type_error(const char *what, Py_ssize_t i, PyObject *obj)
{
    char label[64];
    snprintf(label, sizeof label, "%s %zd", what, i);
    return fwpy_utf8(obj, NULL, label);
}

static int chunk_reserve(fwpy_chunk *c, Py_ssize_t n)
{
    if (!c->keep && !(c->keep = PyList_New(0))) return -1;
    if (n <= c->cap) return 0;
    fwpy_text *t = PyMem_Realloc(c->texts, (size_t)n * sizeof *t);
    if (!t) {
        PyErr_NoMemory();
        return -1;
    }
    c->texts = t;
    c->cap = n;
    return 0;
}

Py_ssize_t fwpy_chunk_fill(fwpy_chunk *c, PyObject *list, Py_ssize_t start,
                           Py_ssize_t max_items, const char *errors, const char *what)
{
    Py_ssize_t size = PyList_Size(list);
    if (size < 0) return -1;
    Py_ssize_t end = size - start < max_items ? size : start + max_items;
    if (chunk_reserve(c, end - start) < 0) return -1;
    if (PyList_SetSlice(c->keep, 0, PyList_Size(c->keep), NULL) < 0) return -1;
    size_t bytes = 0;
    c->n = 0;
    for (Py_ssize_t i = start; i < end && bytes < FWPY_CHUNK_BYTES; i++) {
        PyObject *item = PyList_GetItem(list, i);
        PyObject *b = PyBytes_Check(item) || PyUnicode_Check(item)
                          ? fwpy_utf8(item, errors, what)
                          : type_error(what, c->base + i, item);
        if (!b || PyList_Append(c->keep, b) < 0) {
            Py_XDECREF(b);
            return -1;
        }
        Py_DECREF(b); /* the list keeps it */
        char *data;
        Py_ssize_t len;
        if (PyBytes_AsStringAndSize(b, &data, &len) < 0) return -1;
        c->texts[c->n++] = (fwpy_text){data, (size_t)len};
        bytes += (size_t)len;
    }
    return c->n;
}

void fwpy_chunk_free(fwpy_chunk *c)
{
    Py_CLEAR(c->keep);
    PyMem_Free(c->texts);
    *c = (fwpy_chunk){0};
}

/* -------------------------------------------------------- signatures */

int fwpy_signature(PyObject *obj, uint32_t **values, unsigned *k, const char *what)
{
    char *data;
    Py_ssize_t len;
    if (PyByteArray_Check(obj)) {
        data = PyByteArray_AsString(obj);
        len = PyByteArray_Size(obj);
    } else if (PyBytes_Check(obj)) {
        if (PyBytes_AsStringAndSize(obj, &data, &len) < 0) return -1;
    } else {
        PyErr_Format(PyExc_TypeError, "%s must be bytes or bytearray", what);
        return -1;
    }
    if (len <= 0 || len % 4 || len / 4 > 1024 || (uintptr_t)data % 4) {
        PyErr_Format(PyExc_ValueError, "%s must hold 1 to 1024 aligned 32-bit values", what);
        return -1;
    }
    *values = (uint32_t *)(void *)data;
    *k = (unsigned)(len / 4);
    return 0;
}

static PyObject *estimate(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *a, *b;
    uint32_t *va, *vb;
    unsigned ka, kb;
    if (!PyArg_ParseTuple(args, "OO:estimate", &a, &b) ||
        fwpy_signature(a, &va, &ka, "signature a") < 0 ||
        fwpy_signature(b, &vb, &kb, "signature b") < 0)
        return NULL;
    if (ka != kb)
        return PyErr_Format(PyExc_ValueError, "signatures of %u and %u values", ka, kb);
    return PyFloat_FromDouble(fw_minhash_estimate(va, vb, ka));
}

/* dst = min(dst, src) element-wise: the signature of the union. */
static PyObject *signature_min(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *dst, *src;
    uint32_t *d, *s;
    unsigned kd, ks;
    if (!PyArg_ParseTuple(args, "O!O:signature_min", &PyByteArray_Type, &dst, &src) ||
        fwpy_signature(dst, &d, &kd, "dst") < 0 || fwpy_signature(src, &s, &ks, "src") < 0)
        return NULL;
    if (kd != ks)
        return PyErr_Format(PyExc_ValueError, "signatures of %u and %u values", kd, ks);
    for (unsigned i = 0; i < kd; i++)
        if (s[i] < d[i]) d[i] = s[i];
    Py_RETURN_NONE;
}

static PyObject *library_version(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyUnicode_FromString(fw_version());
}

static PyMethodDef module_methods[] = {
    {"estimate", estimate, METH_VARARGS,
     "estimate(a, b) -> float: fw_minhash_estimate of two signatures (bytes)."},
    {"signature_min", signature_min, METH_VARARGS,
     "signature_min(dst: bytearray, src) -> None: element-wise minimum into dst."},
    {"library_version", library_version, METH_NOARGS,
     "The version of the linked libfanwen (fw_version())."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "fanwen._fanwen",
    "The C core of fanwen: a thin wrapper of libfanwen's public API. Use the "
    "fanwen package, which shapes its results.",
    -1, module_methods, NULL, NULL, NULL, NULL};

/* fanwen.NAME, a subclass of `bases` (a type or a tuple of types). */
static int add_exception(PyObject *module, PyObject **slot, const char *name,
                         PyObject *bases, const char *doc)
{
    char qualified[64];
    snprintf(qualified, sizeof qualified, "fanwen.%s", name);
    *slot = PyErr_NewExceptionWithDoc(qualified, doc, bases, NULL);
    if (!*slot) return -1;
    Py_INCREF(*slot); /* one for the module, one for the C code */
    return PyModule_AddObject(module, name, *slot);
}

static int add_subclass(PyObject *module, PyObject **slot, const char *name,
                        PyObject *builtin, const char *doc)
{
    PyObject *bases = PyTuple_Pack(2, fwpy_Error, builtin);
    if (!bases) return -1;
    int r = add_exception(module, slot, name, bases, doc);
    Py_DECREF(bases);
    return r;
}

static int add_exceptions(PyObject *m)
{
    if (add_exception(m, &fwpy_Error, "Error", PyExc_Exception,
                      "An error reported by libfanwen, with its message.") < 0 ||
        add_subclass(m, &fwpy_ArgumentError, "ArgumentError", PyExc_ValueError,
                     "FW_ERR_ARG: an option or argument out of range.") < 0 ||
        add_subclass(m, &fwpy_FileError, "FileError", PyExc_OSError,
                     "FW_ERR_IO: a file could not be read or written.") < 0 ||
        add_subclass(m, &fwpy_NoMemoryError, "NoMemoryError", PyExc_MemoryError,
                     "FW_ERR_NOMEM: an allocation failed.") < 0)
        return -1;
    return 0;
}

/* The names of fw_doc_status values, indexed by value. */
static PyObject *status_names(void)
{
    PyObject *names = PyTuple_New(FW_DOC_STATUS_COUNT);
    for (int i = 0; names && i < FW_DOC_STATUS_COUNT; i++) {
        PyObject *s = PyUnicode_FromString(fw_doc_status_name((fw_doc_status)i));
        if (!s || PyTuple_SetItem(names, i, s) < 0) {
            Py_CLEAR(names);
        }
    }
    return names;
}

PyMODINIT_FUNC PyInit__fanwen(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    PyObject *statuses = status_names();
    if (add_exceptions(m) < 0 || !statuses ||
        PyModule_AddObject(m, "DOC_STATUS", statuses) < 0 ||
        PyModule_AddStringConstant(m, "__version__", FW_VERSION_STRING) < 0 ||
        fwpy_add_scan(m) < 0 || fwpy_add_sketch(m) < 0 || fwpy_add_index(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

/*
 * index.c — _fanwen.Index, one fw_index (a persistent index: include/
 * fanwen.h, "index"), and _fanwen.IndexResult, one fw_index_result. The
 * Python layer (fanwen.Index) drives them; this file only translates.
 *
 * Lifetimes follow the library's rules. A batch (a Scan made by
 * fw_index_batch_new) borrows from its index (the passage model), so it
 * holds the index's object and counts as one of its dependents; a result
 * refers to its batch, so it holds and pins it (the batch's close()
 * refuses) and frees itself first. close() on an index with dependents
 * left marks it closed at once (every call then says so) and frees it
 * (fw_index_close, which releases a writer's lock) when the last one
 * goes.
 *
 * Calls that read or write the index's files, or wait for its lock, run
 * with the GIL released and the index marked busy: another Python thread
 * touching it meanwhile gets a RuntimeError, not a race.
 */
#include "fanwen_py.h"

#include <stdlib.h>
#include <string.h>

typedef struct IndexObject {
    PyObject_HEAD
    fw_index *index;
    int closed;             /* close() was called (index freed or not yet) */
    int busy;               /* a call is under way, GIL released */
    Py_ssize_t dependents;  /* its batches alive */
} IndexObject;

typedef struct ResultObject {
    PyObject_HEAD
    fw_index_result *result;
    PyObject *index;        /* IndexObject */
    PyObject *batch;        /* the Scan it refers to (pinned) */
    int busy;
} ResultObject;

static PyTypeObject *index_type, *result_type;

/* ------------------------------------------------------------ helpers */

static void index_free(IndexObject *self)
{
    fw_index_close(self->index);
    self->index = NULL;
}

void fwpy_index_release(PyObject *owner)
{
    IndexObject *self = (IndexObject *)owner;
    if (--self->dependents == 0 && self->closed) index_free(self);
}

/* May the index be used now? */
static int usable(IndexObject *self)
{
    if (self->closed || !self->index) {
        PyErr_SetString(PyExc_ValueError, "the index is closed");
        return 0;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the index is in use by another thread");
        return 0;
    }
    return 1;
}

static PyObject *index_raise(IndexObject *self, fw_status st)
{
    if (PyErr_Occurred()) return NULL; /* KeyboardInterrupt from a batch */
    return fwpy_raise(st, self->index ? fw_index_error(self->index) : NULL);
}

/* The message fw_index_on_wait() gives a writer that finds the lock held:
 * none (a Python caller sees the call wait, and may use a thread). */

static IndexObject *wrap_index(fw_index *index)
{
    IndexObject *self = (IndexObject *)PyType_GenericAlloc(index_type, 0);
    if (!self) {
        fw_index_close(index);
        return NULL;
    }
    self->index = index;
    return self;
}

/* ----------------------------------------------------- opening, making */

static PyObject *index_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type;
    PyObject *path;
    int write = 0;
    static char *kwlist[] = {"path", "write", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|p:Index", kwlist, PyUnicode_FSConverter,
                                     &path, &write))
        return NULL;
    fw_index *index = NULL;
    char why[1024] = "";
    fw_status st;
    const char *dir = PyBytes_AsString(path);
    Py_BEGIN_ALLOW_THREADS
    st = fw_index_open(dir, write ? FW_INDEX_WRITE : 0, &index, why, sizeof why);
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    if (st != FW_OK) return fwpy_raise(st, why);
    return (PyObject *)wrap_index(index);
}

static PyObject *index_create(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *path, *dict = NULL;
    if (!PyArg_ParseTuple(args, "O&|O!:index_create", PyUnicode_FSConverter, &path,
                          &PyDict_Type, &dict))
        return NULL;
    PyObject *keep = PyList_New(0);
    fw_scan_options opt;
    fw_scan_options_default(&opt);
    if (!keep || fwpy_apply_options(dict, &opt, keep) < 0) {
        Py_XDECREF(keep);
        Py_DECREF(path);
        return NULL;
    }
    fw_index *index = NULL;
    char why[1024] = "";
    fw_status st;
    const char *dir = PyBytes_AsString(path);
    Py_BEGIN_ALLOW_THREADS
    st = fw_index_create(dir, &opt, &index, why, sizeof why);
    Py_END_ALLOW_THREADS
    Py_DECREF(keep);
    Py_DECREF(path);
    if (st != FW_OK) return fwpy_raise(st, why);
    return (PyObject *)wrap_index(index);
}

/* A heap type's object freed (its type's reference with it). */
static void free_object(PyObject *obj)
{
    PyTypeObject *type = Py_TYPE(obj);
    freefunc tp_free = (freefunc)PyType_GetSlot(type, Py_tp_free);
    tp_free(obj);
    Py_DECREF(type);
}

static void index_dealloc(PyObject *obj)
{
    index_free((IndexObject *)obj); /* no batch is left: each held it */
    free_object(obj);
}

static PyObject *index_close(PyObject *obj, PyObject *args)
{
    (void)args;
    IndexObject *self = (IndexObject *)obj;
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the index is in use by another thread");
        return NULL;
    }
    self->closed = 1;
    if (!self->dependents) index_free(self);
    Py_RETURN_NONE;
}

/* --------------------------------------------------------------- calls */

static PyObject *index_use_passage_model(PyObject *obj, PyObject *args)
{
    IndexObject *self = (IndexObject *)obj;
    PyObject *file;
    if (!PyArg_ParseTuple(args, "O&:use_passage_model", PyUnicode_FSConverter, &file)) return NULL;
    if (!usable(self)) {
        Py_DECREF(file);
        return NULL;
    }
    fw_status st;
    const char *path = PyBytes_AsString(file);
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = fw_index_use_passage_model(self->index, path);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    Py_DECREF(file);
    if (st != FW_OK) return index_raise(self, st);
    Py_RETURN_NONE;
}

static PyObject *index_batch(PyObject *obj, PyObject *args)
{
    IndexObject *self = (IndexObject *)obj;
    PyObject *dict = NULL;
    int to_add = 0;
    if (!PyArg_ParseTuple(args, "|O!p:batch", &PyDict_Type, &dict, &to_add) || !usable(self))
        return NULL;
    /* busy: converting the options runs Python code (__fspath__, __index__)
     * that could close the index under the call */
    self->busy = 1;
    PyObject *batch = fwpy_scan_batch(self->index, obj, dict, to_add);
    self->busy = 0;
    if (batch) self->dependents++;
    return batch;
}

static PyObject *index_query(PyObject *obj, PyObject *args)
{
    IndexObject *self = (IndexObject *)obj;
    PyObject *batch;
    if (!PyArg_ParseTuple(args, "O:query", &batch) || !usable(self)) return NULL;
    fw_scan *scan;
    if (fwpy_scan_begin(batch, obj, &scan) < 0) return NULL;
    ResultObject *r = (ResultObject *)PyType_GenericAlloc(result_type, 0);
    if (!r) {
        fwpy_scan_end(batch, FW_ERR_ARG);
        return NULL;
    }
    fw_index_result *result = NULL;
    fw_status st;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = fw_index_query(self->index, scan, &result);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    fwpy_scan_end(batch, st);
    if (st != FW_OK) {
        Py_DECREF(r);
        /* the index's message, else the batch's (its inputs, its run) */
        const char *why = fw_index_error(self->index);
        if (PyErr_Occurred()) return NULL;
        return fwpy_raise(st, why && *why ? why : fwpy_scan_error(batch));
    }
    r->result = result;
    Py_INCREF(obj);
    r->index = obj;
    Py_INCREF(batch);
    r->batch = batch;
    fwpy_scan_pin(batch, 1);
    return (PyObject *)r;
}

static int result_usable(ResultObject *r);

static PyObject *index_add(PyObject *obj, PyObject *args)
{
    IndexObject *self = (IndexObject *)obj;
    PyObject *robj;
    if (!PyArg_ParseTuple(args, "O!:add", result_type, &robj) || !usable(self)) return NULL;
    ResultObject *r = (ResultObject *)robj;
    if (!result_usable(r)) return NULL;
    if (r->index != obj) {
        PyErr_SetString(PyExc_ValueError, "the result is another index's");
        return NULL;
    }
    fw_status st;
    self->busy = r->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = fw_index_add(self->index, r->result);
    Py_END_ALLOW_THREADS
    self->busy = r->busy = 0;
    if (st != FW_OK) return index_raise(self, st);
    Py_RETURN_NONE;
}

static PyObject *index_remove(PyObject *obj, PyObject *args)
{
    IndexObject *self = (IndexObject *)obj;
    PyObject *ids;
    if (!PyArg_ParseTuple(args, "O:remove", &ids) || !usable(self)) return NULL;
    PyObject *list = PySequence_List(ids); /* may run Python code: usable() again below */
    if (!list) return NULL;
    const Py_ssize_t n = PyList_Size(list);
    PyObject *encoded = PyList_New(n);
    const char **names = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *names);
    PyObject *ret = NULL;
    if (!encoded || !names) {
        PyErr_NoMemory();
        goto out;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        char what[32];
        snprintf(what, sizeof what, "id %zd", i);
        PyObject *b = fwpy_id(PyList_GetItem(list, i), what);
        if (!b) goto out;
        PyList_SetItem(encoded, i, b); /* steals b */
        names[i] = PyBytes_AsString(b);
    }
    if (!usable(self)) goto out;
    size_t removed = 0;
    fw_status st;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = fw_index_remove(self->index, names, (size_t)n, &removed);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    ret = st == FW_OK ? PyLong_FromSize_t(removed) : index_raise(self, st);
out:
    PyMem_Free(names);
    Py_XDECREF(encoded);
    Py_DECREF(list);
    return ret;
}

/* compact() and check(): a call of the index alone, GIL released. */
static PyObject *index_call(PyObject *obj, fw_status (*call)(fw_index *))
{
    IndexObject *self = (IndexObject *)obj;
    if (!usable(self)) return NULL;
    fw_status st;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = call(self->index);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    if (st != FW_OK) return index_raise(self, st);
    Py_RETURN_NONE;
}

static PyObject *index_compact(PyObject *obj, PyObject *args)
{
    (void)args;
    return index_call(obj, fw_index_compact);
}

static PyObject *index_check(PyObject *obj, PyObject *args)
{
    (void)args;
    return index_call(obj, fw_index_check);
}

static const fwpy_field INFO_FIELDS[] = {
    FWPY_FIELD(fw_index_info, generation, 'Q'),
    FWPY_FIELD(fw_index_info, documents, 'Q'),
    FWPY_FIELD(fw_index_info, removed, 'Q'),
    FWPY_FIELD(fw_index_info, segments, 'Q'),
    FWPY_FIELD(fw_index_info, pairs, 'Q'),
    FWPY_FIELD(fw_index_info, docs_bytes, 'Q'),
    FWPY_FIELD(fw_index_info, band_bytes, 'Q'),
    FWPY_FIELD(fw_index_info, text_bytes, 'Q'),
    FWPY_FIELD(fw_index_info, text_raw_bytes, 'Q'),
    FWPY_FIELD(fw_index_info, passage_band_bytes, 'Q'),
    FWPY_FIELD(fw_index_info, passage_model, 'a'),
    FWPY_FIELD(fw_index_info, passage_model_bytes, 'Q'),
    FWPY_FIELD(fw_index_info, passage_screen_bytes, 'Q'),
    FWPY_FIELD(fw_index_info, unscreened_segments, 'Q'),
};

static PyObject *index_info(PyObject *obj, PyObject *args)
{
    (void)args;
    IndexObject *self = (IndexObject *)obj;
    if (!usable(self)) return NULL;
    fw_index_info info;
    fw_index_get_info(self->index, &info);
    return fwpy_struct_dict(INFO_FIELDS, FWPY_COUNT(INFO_FIELDS), &info);
}

static PyObject *index_segments(PyObject *obj, PyObject *args)
{
    (void)args;
    IndexObject *self = (IndexObject *)obj;
    if (!usable(self)) return NULL;
    fw_index_info info;
    fw_index_get_info(self->index, &info);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < info.segments; i++) {
        const char *name;
        uint64_t docs, first, last;
        fw_status st = fw_index_segment(self->index, i, &name, &docs, &first, &last);
        if (st != FW_OK) {
            Py_DECREF(list);
            return index_raise(self, st);
        }
        PyObject *t = Py_BuildValue("(NKKK)", fwpy_str(name), (unsigned long long)docs,
                                    (unsigned long long)first, (unsigned long long)last);
        if (!t || PyList_Append(list, t) < 0) Py_CLEAR(list);
        Py_XDECREF(t);
    }
    return list;
}

static PyObject *index_text(PyObject *obj, PyObject *args)
{
    IndexObject *self = (IndexObject *)obj;
    PyObject *id;
    if (!PyArg_ParseTuple(args, "O:text", &id) || !usable(self)) return NULL;
    PyObject *b = fwpy_id(id, "the id");
    if (!b) return NULL;
    const char *name = PyBytes_AsString(b);
    char *text = NULL;
    size_t len = 0;
    fw_doc_status status = FW_DOC_OK;
    fw_status st;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = fw_index_text(self->index, name, &text, &len, &status);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    Py_DECREF(b);
    if (st != FW_OK) return index_raise(self, st);
    PyObject *r = Py_BuildValue("(y#s)", text, (Py_ssize_t)len, fw_doc_status_name(status));
    free(text);
    return r;
}

static PyObject *index_options(PyObject *obj, PyObject *args)
{
    (void)args;
    IndexObject *self = (IndexObject *)obj;
    if (!usable(self)) return NULL;
    fw_scan_options opt;
    fw_index_scan_options(self->index, &opt);
    return fwpy_options_dict(&opt);
}

static PyObject *index_message(PyObject *obj, PyObject *args)
{
    (void)args;
    IndexObject *self = (IndexObject *)obj;
    if (!usable(self)) return NULL;
    return fwpy_str(fw_index_error(self->index));
}

static PyMethodDef index_methods[] = {
    {"use_passage_model", index_use_passage_model, METH_VARARGS,
     "use_passage_model(path): fw_index_use_passage_model()."},
    {"batch", index_batch, METH_VARARGS,
     "batch(options=None, to_add=False) -> Scan: fw_index_batch_new() (or _to_add())."},
    {"query", index_query, METH_VARARGS,
     "query(batch) -> IndexResult: fw_index_query(), the GIL released."},
    {"add", index_add, METH_VARARGS, "add(result): fw_index_add()."},
    {"remove", index_remove, METH_VARARGS, "remove(ids) -> int: fw_index_remove()."},
    {"compact", index_compact, METH_NOARGS, "fw_index_compact()."},
    {"check", index_check, METH_NOARGS, "fw_index_check()."},
    {"info", index_info, METH_NOARGS, "fw_index_get_info() as a dict."},
    {"segments", index_segments, METH_NOARGS,
     "[(name, documents, first, last)] by fw_index_segment()."},
    {"options", index_options, METH_NOARGS, "fw_index_scan_options() as a dict."},
    {"text", index_text, METH_VARARGS,
     "text(id) -> (bytes, status name): fw_index_text(), the GIL released."},
    {"message", index_message, METH_NOARGS,
     "fw_index_error(): after a call that succeeded, \"\" or a warning."},
    {"close", index_close, METH_NOARGS,
     "Closes the index (fw_index_close), at once or once its batches are freed."},
    {NULL, NULL, 0, NULL}};

static PyType_Slot index_slots[] = {
    {Py_tp_new, index_new},
    {Py_tp_dealloc, index_dealloc},
    {Py_tp_methods, index_methods},
    {Py_tp_doc, "Index(path: bytes, write=False) -> fw_index_open() (see fanwen.Index)."},
    {0, NULL}};

static PyType_Spec index_spec = {"fanwen._fanwen.Index", sizeof(IndexObject), 0,
                                 Py_TPFLAGS_DEFAULT, index_slots};

/* ------------------------------------------------------------- results */

static int result_usable(ResultObject *r)
{
    if (!r->result) {
        PyErr_SetString(PyExc_ValueError, "the result is closed");
        return 0;
    }
    if (r->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the result is in use by another thread");
        return 0;
    }
    return 1;
}

static void result_free(ResultObject *r)
{
    fw_index_result_free(r->result); /* before its batch, which it refers to */
    r->result = NULL;
    if (r->batch) fwpy_scan_pin(r->batch, -1);
    Py_CLEAR(r->batch);
    Py_CLEAR(r->index);
}

static void result_dealloc(PyObject *obj)
{
    result_free((ResultObject *)obj);
    free_object(obj);
}

static PyObject *result_close(PyObject *obj, PyObject *args)
{
    (void)args;
    ResultObject *r = (ResultObject *)obj;
    if (r->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the result is in use by another thread");
        return NULL;
    }
    result_free(r);
    Py_RETURN_NONE;
}

static const fwpy_field MATCH_FIELDS[] = {
    FWPY_FIELD(fw_index_match, id_a, 's'),      FWPY_FIELD(fw_index_match, id_b, 's'),
    FWPY_FIELD(fw_index_match, a_indexed, 'i'), FWPY_FIELD(fw_index_match, b_indexed, 'i'),
    FWPY_FIELD(fw_index_match, jaccard, 'd'),   FWPY_FIELD(fw_index_match, estimate, 'd'),
    FWPY_FIELD(fw_index_match, a_in_b, 'd'),    FWPY_FIELD(fw_index_match, b_in_a, 'd'),
};
static const fwpy_field SPAN_FIELDS[] = {
    FWPY_FIELD(fw_index_span, id_a, 's'),       FWPY_FIELD(fw_index_span, id_b, 's'),
    FWPY_FIELD(fw_index_span, a_indexed, 'i'),  FWPY_FIELD(fw_index_span, b_indexed, 'i'),
    FWPY_FIELD(fw_index_span, a_start, 'Q'),    FWPY_FIELD(fw_index_span, a_end, 'Q'),
    FWPY_FIELD(fw_index_span, b_start, 'Q'),    FWPY_FIELD(fw_index_span, b_end, 'Q'),
    FWPY_FIELD(fw_index_span, a_chars, 'Q'),    FWPY_FIELD(fw_index_span, b_chars, 'Q'),
    FWPY_FIELD(fw_index_span, matched, 'Q'),    FWPY_FIELD(fw_index_span, similarity, 'd'),
};
static const fwpy_field REUSE_FIELDS[] = {
    FWPY_FIELD(fw_index_reuse, id_a, 's'),            FWPY_FIELD(fw_index_reuse, id_b, 's'),
    FWPY_FIELD(fw_index_reuse, a_indexed, 'i'),       FWPY_FIELD(fw_index_reuse, b_indexed, 'i'),
    FWPY_FIELD(fw_index_reuse, shared_passages, 'Q'), FWPY_FIELD(fw_index_reuse, shared_chars, 'Q'),
    FWPY_FIELD(fw_index_reuse, a_in_b, 'd'),          FWPY_FIELD(fw_index_reuse, b_in_a, 'd'),
};

static const fwpy_field DOC_FIELDS[] = {
    FWPY_FIELD(fw_index_doc, id, 's'),           FWPY_FIELD(fw_index_doc, status, 'i'),
    FWPY_FIELD(fw_index_doc, bytes, 'Q'),        FWPY_FIELD(fw_index_doc, chars, 'Q'),
    FWPY_FIELD(fw_index_doc, shingles, 'Q'),     FWPY_FIELD(fw_index_doc, passages, 'Q'),
    FWPY_FIELD(fw_index_doc, reused_share, 'd'), FWPY_FIELD(fw_index_doc, boilerplate_share, 'd'),
    FWPY_FIELD(fw_index_doc, cluster, 's'),      FWPY_FIELD(fw_index_doc, cluster_size, 'Q'),
    FWPY_FIELD(fw_index_doc, message, 's'),      FWPY_FIELD(fw_index_doc, renamed, 'i'),
};

static fw_status doc_row(const void *r, size_t i, void *row)
{
    fw_status st = fw_index_result_doc(r, i, row);
    fw_index_doc *d = row;
    if (st == FW_OK && !d->cluster) d->cluster = ""; /* a str column: "" for none */
    return st;
}

static fw_status match_row(const void *r, size_t i, void *row)
{
    return fw_index_result_pair(r, i, row);
}
static fw_status span_row(const void *r, size_t i, void *row)
{
    return fw_index_result_span(r, i, row);
}
static fw_status reuse_row(const void *r, size_t i, void *row)
{
    return fw_index_result_reuse(r, i, row);
}

static PyObject *result_columns(PyObject *obj, const fwpy_field *fields, size_t nfields,
                                size_t (*count)(const fw_index_result *), fwpy_row_fn get,
                                void *row)
{
    ResultObject *r = (ResultObject *)obj;
    if (!result_usable(r)) return NULL;
    fw_status st;
    PyObject *cols = fwpy_columns(fields, nfields, count(r->result), get, r->result, row, &st);
    if (!cols && st != FW_OK) fwpy_raise(st, NULL);
    return cols;
}

static PyObject *result_documents(PyObject *obj, PyObject *args)
{
    (void)args;
    fw_index_doc row;
    return result_columns(obj, DOC_FIELDS, FWPY_COUNT(DOC_FIELDS), fw_index_result_doc_count,
                          doc_row, &row);
}

static PyObject *result_pairs(PyObject *obj, PyObject *args)
{
    (void)args;
    fw_index_match row;
    return result_columns(obj, MATCH_FIELDS, FWPY_COUNT(MATCH_FIELDS),
                          fw_index_result_pair_count, match_row, &row);
}

static PyObject *result_spans(PyObject *obj, PyObject *args)
{
    (void)args;
    fw_index_span row;
    return result_columns(obj, SPAN_FIELDS, FWPY_COUNT(SPAN_FIELDS),
                          fw_index_result_span_count, span_row, &row);
}

static PyObject *result_reuse(PyObject *obj, PyObject *args)
{
    (void)args;
    fw_index_reuse row;
    return result_columns(obj, REUSE_FIELDS, FWPY_COUNT(REUSE_FIELDS),
                          fw_index_result_reuse_count, reuse_row, &row);
}

static PyObject *result_write(PyObject *obj, PyObject *args)
{
    ResultObject *r = (ResultObject *)obj;
    PyObject *dir;
    if (!PyArg_ParseTuple(args, "O&:write", PyUnicode_FSConverter, &dir)) return NULL;
    IndexObject *ix = r->index ? (IndexObject *)r->index : NULL;
    if (!result_usable(r) || !usable(ix)) {
        Py_DECREF(dir);
        return NULL;
    }
    fw_status st;
    const char *path = PyBytes_AsString(dir);
    r->busy = ix->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = fw_index_result_write(ix->index, r->result, path);
    Py_END_ALLOW_THREADS
    r->busy = ix->busy = 0;
    Py_DECREF(dir);
    if (st != FW_OK) return index_raise(ix, st);
    Py_RETURN_NONE;
}

static PyObject *result_batch(PyObject *obj, PyObject *args)
{
    (void)args;
    ResultObject *r = (ResultObject *)obj;
    if (!result_usable(r)) return NULL;
    Py_INCREF(r->batch);
    return r->batch;
}

static PyMethodDef result_methods[] = {
    {"documents", result_documents, METH_NOARGS,
     "fw_index_result_doc() of each, as columns (cluster \"\" for none)."},
    {"pairs", result_pairs, METH_NOARGS, "fw_index_result_pair() of each, as columns."},
    {"spans", result_spans, METH_NOARGS, "fw_index_result_span() of each, as columns."},
    {"reuse", result_reuse, METH_NOARGS, "fw_index_result_reuse() of each, as columns."},
    {"write", result_write, METH_VARARGS,
     "write(dir): fw_index_result_write(), the GIL released."},
    {"batch", result_batch, METH_NOARGS, "The batch (Scan) the result refers to."},
    {"close", result_close, METH_NOARGS, "fw_index_result_free(); unusable after."},
    {NULL, NULL, 0, NULL}};

static PyType_Slot result_slots[] = {
    {Py_tp_dealloc, result_dealloc},
    {Py_tp_methods, result_methods},
    {Py_tp_doc, "What Index.query() found (fw_index_result)."},
    {0, NULL}};

static PyType_Spec result_spec = {"fanwen._fanwen.IndexResult", sizeof(ResultObject), 0,
                                  Py_TPFLAGS_DEFAULT, result_slots};

static PyMethodDef index_functions[] = {
    {"index_create", index_create, METH_VARARGS,
     "index_create(path: bytes, options: dict) -> Index: fw_index_create()."},
    {NULL, NULL, 0, NULL}};

int fwpy_add_index(PyObject *module)
{
    PyObject *it = PyType_FromSpec(&index_spec), *rt = it ? PyType_FromSpec(&result_spec) : NULL;
    if (!it || !rt) {
        Py_XDECREF(it);
        return -1;
    }
    Py_INCREF(it); /* one for the module, one for the C code */
    Py_INCREF(rt);
    index_type = (PyTypeObject *)it;
    result_type = (PyTypeObject *)rt;
    if (PyModule_AddObject(module, "Index", it) < 0 ||
        PyModule_AddObject(module, "IndexResult", rt) < 0)
        return -1;
    return PyModule_AddFunctions(module, index_functions);
}

/*
 * scan.c — _fanwen.Scan, one fw_scan through its three phases: adding
 * (add_texts, add_paths), running (run), results (the table methods and
 * write). The Python layer drives it; this file only translates.
 *
 * Options are one table, OPTIONS below: a row names a keyword, its kind
 * and its field of fw_scan_options, and serves both ways (a dict of
 * keywords into the struct, the struct in force back into a dict). A
 * keyword that is not a row is a TypeError, as for any Python function;
 * a value of the wrong type is a TypeError, an unsigned out of range a
 * ValueError; ranges are otherwise the library's to check, so that
 * threshold=2 fails with fw_scan_new()'s own message.
 *
 * Results leave as columns: a table is a list of field rows (name, kind,
 * offset in the library's struct); numbers are packed into bytes with a
 * typecode that array.array and numpy.frombuffer both read, strings go
 * into lists. One generic loop reads every table through the public
 * accessors.
 *
 * The GIL is released while the library reads paths, takes texts, runs
 * and writes reports. Meanwhile the scan is marked busy: the library's
 * adding and running phases are single-threaded, so another Python
 * thread touching the same Scan gets a RuntimeError instead of a race.
 * Ctrl-C works during a long scan: the progress callback takes the GIL
 * at most every 0.1 s to run Python's signal handlers, and stops the scan
 * when one raised (KeyboardInterrupt).
 */
#include "fanwen_py.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

/* ----------------------------------------------------------- options */

typedef enum opt_kind {
    OPT_UINT,   /* unsigned */
    OPT_INT,    /* int, >= 0 */
    OPT_U64,    /* uint64_t */
    OPT_DOUBLE,
    OPT_BOOL,   /* int 0/1 */
    OPT_TEXT,   /* const char *, UTF-8 */
    OPT_PATH,   /* const char *, a file name (str, bytes or os.PathLike) */
    OPT_SKETCH, /* fw_sketch by fw_sketch_name() */
    OPT_SIMD    /* fw_simd by fw_simd_name() */
} opt_kind;

typedef struct opt_row {
    const char *name;
    opt_kind kind;
    size_t offset;
} opt_row;

#define OPT(name, kind, member) {name, kind, offsetof(fw_scan_options, member)}
static const opt_row OPTIONS[] = {
    OPT("threshold", OPT_DOUBLE, threshold),
    OPT("ngram", OPT_UINT, ngram),
    OPT("perms", OPT_UINT, perms),
    OPT("bands", OPT_UINT, bands),
    OPT("rows", OPT_UINT, rows),
    OPT("seed", OPT_U64, seed),
    OPT("verify", OPT_BOOL, verify),
    OPT("sketch", OPT_SKETCH, sketch),
    OPT("simd", OPT_SIMD, simd),
    OPT("passages", OPT_BOOL, passages),
    OPT("min_passage", OPT_UINT, min_passage),
    OPT("max_passage", OPT_UINT, max_passage),
    OPT("passage_threshold", OPT_DOUBLE, passage_threshold),
    OPT("boilerplate_docs", OPT_U64, boilerplate_docs),
    OPT("boilerplate_share", OPT_DOUBLE, boilerplate_share),
    OPT("reuse_min", OPT_DOUBLE, reuse_min),
    OPT("template", OPT_BOOL, template_mode),
    OPT("canon", OPT_PATH, canon_path),
    OPT("threads", OPT_INT, threads),
    OPT("text_field", OPT_TEXT, text_field),
    OPT("id_field", OPT_TEXT, id_field),
    OPT("max_doc_bytes", OPT_U64, max_doc_bytes),
    OPT("memory_limit", OPT_U64, memory_limit),
    OPT("tmp_dir", OPT_PATH, tmp_dir),
};
#define NOPTIONS (sizeof OPTIONS / sizeof *OPTIONS)

static const opt_row *option_row(PyObject *key)
{
    for (size_t i = 0; PyUnicode_Check(key) && i < NOPTIONS; i++)
        if (PyUnicode_CompareWithASCIIString(key, OPTIONS[i].name) == 0) return &OPTIONS[i];
    return NULL;
}

static int type_error(const char *name, const char *expected, PyObject *value)
{
    PyObject *tn = PyObject_GetAttrString((PyObject *)Py_TYPE(value), "__name__");
    if (tn) PyErr_Format(PyExc_TypeError, "%s must be %s, not %U", name, expected, tn);
    Py_XDECREF(tn);
    return -1;
}

static int to_u64(PyObject *v, const char *name, unsigned long long max,
                  unsigned long long *out)
{
    if (!PyLong_Check(v)) return type_error(name, "an int", v);
    *out = PyLong_AsUnsignedLongLong(v);
    if ((*out == (unsigned long long)-1 && PyErr_Occurred()) || *out > max) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s must be an integer from 0 to %llu", name, max);
        return -1;
    }
    return 0;
}

/* A name among `count` names given by `name_of`, by position. */
static int to_enum(PyObject *v, const char *option, int count,
                   const char *(*name_of)(int), int *out)
{
    if (!PyUnicode_Check(v)) return type_error(option, "a str", v);
    for (int i = 0; i < count; i++)
        if (PyUnicode_CompareWithASCIIString(v, name_of(i)) == 0) {
            *out = i;
            return 0;
        }
    PyObject *msg = PyUnicode_FromFormat("%s must be one of", option);
    for (int i = 0; msg && i < count; i++) {
        PyObject *more = PyUnicode_FromFormat("%U%s '%s'", msg, i ? "," : "", name_of(i));
        Py_DECREF(msg);
        msg = more;
    }
    if (msg) {
        PyErr_SetObject(PyExc_ValueError, msg);
        Py_DECREF(msg);
    }
    return -1;
}

static const char *sketch_name(int i) { return fw_sketch_name((fw_sketch)i); }
static const char *simd_name(int i) { return fw_simd_name((fw_simd)i); }

/* A string option as bytes kept alive in `keep` until fw_scan_new()
 * (which copies it). */
static int to_cstring(PyObject *v, const opt_row *row, PyObject *keep, const char **out)
{
    PyObject *b = NULL;
    if (row->kind == OPT_PATH) {
        if (!PyUnicode_FSConverter(v, &b)) return -1;
    } else if (!(b = fwpy_utf8(v, NULL, row->name))) {
        return -1;
    }
    int r = PyList_Append(keep, b);
    *out = PyBytes_AsString(b);
    if (r == 0 && strlen(*out) != (size_t)PyBytes_Size(b)) {
        PyErr_Format(PyExc_ValueError, "%s contains a NUL character", row->name);
        r = -1;
    }
    Py_DECREF(b);
    return r;
}

static int set_option(fw_scan_options *o, const opt_row *row, PyObject *v, PyObject *keep)
{
    char *field = (char *)o + row->offset;
    unsigned long long u;
    int e;
    switch (row->kind) {
    case OPT_UINT:
        if (to_u64(v, row->name, UINT32_MAX, &u) < 0) return -1;
        *(unsigned *)field = (unsigned)u;
        return 0;
    case OPT_INT:
        if (to_u64(v, row->name, INT32_MAX, &u) < 0) return -1;
        *(int *)field = (int)u;
        return 0;
    case OPT_U64:
        if (to_u64(v, row->name, UINT64_MAX, &u) < 0) return -1;
        *(uint64_t *)field = u;
        return 0;
    case OPT_DOUBLE:
        if (!PyFloat_Check(v) && !PyLong_Check(v)) return type_error(row->name, "a number", v);
        *(double *)field = PyFloat_AsDouble(v);
        return PyErr_Occurred() ? -1 : 0;
    case OPT_BOOL:
        if (!PyLong_Check(v)) return type_error(row->name, "a bool", v);
        *(int *)field = PyObject_IsTrue(v);
        return 0;
    case OPT_TEXT:
    case OPT_PATH:
        return to_cstring(v, row, keep, (const char **)field);
    case OPT_SKETCH:
        if (to_enum(v, row->name, 2, sketch_name, &e) < 0) return -1;
        *(fw_sketch *)field = (fw_sketch)e;
        return 0;
    case OPT_SIMD:
        if (to_enum(v, row->name, 4, simd_name, &e) < 0) return -1;
        *(fw_simd *)field = (fw_simd)e;
        return 0;
    }
    return 0;
}

static PyObject *get_option(const fw_scan_options *o, const opt_row *row)
{
    const char *field = (const char *)o + row->offset;
    const char *s;
    switch (row->kind) {
    case OPT_UINT: return PyLong_FromUnsignedLong(*(const unsigned *)field);
    case OPT_INT: return PyLong_FromLong(*(const int *)field);
    case OPT_U64: return PyLong_FromUnsignedLongLong(*(const uint64_t *)field);
    case OPT_DOUBLE: return PyFloat_FromDouble(*(const double *)field);
    case OPT_BOOL: return PyBool_FromLong(*(const int *)field);
    case OPT_TEXT:
    case OPT_PATH:
        if (!(s = *(const char *const *)field)) Py_RETURN_NONE;
        return fwpy_str(s);
    case OPT_SKETCH: return PyUnicode_FromString(fw_sketch_name(*(const fw_sketch *)field));
    case OPT_SIMD: return PyUnicode_FromString(fw_simd_name(*(const fw_simd *)field));
    }
    Py_RETURN_NONE;
}

/* TypeError naming the keyword and the ones there are. */
static int unknown_option(PyObject *key)
{
    PyObject *msg = PyUnicode_FromFormat("unexpected keyword argument %R; the options are",
                                         key);
    for (size_t i = 0; msg && i < NOPTIONS; i++) {
        PyObject *more = PyUnicode_FromFormat("%U%s %s", msg, i ? "," : "", OPTIONS[i].name);
        Py_DECREF(msg);
        msg = more;
    }
    if (msg) {
        PyErr_SetObject(PyExc_TypeError, msg);
        Py_DECREF(msg);
    }
    return -1;
}

/* Keyword dict → options over those in `o`; None leaves one. */
int fwpy_apply_options(PyObject *dict, fw_scan_options *o, PyObject *keep)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (dict && PyDict_Next(dict, &pos, &key, &value)) {
        const opt_row *row = option_row(key);
        if (!row) return unknown_option(key);
        if (value != Py_None && set_option(o, row, value, keep) < 0) return -1;
    }
    return 0;
}

PyObject *fwpy_options_dict(const fw_scan_options *o)
{
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < NOPTIONS; i++) {
        PyObject *v = get_option(o, &OPTIONS[i]);
        if (!v || PyDict_SetItemString(d, OPTIONS[i].name, v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyObject *default_options(PyObject *module, PyObject *args)
{
    (void)module;
    (void)args;
    fw_scan_options o;
    fw_scan_options_default(&o);
    return fwpy_options_dict(&o);
}

/* ------------------------------------------------------------ fields */

_Static_assert(sizeof(unsigned) == 4 && sizeof(int) == 4, "typecodes I and i are 4 bytes");
_Static_assert(sizeof(size_t) == 8, "size_t read as Q");
_Static_assert(sizeof(fw_doc_status) == sizeof(int), "an enum read as i");

static size_t kind_width(char kind)
{
    return kind == 'I' || kind == 'i' ? 4 : 8;
}

static PyObject *field_value(const fwpy_field *f, const char *row)
{
    const char *p = row + f->offset;
    switch (f->kind) {
    case 'I': return PyLong_FromUnsignedLong(*(const uint32_t *)p);
    case 'i': return PyLong_FromLong(*(const int *)p);
    case 'Q': return PyLong_FromUnsignedLongLong(*(const uint64_t *)p);
    case 'q': return PyLong_FromLongLong(*(const int64_t *)p);
    case 'd': return PyFloat_FromDouble(*(const double *)p);
    case 's': return fwpy_str(*(const char *const *)p);
    default: return fwpy_str(p); /* 'a' */
    }
}

PyObject *fwpy_struct_dict(const fwpy_field *fields, size_t n, const void *row)
{
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < n; i++) {
        PyObject *v = field_value(&fields[i], row);
        if (!v || PyDict_SetItemString(d, fields[i].name, v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* ------------------------------------------------------ the Scan type */

typedef struct ScanObject {
    PyObject_HEAD
    fw_scan *scan;
    int exclusive;     /* an add or the run is under way, GIL released */
    int sharing;       /* report writes under way, GIL released */
    int failed;        /* the run failed: only stats are meaningful */
    double last_check; /* when the progress callback last took the GIL */
    PyObject *owner;   /* an index's batch: the index's object, else NULL */
    Py_ssize_t pinned; /* index results that refer to this batch */
} ScanObject;

static PyTypeObject *scan_type; /* for index.c's type checks */

/* fw_scan_free(), and an index's batch lets go of its index. */
static void scan_free(ScanObject *self)
{
    fw_scan_free(self->scan);
    self->scan = NULL;
    if (self->owner) {
        PyObject *owner = self->owner;
        self->owner = NULL;
        fwpy_index_release(owner);
        Py_DECREF(owner);
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The progress callback: lets Python's signal handlers run now and then.
 * A handler that raised (Ctrl-C) stops the scan; its exception stays set
 * for the caller to return once it holds the GIL again. */
static int check_signals(void *ctx, const char *stage, uint64_t docs, uint64_t bytes)
{
    (void)stage;
    (void)docs;
    (void)bytes;
    ScanObject *self = ctx;
    double t = now_seconds();
    if (t - self->last_check < 0.1) return 0;
    self->last_check = t;
    PyGILState_STATE gil = PyGILState_Ensure();
    int stop = PyErr_CheckSignals() < 0;
    PyGILState_Release(gil);
    return stop;
}

/* Raises for a failed library call on this scan, with its message. An
 * exception already set (KeyboardInterrupt from the callback) wins. */
static PyObject *scan_raise(ScanObject *self, fw_status st)
{
    if (PyErr_Occurred()) return NULL;
    return fwpy_raise(st, self->scan ? fw_scan_error(self->scan) : NULL);
}

static PyObject *closed_error(void)
{
    PyErr_SetString(PyExc_ValueError, "the scan is closed");
    return NULL;
}

/* May the scan be used now? `results`: the call reads results, which
 * other threads may do at the same time. */
static int usable(ScanObject *self, int results)
{
    if (!self->scan) {
        closed_error();
        return 0;
    }
    if (self->exclusive || (!results && self->sharing)) {
        PyErr_SetString(PyExc_RuntimeError, "the scan is in use by another thread");
        return 0;
    }
    if (self->failed) {
        fwpy_raise(FW_ERR_ARG, "the scan failed earlier: only its stats are left");
        return 0;
    }
    return 1;
}

/* After a failed add or run only stats are meaningful; FW_ERR_ARG (a call
 * out of order) changed nothing. */
static PyObject *call_failed(ScanObject *self, fw_status st)
{
    if (st != FW_ERR_ARG) self->failed = 1;
    return scan_raise(self, st);
}

/* Makes the library's scan of options `o` for a new Scan: fw_scan_new(), or
 * an index's batch; `why` receives a failure's message. */
typedef fw_status (*scan_maker)(void *ctx, const fw_scan_options *o, fw_scan **out, char *why,
                                size_t n);

/* A new Scan: `dict` over the options in `o`, the progress callback the
 * new object's, the scan made by `make`. NULL with an exception. */
static ScanObject *new_scan(PyTypeObject *type, fw_scan_options *o, PyObject *dict,
                            scan_maker make, void *ctx)
{
    PyObject *keep = PyList_New(0);
    if (!keep || fwpy_apply_options(dict, o, keep) < 0) {
        Py_XDECREF(keep);
        return NULL;
    }
    ScanObject *self = (ScanObject *)PyType_GenericAlloc(type, 0);
    if (!self) {
        Py_DECREF(keep);
        return NULL;
    }
    o->progress = check_signals;
    o->progress_ctx = self;
    char why[1024] = "";
    fw_status st = make(ctx, o, &self->scan, why, sizeof why);
    Py_DECREF(keep); /* the library copied the strings */
    if (st != FW_OK) {
        Py_DECREF(self);
        fwpy_raise(st, why);
        return NULL;
    }
    return self;
}

static fw_status make_plain(void *ctx, const fw_scan_options *o, fw_scan **out, char *why,
                            size_t n)
{
    (void)ctx;
    return fw_scan_new(o, out, why, n);
}

static PyObject *scan_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *dict = NULL;
    static char *kwlist[] = {"options", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O!:Scan", kwlist, &PyDict_Type, &dict))
        return NULL;
    fw_scan_options opt;
    fw_scan_options_default(&opt);
    return (PyObject *)new_scan(type, &opt, dict, make_plain, NULL);
}

static void scan_dealloc(PyObject *obj)
{
    PyTypeObject *type = Py_TYPE(obj);
    scan_free((ScanObject *)obj);
    freefunc tp_free = (freefunc)PyType_GetSlot(type, Py_tp_free);
    tp_free(obj);
    Py_DECREF(type);
}

/* ------------------------------------------------------ index batches */

typedef struct batch_ctx {
    fw_index *index;
    int to_add;
} batch_ctx;

static fw_status make_batch(void *ctx, const fw_scan_options *o, fw_scan **out, char *why,
                            size_t n)
{
    const batch_ctx *b = ctx;
    fw_status st = b->to_add ? fw_index_batch_to_add(b->index, o, out)
                             : fw_index_batch_new(b->index, o, out);
    if (st != FW_OK) snprintf(why, n, "%s", fw_index_error(b->index));
    return st;
}

PyObject *fwpy_scan_batch(fw_index *index, PyObject *owner, PyObject *options, int to_add)
{
    fw_scan_options opt;
    fw_index_scan_options(index, &opt);
    batch_ctx ctx = {index, to_add};
    ScanObject *self = new_scan(scan_type, &opt, options, make_batch, &ctx);
    if (!self) return NULL;
    Py_INCREF(owner);
    self->owner = owner;
    return (PyObject *)self;
}

int fwpy_scan_begin(PyObject *obj, PyObject *owner, fw_scan **scan)
{
    if (!PyObject_TypeCheck(obj, scan_type) || ((ScanObject *)obj)->owner != owner) {
        PyErr_SetString(PyExc_TypeError, "expected a batch of this index (Index.batch())");
        return -1;
    }
    ScanObject *self = (ScanObject *)obj;
    if (!usable(self, 0)) return -1;
    self->exclusive = 1;
    *scan = self->scan;
    return 0;
}

void fwpy_scan_end(PyObject *obj, fw_status st)
{
    ScanObject *self = (ScanObject *)obj;
    self->exclusive = 0;
    if (st != FW_OK && st != FW_ERR_ARG) self->failed = 1;
}

void fwpy_scan_pin(PyObject *obj, int delta)
{
    ((ScanObject *)obj)->pinned += delta;
}

const char *fwpy_scan_error(PyObject *obj)
{
    ScanObject *self = (ScanObject *)obj;
    return self->scan ? fw_scan_error(self->scan) : "";
}

/* ------------------------------------------------------------ adding */

#define CHUNK_ITEMS 4096

/* Takes `n` encoded ids and texts, GIL released. */
static fw_status add_chunk(ScanObject *self, const fwpy_chunk *ids, const fwpy_chunk *texts,
                           Py_ssize_t n)
{
    fw_status st = FW_OK;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n && st == FW_OK; i++)
        st = fw_scan_add_text(self->scan, ids->texts[i].data, texts->texts[i].data,
                              texts->texts[i].len);
    Py_END_ALLOW_THREADS
    return st;
}

static int check_ids(const fwpy_chunk *ids, Py_ssize_t first, const char *what)
{
    for (Py_ssize_t i = 0; i < ids->n; i++)
        if (strlen(ids->texts[i].data) != ids->texts[i].len) {
            PyErr_Format(PyExc_ValueError, "%s %zd contains a NUL character", what,
                         ids->base + first + i);
            return -1;
        }
    return 0;
}

/* Adds texts[i] under ids[i], chunk by chunk; `base` numbers them in
 * messages. */
static PyObject *add_lists(ScanObject *self, PyObject *ids, PyObject *texts, Py_ssize_t base)
{
    fwpy_chunk cid = {.base = base}, ctext = {.base = base};
    fw_status st = FW_OK;
    int failed = 0;
    self->exclusive = 1;
    for (Py_ssize_t start = 0; st == FW_OK && !failed;) {
        /* texts first: they bound the chunk by bytes */
        Py_ssize_t n = fwpy_chunk_fill(&ctext, texts, start, CHUNK_ITEMS, "surrogatepass", "text");
        if (n <= 0) {
            failed = n < 0;
            break;
        }
        if (fwpy_chunk_fill(&cid, ids, start, n, "surrogateescape", "id") != n ||
            check_ids(&cid, start, "id") < 0) {
            failed = 1;
            break;
        }
        st = add_chunk(self, &cid, &ctext, n);
        start += n;
    }
    self->exclusive = 0;
    fwpy_chunk_free(&cid);
    fwpy_chunk_free(&ctext);
    if (failed) return NULL;
    if (st != FW_OK) return call_failed(self, st);
    Py_RETURN_NONE;
}

static PyObject *scan_add_texts(PyObject *obj, PyObject *args)
{
    ScanObject *self = (ScanObject *)obj;
    PyObject *ids, *texts;
    Py_ssize_t base = 0;
    if (!PyArg_ParseTuple(args, "OO|n:add_texts", &ids, &texts, &base) || !usable(self, 0))
        return NULL;
    /* private copies: the lists cannot change while the GIL is released */
    PyObject *lid = PySequence_List(ids), *ltext = lid ? PySequence_List(texts) : NULL;
    PyObject *r = NULL;
    if (ltext && PyList_Size(lid) != PyList_Size(ltext))
        PyErr_Format(PyExc_ValueError, "%zd ids for %zd texts", PyList_Size(lid),
                     PyList_Size(ltext));
    else if (ltext)
        r = add_lists(self, lid, ltext, base);
    Py_XDECREF(lid);
    Py_XDECREF(ltext);
    return r;
}

static PyObject *scan_add_paths(PyObject *obj, PyObject *args)
{
    ScanObject *self = (ScanObject *)obj;
    PyObject *paths;
    if (!PyArg_ParseTuple(args, "O:add_paths", &paths) || !usable(self, 0)) return NULL;
    PyObject *list = PySequence_List(paths);
    if (!list) return NULL;
    fwpy_chunk c = {0};
    fw_status st = FW_OK;
    Py_ssize_t n = 0;
    self->exclusive = 1;
    for (Py_ssize_t start = 0; st == FW_OK; start += n) {
        if ((n = fwpy_chunk_fill(&c, list, start, CHUNK_ITEMS, "surrogateescape", "path")) <= 0)
            break;
        if (check_ids(&c, start, "path") < 0) {
            n = -1;
            break;
        }
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n && st == FW_OK; i++)
            st = fw_scan_add_path(self->scan, c.texts[i].data);
        Py_END_ALLOW_THREADS
    }
    self->exclusive = 0;
    fwpy_chunk_free(&c);
    Py_DECREF(list);
    if (n < 0) return NULL;
    if (st != FW_OK) return call_failed(self, st);
    Py_RETURN_NONE;
}

static PyObject *scan_run(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    if (!usable(self, 0)) return NULL;
    fw_status st;
    self->exclusive = 1;
    Py_BEGIN_ALLOW_THREADS
    st = fw_scan_run(self->scan);
    Py_END_ALLOW_THREADS
    self->exclusive = 0;
    if (st == FW_OK) Py_RETURN_NONE;
    return call_failed(self, st);
}

/* ----------------------------------------------------------- results */

PyObject *fwpy_columns(const fwpy_field *fields, size_t nfields, size_t count,
                       fwpy_row_fn get, const void *ctx, void *row, fw_status *failed)
{
    *failed = FW_OK;
    PyObject *cols[16] = {0};
    char *data[16] = {0};
    PyObject *result = NULL;
    for (size_t f = 0; f < nfields; f++) {
        int text = fields[f].kind == 's' || fields[f].kind == 'a';
        cols[f] = text ? PyList_New((Py_ssize_t)count)
                       : PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(count *
                                                                      kind_width(fields[f].kind)));
        if (!cols[f]) goto done;
        if (!text) data[f] = PyBytes_AsString(cols[f]);
    }
    for (size_t i = 0; i < count; i++) {
        fw_status st = get(ctx, i, row);
        if (st != FW_OK) {
            *failed = st;
            goto done;
        }
        for (size_t f = 0; f < nfields; f++) {
            if (data[f]) {
                size_t w = kind_width(fields[f].kind);
                memcpy(data[f] + i * w, (const char *)row + fields[f].offset, w);
            } else {
                PyObject *s = field_value(&fields[f], row);
                if (!s || PyList_SetItem(cols[f], (Py_ssize_t)i, s) < 0) goto done;
            }
        }
    }
    result = PyDict_New();
    for (size_t f = 0; result && f < nfields; f++) {
        PyObject *v = data[f] ? Py_BuildValue("(CO)", fields[f].kind, cols[f]) : cols[f];
        if (data[f]) Py_XDECREF(cols[f]);
        cols[f] = NULL;
        if (!v || PyDict_SetItemString(result, fields[f].name, v) < 0) Py_CLEAR(result);
        Py_XDECREF(v);
    }
done:
    for (size_t f = 0; f < nfields; f++) Py_XDECREF(cols[f]);
    return result;
}

/* fwpy_columns() of this scan's, raising with its message. */
static PyObject *columns(ScanObject *self, const fwpy_field *fields, size_t nfields,
                         size_t count, fwpy_row_fn get, const void *ctx, void *row)
{
    fw_status st;
    PyObject *r = fwpy_columns(fields, nfields, count, get, ctx, row, &st);
    if (!r && st != FW_OK) scan_raise(self, st);
    return r;
}

#define FIELD FWPY_FIELD
#define COUNT FWPY_COUNT

static const fwpy_field DOC_FIELDS[] = {
    FIELD(fw_doc_info, id, 's'),           FIELD(fw_doc_info, rank, 'Q'),
    FIELD(fw_doc_info, status, 'i'),       FIELD(fw_doc_info, bytes, 'Q'),
    FIELD(fw_doc_info, chars, 'Q'),        FIELD(fw_doc_info, shingles, 'Q'),
    FIELD(fw_doc_info, cluster, 'q'),      FIELD(fw_doc_info, cluster_size, 'Q'),
    FIELD(fw_doc_info, message, 's'),      FIELD(fw_doc_info, passages, 'Q'),
    FIELD(fw_doc_info, reused_share, 'd'), FIELD(fw_doc_info, boilerplate_share, 'd'),
};
static const fwpy_field PAIR_FIELDS[] = {
    FIELD(fw_result_pair, a, 'I'),        FIELD(fw_result_pair, b, 'I'),
    FIELD(fw_result_pair, jaccard, 'd'),  FIELD(fw_result_pair, estimate, 'd'),
    FIELD(fw_result_pair, a_in_b, 'd'),   FIELD(fw_result_pair, b_in_a, 'd'),
};
static const fwpy_field REUSE_FIELDS[] = {
    FIELD(fw_reuse_pair, a, 'I'),               FIELD(fw_reuse_pair, b, 'I'),
    FIELD(fw_reuse_pair, shared_passages, 'Q'), FIELD(fw_reuse_pair, shared_chars, 'Q'),
    FIELD(fw_reuse_pair, a_in_b, 'd'),          FIELD(fw_reuse_pair, b_in_a, 'd'),
};
static const fwpy_field SPAN_FIELDS[] = {
    FIELD(fw_reused_span, a, 'I'),          FIELD(fw_reused_span, b, 'I'),
    FIELD(fw_reused_span, a_start, 'Q'),    FIELD(fw_reused_span, a_end, 'Q'),
    FIELD(fw_reused_span, b_start, 'Q'),    FIELD(fw_reused_span, b_end, 'Q'),
    FIELD(fw_reused_span, a_chars, 'Q'),    FIELD(fw_reused_span, b_chars, 'Q'),
    FIELD(fw_reused_span, matched, 'Q'),    FIELD(fw_reused_span, similarity, 'd'),
};
static const fwpy_field PASSAGE_FIELDS[] = {
    FIELD(fw_passage_info, group, 'Q'),      FIELD(fw_passage_info, doc, 'I'),
    FIELD(fw_passage_info, index, 'I'),      FIELD(fw_passage_info, byte_start, 'Q'),
    FIELD(fw_passage_info, byte_end, 'Q'),   FIELD(fw_passage_info, chars, 'Q'),
    FIELD(fw_passage_info, text, 'a'),
};
static const fwpy_field GROUP_FIELDS[] = {
    FIELD(fw_group_info, group, 'Q'),       FIELD(fw_group_info, passages, 'Q'),
    FIELD(fw_group_info, docs, 'Q'),        FIELD(fw_group_info, boilerplate, 'i'),
    FIELD(fw_group_info, line, 'i'),        FIELD(fw_group_info, chars, 'Q'),
    FIELD(fw_group_info, text, 'a'),
};

static fw_status doc_row(const void *scan, size_t i, void *row)
{
    return fw_scan_doc(scan, i, row);
}
static fw_status grouped_row(const void *scan, size_t i, void *row)
{
    return fw_scan_grouped_passage(scan, i, row);
}
static fw_status boilerplate_row(const void *scan, size_t i, void *row)
{
    return fw_scan_boilerplate(scan, i, row);
}
static fw_status pair_row(const void *pairs, size_t i, void *row)
{
    *(fw_result_pair *)row = ((const fw_result_pair *)pairs)[i];
    return FW_OK;
}
static fw_status reuse_row(const void *pairs, size_t i, void *row)
{
    *(fw_reuse_pair *)row = ((const fw_reuse_pair *)pairs)[i];
    return FW_OK;
}
static fw_status span_row(const void *spans, size_t i, void *row)
{
    *(fw_reused_span *)row = ((const fw_reused_span *)spans)[i];
    return FW_OK;
}

static PyObject *scan_documents(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    fw_doc_info row;
    if (!usable(self, 1)) return NULL;
    return columns(self, DOC_FIELDS, COUNT(DOC_FIELDS), fw_scan_doc_count(self->scan), doc_row,
                   self->scan, &row);
}

static PyObject *scan_pairs(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    const fw_result_pair *pairs;
    size_t n;
    fw_result_pair row;
    if (!usable(self, 1)) return NULL;
    fw_status st = fw_scan_pairs(self->scan, &pairs, &n);
    if (st != FW_OK) return scan_raise(self, st);
    return columns(self, PAIR_FIELDS, COUNT(PAIR_FIELDS), n, pair_row, pairs, &row);
}

static PyObject *scan_reuse(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    const fw_reuse_pair *pairs;
    size_t n;
    fw_reuse_pair row;
    if (!usable(self, 1)) return NULL;
    fw_status st = fw_scan_reuse(self->scan, &pairs, &n);
    if (st != FW_OK) return scan_raise(self, st);
    return columns(self, REUSE_FIELDS, COUNT(REUSE_FIELDS), n, reuse_row, pairs, &row);
}

static PyObject *scan_spans(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    const fw_reused_span *spans;
    size_t n;
    fw_reused_span row;
    if (!usable(self, 1)) return NULL;
    fw_status st = fw_scan_spans(self->scan, &spans, &n);
    if (st != FW_OK) return scan_raise(self, st);
    return columns(self, SPAN_FIELDS, COUNT(SPAN_FIELDS), n, span_row, spans, &row);
}

static PyObject *scan_passages(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    fw_passage_info row;
    if (!usable(self, 1)) return NULL;
    return columns(self, PASSAGE_FIELDS, COUNT(PASSAGE_FIELDS),
                   fw_scan_grouped_count(self->scan), grouped_row, self->scan, &row);
}

static PyObject *scan_boilerplate(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    fw_group_info row;
    if (!usable(self, 1)) return NULL;
    return columns(self, GROUP_FIELDS, COUNT(GROUP_FIELDS),
                   fw_scan_boilerplate_count(self->scan), boilerplate_row, self->scan, &row);
}

static PyObject *scan_options(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    if (!self->scan) return closed_error();
    return fwpy_options_dict(fw_scan_get_options(self->scan));
}

static const fwpy_field STATS_FIELDS[] = {
    FIELD(fw_scan_stats, inputs, 'Q'),
    FIELD(fw_scan_stats, bytes, 'Q'),
    FIELD(fw_scan_stats, input_bytes, 'Q'),
    FIELD(fw_scan_stats, skipped_records, 'Q'),
    FIELD(fw_scan_stats, shingles, 'Q'),
    FIELD(fw_scan_stats, bands, 'I'),
    FIELD(fw_scan_stats, rows, 'I'),
    FIELD(fw_scan_stats, candidate_probability, 'd'),
    FIELD(fw_scan_stats, candidates, 'Q'),
    FIELD(fw_scan_stats, verified, 'Q'),
    FIELD(fw_scan_stats, clusters, 'Q'),
    FIELD(fw_scan_stats, clustered_docs, 'Q'),
    FIELD(fw_scan_stats, band_runs, 'Q'),
    FIELD(fw_scan_stats, passage_band_runs, 'Q'),
    FIELD(fw_scan_stats, threads, 'i'),
    FIELD(fw_scan_stats, canon_entries, 'Q'),
    FIELD(fw_scan_stats, passages, 'Q'),
    FIELD(fw_scan_stats, passage_bands, 'I'),
    FIELD(fw_scan_stats, passage_rows, 'I'),
    FIELD(fw_scan_stats, passage_probability, 'd'),
    FIELD(fw_scan_stats, passage_candidates, 'Q'),
    FIELD(fw_scan_stats, passage_matches, 'Q'),
    FIELD(fw_scan_stats, passage_screened, 'Q'),
    FIELD(fw_scan_stats, passage_groups, 'Q'),
    FIELD(fw_scan_stats, grouped_passages, 'Q'),
    FIELD(fw_scan_stats, boilerplate_groups, 'Q'),
    FIELD(fw_scan_stats, boilerplate_lines, 'Q'),
    FIELD(fw_scan_stats, reuse_pairs, 'Q'),
    FIELD(fw_scan_stats, spans, 'Q'),
    FIELD(fw_scan_stats, boilerplate_docs_needed, 'Q'),
    FIELD(fw_scan_stats, t_read, 'd'),
    FIELD(fw_scan_stats, t_parse, 'd'),
    FIELD(fw_scan_stats, t_normalize, 'd'),
    FIELD(fw_scan_stats, t_shingle, 'd'),
    FIELD(fw_scan_stats, t_minhash, 'd'),
    FIELD(fw_scan_stats, t_sketch_wall, 'd'),
    FIELD(fw_scan_stats, t_lsh, 'd'),
    FIELD(fw_scan_stats, t_verify, 'd'),
    FIELD(fw_scan_stats, t_cluster, 'd'),
    FIELD(fw_scan_stats, t_passage_cut, 'd'),
    FIELD(fw_scan_stats, t_passages, 'd'),
    FIELD(fw_scan_stats, rss_sketch, 'd'),
    FIELD(fw_scan_stats, rss_passages, 'd'),
    FIELD(fw_scan_stats, rss_lsh, 'd'),
    FIELD(fw_scan_stats, rss_verify, 'd'),
    FIELD(fw_scan_stats, rss_cluster, 'd'),
};

/* fw_scan_stats as a dict; "documents" by status name, "simd" by name. */
static PyObject *scan_stats(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    if (!self->scan) return closed_error();
    fw_scan_stats st;
    fw_scan_get_stats(self->scan, &st);
    PyObject *d = fwpy_struct_dict(STATS_FIELDS, COUNT(STATS_FIELDS), &st);
    PyObject *docs = PyDict_New(), *simd = PyUnicode_FromString(fw_simd_name(st.simd));
    for (int i = 0; docs && i < FW_DOC_STATUS_COUNT; i++) {
        PyObject *v = PyLong_FromUnsignedLongLong(st.docs[i]);
        if (!v || PyDict_SetItemString(docs, fw_doc_status_name((fw_doc_status)i), v) < 0)
            Py_CLEAR(docs);
        Py_XDECREF(v);
    }
    if (d && (!docs || !simd || PyDict_SetItemString(d, "documents", docs) < 0 ||
              PyDict_SetItemString(d, "simd", simd) < 0))
        Py_CLEAR(d);
    Py_XDECREF(docs);
    Py_XDECREF(simd);
    return d;
}

static PyObject *scan_write(PyObject *obj, PyObject *args)
{
    ScanObject *self = (ScanObject *)obj;
    PyObject *dir;
    if (!PyArg_ParseTuple(args, "O&:write", PyUnicode_FSConverter, &dir)) return NULL;
    if (!usable(self, 1)) {
        Py_DECREF(dir);
        return NULL;
    }
    fw_status st;
    double seconds = 0;
    const char *path = PyBytes_AsString(dir);
    self->sharing++;
    Py_BEGIN_ALLOW_THREADS
    st = fw_report_write(self->scan, path, &seconds);
    Py_END_ALLOW_THREADS
    self->sharing--;
    Py_DECREF(dir);
    if (st != FW_OK) return scan_raise(self, st);
    return PyFloat_FromDouble(seconds);
}

/* fw_scan_use_passage_model() / fw_scan_write_passage_model() with a path. */
static PyObject *scan_passage_model(PyObject *obj, PyObject *args, int write)
{
    ScanObject *self = (ScanObject *)obj;
    PyObject *file;
    if (!PyArg_ParseTuple(args, write ? "O&:write_passage_model" : "O&:use_passage_model",
                          PyUnicode_FSConverter, &file))
        return NULL;
    if (!usable(self, write)) {
        Py_DECREF(file);
        return NULL;
    }
    const char *path = PyBytes_AsString(file);
    fw_status st = write ? fw_scan_write_passage_model(self->scan, path)
                         : fw_scan_use_passage_model(self->scan, path);
    Py_DECREF(file);
    if (st != FW_OK) return scan_raise(self, st);
    Py_RETURN_NONE;
}

static PyObject *scan_use_passage_model(PyObject *obj, PyObject *args)
{
    return scan_passage_model(obj, args, 0);
}

static PyObject *scan_write_passage_model(PyObject *obj, PyObject *args)
{
    return scan_passage_model(obj, args, 1);
}

static PyObject *scan_close(PyObject *obj, PyObject *args)
{
    (void)args;
    ScanObject *self = (ScanObject *)obj;
    if (self->exclusive || self->sharing) {
        PyErr_SetString(PyExc_RuntimeError, "the scan is in use by another thread");
        return NULL;
    }
    if (self->pinned) {
        PyErr_SetString(PyExc_RuntimeError, "an index result refers to this batch: close it first");
        return NULL;
    }
    scan_free(self);
    Py_RETURN_NONE;
}

static PyMethodDef scan_methods[] = {
    {"add_texts", scan_add_texts, METH_VARARGS,
     "add_texts(ids, texts, base=0): fw_scan_add_text for each pair (str or bytes); "
     "base numbers the items in messages."},
    {"add_paths", scan_add_paths, METH_VARARGS,
     "add_paths(paths): fw_scan_add_path for each path (bytes from os.fsencode)."},
    {"run", scan_run, METH_NOARGS, "fw_scan_run(), the GIL released."},
    {"documents", scan_documents, METH_NOARGS, "fw_doc_info of every document, as columns."},
    {"pairs", scan_pairs, METH_NOARGS, "fw_scan_pairs(), as columns."},
    {"reuse", scan_reuse, METH_NOARGS, "fw_scan_reuse(), as columns."},
    {"spans", scan_spans, METH_NOARGS, "fw_scan_spans(), as columns."},
    {"passages", scan_passages, METH_NOARGS, "fw_scan_grouped_passage(), as columns."},
    {"boilerplate", scan_boilerplate, METH_NOARGS, "fw_scan_boilerplate(), as columns."},
    {"options", scan_options, METH_NOARGS, "fw_scan_get_options() as a dict."},
    {"stats", scan_stats, METH_NOARGS, "fw_scan_get_stats() as a dict."},
    {"write", scan_write, METH_VARARGS,
     "write(dir) -> seconds: fw_report_write(), the GIL released."},
    {"use_passage_model", scan_use_passage_model, METH_VARARGS,
     "use_passage_model(path): fw_scan_use_passage_model(), before adding."},
    {"write_passage_model", scan_write_passage_model, METH_VARARGS,
     "write_passage_model(path): fw_scan_write_passage_model(), after run()."},
    {"close", scan_close, METH_NOARGS, "fw_scan_free(); the scan is unusable after."},
    {NULL, NULL, 0, NULL}};

static PyType_Slot scan_slots[] = {
    {Py_tp_new, scan_new},
    {Py_tp_dealloc, scan_dealloc},
    {Py_tp_methods, scan_methods},
    {Py_tp_doc, "Scan(options: dict) -> one fw_scan (see fanwen.scan)."},
    {0, NULL}};

static PyType_Spec scan_spec = {"fanwen._fanwen.Scan", sizeof(ScanObject), 0,
                                Py_TPFLAGS_DEFAULT, scan_slots};

static PyMethodDef scan_functions[] = {
    {"default_options", default_options, METH_NOARGS,
     "fw_scan_options_default() as a dict of the keywords fanwen.scan takes."},
    {NULL, NULL, 0, NULL}};

int fwpy_add_scan(PyObject *module)
{
    PyObject *type = PyType_FromSpec(&scan_spec);
    if (!type) return -1;
    Py_INCREF(type); /* one for the module, one for scan_type */
    scan_type = (PyTypeObject *)type;
    if (PyModule_AddObject(module, "Scan", type) < 0) return -1;
    return PyModule_AddFunctions(module, scan_functions);
}

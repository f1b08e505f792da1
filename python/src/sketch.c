/*
 * sketch.c — signatures outside a scan.
 *
 * _fanwen.Sketcher makes, for each text, exactly the signature fw_scan
 * makes for it with the same options: the sequence of src/scan.c's
 * sketch_text(), through the public API only — fw_normalize(), with
 * template mode fw_template_apply() (digit runs folded and the default or
 * a given canon table, as fw_scan_new() sets it up), fw_shingle_hash_all()
 * over every n-gram with repeats, then fw_minhash_compute() or
 * fw_oph_compute() on that multiset (a minimum does not see repeats). The
 * scan's status rules are not applied: an empty or binary text gets a
 * signature here (all UINT32_MAX when nothing is left), where the scan
 * gives it none.
 *
 * Texts are sketched in parallel with plain pthreads (libfanwen's OpenMP
 * stays inside the library), the GIL released: each thread takes the next
 * text from an atomic counter and writes its row of the output, so rows
 * do not depend on the thread count or timing. The output is a bytearray
 * made here and handed out only when complete, so no other Python thread
 * can resize it meanwhile.
 *
 * _fanwen.TokenHasher is the core of fanwen.MinHash: a token's bytes are
 * hashed with XXH3-64 seeded by the MinHash's seed (libxxhash, the hash
 * the shingles use) and folded into a signature by fw_minhash_compute()
 * and an element-wise minimum.
 */
#include "fanwen_py.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

/* --------------------------------------------------------- Sketcher */

typedef struct SketcherObject {
    PyObject_HEAD
    fw_normalizer *normalizer;
    fw_template *tmpl;     /* template mode, else NULL */
    fw_minhasher *minhasher;
    fw_oph *oph;           /* sketch='oph', else NULL */
    unsigned ngram, k;
    uint64_t seed;
} SketcherObject;

/* One thread's buffers, reused across its texts. */
typedef struct scratch {
    uint32_t *cps, *tcps;
    size_t cps_cap, tcps_cap;
    uint64_t *hashes;
    size_t hashes_cap;
    unsigned char *packed;
    size_t packed_cap;
} scratch;

static int grow(void **buf, size_t *cap, size_t bytes)
{
    if (bytes <= *cap) return 1;
    void *p = realloc(*buf, bytes);
    if (!p) return 0;
    *buf = p;
    *cap = bytes;
    return 1;
}

/* The signature of one text into sig[0..k). */
static fw_status sketch_one(const SketcherObject *s, scratch *w, const fwpy_text *text,
                            uint32_t *sig)
{
    size_t n;
    fw_status st = fw_normalize(s->normalizer, text->data, text->len, &w->cps, &w->cps_cap,
                                &n, NULL);
    if (st != FW_OK) return st;
    const uint32_t *cps = w->cps;
    if (s->tmpl) {
        st = fw_template_apply(s->tmpl, w->cps, n, &w->tcps, &w->tcps_cap, &n);
        if (st != FW_OK) return st;
        cps = w->tcps;
    }
    size_t count = fw_shingle_count(n, s->ngram);
    if (!grow((void **)&w->hashes, &w->hashes_cap, (count ? count : 1) * sizeof(uint64_t)) ||
        !grow((void **)&w->packed, &w->packed_cap, fw_shingle_packed_size(n) + 1))
        return FW_ERR_NOMEM;
    count = fw_shingle_hash_all(cps, n, s->ngram, s->seed, w->hashes, w->packed);
    if (s->oph)
        fw_oph_compute(s->oph, w->hashes, count, sig);
    else
        fw_minhash_compute(s->minhasher, w->hashes, count, sig);
    return FW_OK;
}

typedef struct sketch_job {
    const SketcherObject *s;
    const fwpy_text *texts;
    size_t n;
    uint32_t *out;         /* n rows of k values */
    atomic_size_t next;    /* the next text to take */
    atomic_int status;     /* the first failure, FW_OK if none */
} sketch_job;

static void *sketch_worker(void *arg)
{
    sketch_job *job = arg;
    scratch w = {0};
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n || atomic_load(&job->status) != FW_OK) break;
        fw_status st = sketch_one(job->s, &w, &job->texts[i], job->out + i * job->s->k);
        if (st != FW_OK) atomic_store(&job->status, st);
    }
    free(w.cps);
    free(w.tcps);
    free(w.hashes);
    free(w.packed);
    return NULL;
}

/* All texts of a job on `threads` threads, this one included. */
static fw_status sketch_all(sketch_job *job, int threads)
{
    pthread_t tid[256];
    int started = 0;
    if ((size_t)threads > job->n) threads = (int)job->n;
    while (started < threads - 1 && started < 256 &&
           pthread_create(&tid[started], NULL, sketch_worker, job) == 0)
        started++; /* no more threads to be had: fewer do the work */
    sketch_worker(job);
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    return (fw_status)atomic_load(&job->status);
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* sketch(texts, threads=0) -> bytearray of len(texts) x k uint32. */
static PyObject *sketcher_sketch(PyObject *obj, PyObject *args)
{
    SketcherObject *self = (SketcherObject *)obj;
    PyObject *texts;
    int threads = 0;
    if (!PyArg_ParseTuple(args, "O|i:sketch", &texts, &threads)) return NULL;
    if (threads <= 0) threads = default_threads();
    PyObject *list = PySequence_List(texts);
    if (!list) return NULL;
    Py_ssize_t total = PyList_Size(list);
    size_t row_bytes = (size_t)self->k * sizeof(uint32_t);
    PyObject *out = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)((size_t)total * row_bytes));
    fwpy_chunk c = {0};
    fw_status st = FW_OK;
    Py_ssize_t n = 0;
    for (Py_ssize_t start = 0; out && st == FW_OK && start < total; start += n) {
        if ((n = fwpy_chunk_fill(&c, list, start, total, "surrogatepass", "text")) <= 0) break;
        sketch_job job = {
            .s = self, .texts = c.texts, .n = (size_t)n,
            .out = (uint32_t *)(void *)(PyByteArray_AsString(out) + start * row_bytes)};
        atomic_init(&job.next, 0);
        atomic_init(&job.status, FW_OK);
        Py_BEGIN_ALLOW_THREADS
        st = sketch_all(&job, threads);
        Py_END_ALLOW_THREADS
    }
    fwpy_chunk_free(&c);
    Py_DECREF(list);
    if (out && (n < 0 || st != FW_OK)) {
        Py_CLEAR(out);
        if (st != FW_OK) fwpy_raise(st, NULL);
    }
    return out;
}

/* A canon table to load, or NULL: str, bytes or os.PathLike. */
static fw_status make_template(SketcherObject *self, PyObject *canon)
{
    PyObject *path = NULL;
    if (canon && !PyUnicode_FSConverter(canon, &path)) return FW_ERR_ARG;
    fw_status st = fw_template_new(1, &self->tmpl);
    if (st == FW_OK)
        st = path ? fw_template_load_canon(self->tmpl, PyBytes_AsString(path))
                  : fw_template_add_default_canon(self->tmpl);
    Py_XDECREF(path);
    if (st != FW_OK) fwpy_raise(st, self->tmpl ? fw_template_error(self->tmpl) : NULL);
    return st;
}

/* An int argument from lo to hi, or -1 with ArgumentError saying so (the
 * value as given, however large or negative: "I" and "K" would wrap it). */
static int int_arg(PyObject *v, const char *name, unsigned long long lo, unsigned long long hi,
                   unsigned long long *out)
{
    PyObject *i = PyNumber_Index(v); /* an int, or what stands for one (NumPy's) */
    if (!i) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %R", name, (PyObject *)Py_TYPE(v));
        return -1;
    }
    unsigned long long x = PyLong_AsUnsignedLongLong(i); /* negative or too large: an error */
    Py_DECREF(i);
    if ((x == (unsigned long long)-1 && PyErr_Occurred()) || x < lo || x > hi) {
        PyErr_Clear();
        PyErr_Format(fwpy_ArgumentError, "%s must be between %llu and %llu, got %R", name, lo,
                     hi, v);
        return -1;
    }
    *out = x;
    return 0;
}

static PyObject *sketcher_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"ngram", "perms", "seed", "template", "sketch", "canon", NULL};
    unsigned long long ngram = 5, k = 128, seed = 0;
    PyObject *ngram_arg = NULL, *k_arg = NULL, *seed_arg = NULL;
    int template_mode = 0;
    const char *sketch = "minhash";
    PyObject *canon = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOpsO:Sketcher", kwlist, &ngram_arg, &k_arg,
                                     &seed_arg, &template_mode, &sketch, &canon))
        return NULL;
    int oph = strcmp(sketch, fw_sketch_name(FW_SKETCH_OPH)) == 0;
    if (!oph && strcmp(sketch, fw_sketch_name(FW_SKETCH_MINHASH)) != 0)
        return PyErr_Format(PyExc_ValueError, "sketch must be 'minhash' or 'oph', not '%s'",
                            sketch);
    /* the same ranges as fw_scan_new() */
    if ((ngram_arg && int_arg(ngram_arg, "ngram", 1, 64, &ngram) < 0) ||
        (k_arg && int_arg(k_arg, "perms", 1, 1024, &k) < 0) ||
        (seed_arg && int_arg(seed_arg, "seed", 0, UINT64_MAX, &seed) < 0))
        return NULL;
    SketcherObject *self = (SketcherObject *)PyType_GenericAlloc(type, 0);
    if (!self) return NULL;
    self->ngram = (unsigned)ngram;
    self->k = (unsigned)k;
    self->seed = seed;
    fw_status st = fw_normalizer_new(&self->normalizer);
    if (st == FW_OK) st = fw_minhasher_new((unsigned)k, seed, &self->minhasher);
    if (st == FW_OK && oph) st = fw_oph_new((unsigned)k, seed, &self->oph);
    if (st == FW_OK && (template_mode || canon != Py_None))
        st = make_template(self, canon == Py_None ? NULL : canon);
    if (st != FW_OK) {
        Py_DECREF(self);
        return PyErr_Occurred() ? NULL : fwpy_raise(st, NULL);
    }
    return (PyObject *)self;
}

static void sketcher_dealloc(PyObject *obj)
{
    SketcherObject *self = (SketcherObject *)obj;
    PyTypeObject *type = Py_TYPE(obj);
    fw_normalizer_free(self->normalizer);
    fw_template_free(self->tmpl);
    fw_minhasher_free(self->minhasher);
    fw_oph_free(self->oph);
    freefunc tp_free = (freefunc)PyType_GetSlot(type, Py_tp_free);
    tp_free(obj);
    Py_DECREF(type);
}

static PyMethodDef sketcher_methods[] = {
    {"sketch", sketcher_sketch, METH_VARARGS,
     "sketch(texts, threads=0) -> bytearray: one row of perms uint32 per text, "
     "the scan's signature; threads 0: all cores."},
    {NULL, NULL, 0, NULL}};

static PyType_Slot sketcher_slots[] = {
    {Py_tp_new, sketcher_new},
    {Py_tp_dealloc, sketcher_dealloc},
    {Py_tp_methods, sketcher_methods},
    {Py_tp_doc, "Sketcher(ngram=5, perms=128, seed=0, template=False, sketch='minhash', "
                "canon=None): the scan's signatures of texts."},
    {0, NULL}};

static PyType_Spec sketcher_spec = {"fanwen._fanwen.Sketcher", sizeof(SketcherObject), 0,
                                    Py_TPFLAGS_DEFAULT, sketcher_slots};

/* ------------------------------------------------------ TokenHasher */

typedef struct TokenHasherObject {
    PyObject_HEAD
    fw_minhasher *minhasher;
    unsigned k;
    uint64_t seed;
} TokenHasherObject;

/* fold(sig: bytearray, tokens) -> None: sig = min(sig, MinHash(tokens)). */
static PyObject *hasher_fold(PyObject *obj, PyObject *args)
{
    TokenHasherObject *self = (TokenHasherObject *)obj;
    PyObject *sig, *tokens;
    uint32_t *values;
    unsigned k;
    if (!PyArg_ParseTuple(args, "O!O:fold", &PyByteArray_Type, &sig, &tokens) ||
        fwpy_signature(sig, &values, &k, "signature") < 0)
        return NULL;
    if (k != self->k) return PyErr_Format(PyExc_ValueError, "signature of %u values, not %u",
                                          k, self->k);
    PyObject *list = PySequence_List(tokens);
    if (!list) return NULL;
    Py_ssize_t n = PyList_Size(list);
    uint64_t *hashes = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *hashes);
    uint32_t *fresh = PyMem_Malloc(k * sizeof *fresh);
    PyObject *r = NULL;
    if (!hashes || !fresh) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *b = fwpy_utf8(PyList_GetItem(list, i), "surrogatepass", "a token");
        if (!b) goto done;
        hashes[i] = XXH3_64bits_withSeed(PyBytes_AsString(b), (size_t)PyBytes_Size(b),
                                         self->seed);
        Py_DECREF(b);
    }
    if (n) {
        fw_minhash_compute(self->minhasher, hashes, (size_t)n, fresh);
        for (unsigned i = 0; i < k; i++)
            if (fresh[i] < values[i]) values[i] = fresh[i];
    }
    r = Py_None;
    Py_INCREF(r);
done:
    PyMem_Free(hashes);
    PyMem_Free(fresh);
    Py_DECREF(list);
    return r;
}

static PyObject *hasher_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"perms", "seed", NULL};
    unsigned long long k = 128, seed = 0;
    PyObject *k_arg = NULL, *seed_arg = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:TokenHasher", kwlist, &k_arg, &seed_arg))
        return NULL;
    if ((k_arg && int_arg(k_arg, "num_perm", 1, 1024, &k) < 0) ||
        (seed_arg && int_arg(seed_arg, "seed", 0, UINT64_MAX, &seed) < 0))
        return NULL;
    TokenHasherObject *self = (TokenHasherObject *)PyType_GenericAlloc(type, 0);
    if (!self) return NULL;
    self->k = (unsigned)k;
    self->seed = seed;
    fw_status st = fw_minhasher_new((unsigned)k, seed, &self->minhasher);
    if (st != FW_OK) {
        Py_DECREF(self);
        return fwpy_raise(st, NULL);
    }
    return (PyObject *)self;
}

static void hasher_dealloc(PyObject *obj)
{
    PyTypeObject *type = Py_TYPE(obj);
    fw_minhasher_free(((TokenHasherObject *)obj)->minhasher);
    freefunc tp_free = (freefunc)PyType_GetSlot(type, Py_tp_free);
    tp_free(obj);
    Py_DECREF(type);
}

static PyMethodDef hasher_methods[] = {
    {"fold", hasher_fold, METH_VARARGS,
     "fold(signature: bytearray, tokens) -> None: XXH3-64 of each token (str as "
     "UTF-8, or bytes), fw_minhash_compute, element-wise minimum into signature."},
    {NULL, NULL, 0, NULL}};

static PyType_Slot hasher_slots[] = {
    {Py_tp_new, hasher_new},
    {Py_tp_dealloc, hasher_dealloc},
    {Py_tp_methods, hasher_methods},
    {Py_tp_doc, "TokenHasher(perms=128, seed=0): the permutations of a fanwen.MinHash."},
    {0, NULL}};

static PyType_Spec hasher_spec = {"fanwen._fanwen.TokenHasher", sizeof(TokenHasherObject), 0,
                                  Py_TPFLAGS_DEFAULT, hasher_slots};

int fwpy_add_sketch(PyObject *module)
{
    PyObject *sketcher = PyType_FromSpec(&sketcher_spec);
    if (!sketcher || PyModule_AddObject(module, "Sketcher", sketcher) < 0) return -1;
    PyObject *hasher = PyType_FromSpec(&hasher_spec);
    if (!hasher || PyModule_AddObject(module, "TokenHasher", hasher) < 0) return -1;
    return 0;
}

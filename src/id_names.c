/*
 * id_names.c — every document a name of its own.
 *
 * Documents are named in input order: a document keeps its id unless an
 * earlier document has that name, else it takes the first "id#2", "id#3"...
 * that no earlier document has. An id that looks like a renaming ("a#2",
 * given to the third of [a, a, a#2]) is then never a second document's
 * name: it becomes "a#2#2". Ids repeated without such a clash are named
 * as before this rule: the k-th "a" is "a#k".
 *
 * The rule looks only at earlier documents, so an index, whose documents
 * come before any batch's, keeps the names it gave: a query names its
 * batch on, with the index's names taken (fw_id_taken_fn), as a scan of
 * both would. A removal must not free a name that a later document was
 * denied (index.c checks it), or a scan of what remains would name that
 * document otherwise.
 */
#include "id_names.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

typedef struct slot {
    uint64_t hash;    /* 0: empty */
    const char *name; /* a taken name, or (bases) the id renamed from */
    size_t next;      /* bases: the j to try first for that id */
} slot;

typedef struct table {
    slot *v;
    size_t cap, n; /* cap a power of two */
} table;

struct fw_id_namer {
    table names;  /* every name taken */
    table bases;  /* ids renamed, with where their j goes on (owned copies) */
    fw_id_taken_fn taken_elsewhere;
    const void *ctx;
};

static uint64_t hash_of(const char *s)
{
    uint64_t h = XXH3_64bits(s, strlen(s));
    return h ? h : 1;
}

static slot *find(const table *t, const char *s, uint64_t h)
{
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        slot *e = &t->v[i];
        if (!e->hash || (e->hash == h && !strcmp(e->name, s))) return e;
    }
}

static int table_init(table *t, size_t expected)
{
    t->cap = 16;
    while (t->cap < 2 * expected) t->cap *= 2;
    t->n = 0;
    return (t->v = calloc(t->cap, sizeof *t->v)) != NULL;
}

/* Room for one more at under half full. */
static int table_room(table *t)
{
    if (2 * (t->n + 1) <= t->cap) return 1;
    table g = {calloc(2 * t->cap, sizeof *g.v), 2 * t->cap, t->n};
    if (!g.v) return 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].hash) *find(&g, t->v[i].name, t->v[i].hash) = t->v[i];
    free(t->v);
    *t = g;
    return 1;
}

fw_status fw_id_namer_new(size_t expected, fw_id_taken_fn taken_elsewhere, const void *ctx,
                          fw_id_namer **out)
{
    fw_id_namer *n = calloc(1, sizeof *n);
    if (!n || !table_init(&n->names, expected) || !table_init(&n->bases, 0)) {
        fw_id_namer_free(n);
        return FW_ERR_NOMEM;
    }
    n->taken_elsewhere = taken_elsewhere;
    n->ctx = ctx;
    *out = n;
    return FW_OK;
}

void fw_id_namer_free(fw_id_namer *n)
{
    if (!n) return;
    for (size_t i = 0; n->bases.v && i < n->bases.cap; i++) free((char *)n->bases.v[i].name);
    free(n->names.v);
    free(n->bases.v);
    free(n);
}

static int taken(const fw_id_namer *n, const char *s, uint64_t h)
{
    return find(&n->names, s, h)->hash || (n->taken_elsewhere && n->taken_elsewhere(n->ctx, s));
}

static fw_status take_name(fw_id_namer *n, const char *s, uint64_t h)
{
    if (!table_room(&n->names)) return FW_ERR_NOMEM;
    *find(&n->names, s, h) = (slot){h, s, 0};
    n->names.n++;
    return FW_OK;
}

fw_status fw_id_namer_take(fw_id_namer *n, const char *id, const char **name, int *renamed)
{
    uint64_t h = hash_of(id);
    *renamed = 0;
    *name = id;
    if (!taken(n, id, h)) return take_name(n, id, h);
    /* where this id's numbers go on: the j after its last renaming */
    if (!table_room(&n->bases)) return FW_ERR_NOMEM;
    slot *b = find(&n->bases, id, h);
    if (!b->hash) {
        char *own = strdup(id);
        if (!own) return FW_ERR_NOMEM;
        *b = (slot){h, own, 2};
        n->bases.n++;
    }
    size_t len = strlen(id) + 24;
    char *s = malloc(len);
    if (!s) return FW_ERR_NOMEM;
    uint64_t sh;
    for (;; b->next++) {
        snprintf(s, len, "%s#%zu", id, b->next);
        if (!taken(n, s, sh = hash_of(s))) break;
    }
    b->next++;
    fw_status st = take_name(n, s, sh);
    if (st != FW_OK) {
        free(s);
        return st;
    }
    *name = s;
    *renamed = 1;
    return FW_OK;
}

int fw_id_numbered(const char *name, size_t *id_len, uint64_t *j)
{
    const char *hash = strrchr(name, '#');
    if (!hash || hash[1] < '1' || hash[1] > '9' ||
        strspn(hash + 1, "0123456789") != strlen(hash + 1))
        return 0;
    *j = strtoull(hash + 1, NULL, 10);
    *id_len = (size_t)(hash - name);
    return 1;
}

int fw_id_renamed_from(const char *name, const char *message, size_t *id_len)
{
    size_t n = message ? strlen(message) : 0, k = strlen(FW_ID_RENAMED);
    uint64_t j;
    return n >= k && !strcmp(message + n - k, FW_ID_RENAMED) && fw_id_numbered(name, id_len, &j);
}

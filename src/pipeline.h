/* pipeline.h — the reader → batches → sketching thread handoff (internal;
 * see pipeline.c). Its state is a part of the scan (scan_internal.h); its
 * functions take the scan, whose records they fill. */
#ifndef FW_PIPELINE_H
#define FW_PIPELINE_H

#include "fanwen.h"
#include "read.h"

#include <pthread.h>

/* The raw text of a batch's JSON lines, one buffer for all of them: lines
 * are lent by the reader and copied here, not allocated one by one. */
typedef struct fw_text_pool {
    char *data;
    size_t len, cap;
} fw_text_pool;

typedef struct fw_pipeline {
    struct fw_pending *batch;      /* being filled by the reader */
    size_t nbatch, batch_bytes;
    fw_text_pool batch_pool;
    struct fw_pending *inflight;   /* being sketched by `sketcher` */
    size_t ninflight;
    fw_text_pool inflight_pool;
    uint64_t *batch_keys, *inflight_keys; /* the pendings' band keys */
    size_t batch_bytes_max;
    pthread_t sketcher;
    int sketching;
    fw_status sketch_status;
    double t_wait;                 /* reader time spent waiting for the sketcher */
} fw_pipeline;

/* Room for two batches (filled, and in flight); FW_ERR_NOMEM. */
fw_status fw_pipeline_init(fw_pipeline *pl);

/* With a memory limit: batches of at most limit/16 bytes, and room for the
 * `bands` band keys of every document in them. */
fw_status fw_pipeline_bound(fw_pipeline *pl, uint64_t limit, unsigned bands);

/* The read stage's sink (fw_doc_sink; `scan` is the fw_scan): records the
 * document and queues its text; a full batch goes to the sketching thread. */
fw_status fw_pipeline_take(void *scan, fw_input_doc *doc);

/* Hands the last batch over and waits for it: after this, every record is
 * complete. */
fw_status fw_pipeline_finish(fw_scan *s);

/* Waits for a batch still in flight (its records are kept) and frees the
 * texts still queued and the batches. */
void fw_pipeline_free(fw_scan *s);

#endif

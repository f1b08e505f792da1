/* report_rows.h — the rows of reuse.csv and spans.csv (internal; see
 * report_rows.c): one format for a scan's reports (report.c) and a
 * query's (index_report.c), which must be the same bytes. */
#ifndef FW_REPORT_ROWS_H
#define FW_REPORT_ROWS_H

#include "fanwen.h"

#include <stdio.h>

void fw_reuse_header(FILE *f);
void fw_reuse_row(FILE *f, const char *id_a, const char *id_b, const fw_reuse_pair *r);
void fw_spans_header(FILE *f);
void fw_spans_row(FILE *f, const char *id_a, const char *id_b, const fw_reused_span *s);

#endif

/* report_rows.c — the rows of reuse.csv and spans.csv, written with the
 * stream locked by the caller (csv_write.h). */
#include "report_rows.h"
#include "csv_write.h"

void fw_reuse_header(FILE *f)
{
    fputs("id_a,id_b,shared_passages,shared_chars,a_in_b,b_in_a\r\n", f);
}

void fw_reuse_row(FILE *f, const char *id_a, const char *id_b, const fw_reuse_pair *r)
{
    fw_csv_field(f, id_a);
    putc_unlocked(',', f);
    fw_csv_field(f, id_b);
    fw_csv_fields(f, (uint64_t[]){r->shared_passages, r->shared_chars}, 2);
    putc_unlocked(',', f);
    fw_csv_fixed6(f, r->a_in_b);
    putc_unlocked(',', f);
    fw_csv_fixed6(f, r->b_in_a);
    fputs("\r\n", f);
}

void fw_spans_header(FILE *f)
{
    fputs("id_a,a_start,a_end,id_b,b_start,b_end,a_chars,b_chars,matched_chars,similarity\r\n",
          f);
}

void fw_spans_row(FILE *f, const char *id_a, const char *id_b, const fw_reused_span *s)
{
    fw_csv_field(f, id_a);
    fw_csv_fields(f, (uint64_t[]){s->a_start, s->a_end}, 2);
    putc_unlocked(',', f);
    fw_csv_field(f, id_b);
    fw_csv_fields(f, (uint64_t[]){s->b_start, s->b_end, s->a_chars, s->b_chars, s->matched}, 5);
    putc_unlocked(',', f);
    fw_csv_fixed6(f, s->similarity);
    fputs("\r\n", f);
}

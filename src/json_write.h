/* json_write.h — JSON strings in the reports' summary.json files
 * (internal; see json_write.c): a scan's (report.c) and a query's
 * (index_report.c). */
#ifndef FW_JSON_WRITE_H
#define FW_JSON_WRITE_H

#include <stdio.h>

/* `s` as a JSON string: quotes, backslashes and control characters
 * escaped, invalid UTF-8 (a file name can hold any bytes) as U+FFFD. */
void fw_json_string(FILE *f, const char *s);

#endif

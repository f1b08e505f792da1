/* id_names.h — the rule that gives every document a name of its own
 * (internal; see id_names.c), shared by a scan (match.c) and a query
 * against an index (index_query.c), and what an index's removal must keep
 * true of it (index.c). */
#ifndef FW_ID_NAMES_H
#define FW_ID_NAMES_H

#include "fanwen.h"

#include <stddef.h>
#include <stdint.h>

/* The words a renamed document's message ends with. */
#define FW_ID_RENAMED "duplicate id, renamed"

/* Names taken so far, in input order. */
typedef struct fw_id_namer fw_id_namer;

/* Is `name` taken by a document outside the namer (an index's)? */
typedef int (*fw_id_taken_fn)(const void *ctx, const char *name);

fw_status fw_id_namer_new(size_t expected, fw_id_taken_fn taken_elsewhere, const void *ctx,
                          fw_id_namer **out);
void fw_id_namer_free(fw_id_namer *n);

/* The name of the next document, whose id is `id`: `id` itself when no
 * earlier document has that name, else the first "id#j" (j = 2, 3, ...)
 * none has. *name is then `id` (not copied, *renamed 0) or a malloc'ed
 * string (*renamed 1); either is taken from then on and must live as long
 * as the namer. */
fw_status fw_id_namer_take(fw_id_namer *n, const char *id, const char **name, int *renamed);

/* Whether `name` has the form "id#j", j a number written without leading
 * zeros (a renaming's j is 2 or more), and then the length of id and j. */
int fw_id_numbered(const char *name, size_t *id_len, uint64_t *j);

/* Whether a document named `name` with `message` was renamed by that rule,
 * and then the length of the id it was given (`name` up to its last '#'). */
int fw_id_renamed_from(const char *name, const char *message, size_t *id_len);

#endif

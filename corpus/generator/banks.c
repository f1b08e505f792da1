/* banks.c — the banks of banks.h with their sizes, for the rest of the generator. */
#include "generator.h"
#include "banks.h"

#define COUNT(a) (sizeof a / sizeof *a - 1) /* less the NULL */
#define BANK(name) {name, COUNT(name)}

const bank B_GENRES = BANK(GENRES), B_PLACES = BANK(PLACES), B_ORGS = BANK(ORGS),
           B_STOCK_COMMON = BANK(STOCK_COMMON), B_SUBJECTS = BANK(SUBJECTS),
           B_ACTIONS = BANK(ACTIONS), B_OBJECTS = BANK(OBJECTS), B_RESULTS = BANK(RESULTS),
           B_FIGURES = BANK(FIGURES), B_YEAR_CLAUSES = BANK(YEAR_CLAUSES),
           B_CENSORED = BANK(CENSORED), B_SITES = BANK(BOILERPLATE_SITES),
           B_HEADERS = BANK(BOILERPLATE_HEADERS), B_FOOTERS = BANK(BOILERPLATE_FOOTERS),
           B_TEASER_HEADINGS = BANK(TEASER_HEADINGS);
const bank B_HEADINGS[3] = {BANK(HEADINGS_SUMMARY), BANK(HEADINGS_PLAN), BANK(HEADINGS_SCHEME)};
const bank B_STOCK[3] = {BANK(STOCK_SUMMARY), BANK(STOCK_PLAN), BANK(STOCK_SCHEME)};
const char *const (*SWAPS)[2] = SYNONYM_SWAPS;
const size_t NSWAPS = COUNT(SYNONYM_SWAPS);

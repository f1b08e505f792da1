/*
 * csv.h — a strict RFC 4180 reader for the tests: the reports are checked
 * by parsing them back, field by field, the way a user's tool would.
 */
#ifndef FW_TEST_CSV_H
#define FW_TEST_CSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct csv_table {
    size_t rows, cols;   /* rows include the header */
    char ***cell;        /* cell[row][col] */
    int well_formed;     /* every line CRLF-terminated, every row `cols` wide */
} csv_table;

static inline char *csv_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Parses a whole file; returns 0 if it cannot be read. */
static inline int csv_read(const char *path, csv_table *t)
{
    memset(t, 0, sizeof *t);
    size_t len;
    char *s = csv_slurp(path, &len);
    if (!s) return 0;
    t->well_formed = 1;
    size_t i = 0, rows_cap = 0;
    while (i < len) {
        char **row = NULL;
        size_t ncols = 0;
        for (;;) {
            size_t cap = 64, n = 0;
            char *field = malloc(cap);
            if (s[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len) { t->well_formed = 0; break; }
                    if (s[i] == '"') {
                        if (i + 1 < len && s[i + 1] == '"') { field[n++] = '"'; i += 2; }
                        else { i++; break; }
                    } else field[n++] = s[i++];
                    if (n + 1 >= cap) field = realloc(field, cap *= 2);
                }
            } else {
                while (i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
                    if (s[i] == '"') t->well_formed = 0;
                    field[n++] = s[i++];
                    if (n + 1 >= cap) field = realloc(field, cap *= 2);
                }
            }
            field[n] = '\0';
            row = realloc(row, (ncols + 1) * sizeof *row);
            row[ncols++] = field;
            if (i < len && s[i] == ',') { i++; continue; }
            if (i + 1 < len && s[i] == '\r' && s[i + 1] == '\n') i += 2;
            else t->well_formed = 0, i = i < len ? i + 1 : i;
            break;
        }
        if (t->rows == rows_cap) {
            rows_cap = rows_cap ? 2 * rows_cap : 64;
            t->cell = realloc(t->cell, rows_cap * sizeof *t->cell);
        }
        t->cell[t->rows++] = row;
        if (t->rows == 1) t->cols = ncols;
        else if (ncols != t->cols) t->well_formed = 0;
    }
    free(s);
    return 1;
}

static inline void csv_free(csv_table *t)
{
    for (size_t r = 0; r < t->rows; r++) {
        for (size_t c = 0; c < t->cols; c++) free(t->cell[r][c]);
        free(t->cell[r]);
    }
    free(t->cell);
}

/* Row whose column `col` equals `value`, or -1. */
static inline long csv_find(const csv_table *t, size_t col, const char *value)
{
    for (size_t r = 1; r < t->rows; r++)
        if (strcmp(t->cell[r][col], value) == 0) return (long)r;
    return -1;
}

#endif

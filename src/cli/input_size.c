/*
 * input_size.c — how much a scan will read, known before it reads: the
 * progress line's total (progress.c) and the memory a scan needs
 * (memory_budget.c).
 *
 * The paths are walked as the reader walks them (src/read.c): directories
 * recursed, symlinks followed, a directory inside itself not walked again.
 * The text of a .zst or .gz file is counted as five times its bytes:
 * Chinese text compresses 3 to 7 times (laws.jsonl.zst 6.5, poetry 4.0).
 */
#include "input_size.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define COMPRESSED_RATIO 5

typedef struct walked {
    dev_t dev;
    ino_t ino;
    const struct walked *up;
} walked;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void add(cli_input_size *size, const char *path, const walked *up)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        size->unknown = 1;
        return;
    }
    if (S_ISREG(st.st_mode)) {
        uint64_t b = (uint64_t)st.st_size;
        size->disk += b;
        size->text += ends_with(path, ".zst") || ends_with(path, ".gz")
                          ? b * COMPRESSED_RATIO : b;
        return;
    }
    if (!S_ISDIR(st.st_mode)) return;
    for (const walked *w = up; w; w = w->up)
        if (w->dev == st.st_dev && w->ino == st.st_ino) return;
    walked self = {st.st_dev, st.st_ino, up};
    DIR *dir = opendir(path);
    if (!dir) {
        size->unknown = 1;
        return;
    }
    struct dirent *e;
    char child[4096];
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >= (int)sizeof child) {
            size->unknown = 1;
            continue;
        }
        add(size, child, &self);
    }
    closedir(dir);
}

void cli_input_size_add(cli_input_size *size, const char *path) { add(size, path, NULL); }

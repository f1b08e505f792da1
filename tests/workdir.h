/* workdir.h — a scratch directory for the tests that run the CLI on files:
 * inputs go to ROOT/in, the CLI runs in ROOT (its stdout and stderr in
 * stdout.txt and stderr.txt), and teardown removes it all. Include after
 * cmocka.h; the test defines FANWEN_CLI and links zlib. */
#ifndef FW_TEST_WORKDIR_H
#define FW_TEST_WORKDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

static char root[256];   /* made by workdir_make */

/* A fresh ROOT named after the test, with ROOT/in in it; 0 or -1. */
static inline int workdir_make(const char *test)
{
    snprintf(root, sizeof root, "/tmp/fanwen-%s-XXXXXX", test);
    if (!mkdtemp(root)) return -1;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir '%s/in'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static inline int workdir_remove(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd);
}

/* ROOT/name (a static buffer: use it before the next call). */
static inline const char *path_in_root(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, name);
    return path;
}

static inline void write_file(const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/in/%s", root, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static inline void write_text(const char *name, const char *text)
{
    write_file(name, text, strlen(text));
}

static inline void write_gzip(const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/in/%s", root, name);
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    gzclose(gz);
}

/* Cuts a file to `keep` of its bytes, or to half of them when keep is 0. */
static inline void cut_file(const char *name, off_t keep)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/in/%s", root, name);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(keep < st.st_size);
    assert_int_equal(truncate(path, keep ? keep : st.st_size / 2), 0);
}

/* Runs the CLI with arguments (a shell fragment) in ROOT; its exit code. */
static inline int run(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2>stderr.txt >stdout.txt", root,
             FANWEN_CLI, args);
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

#endif

/*
 * kill_at_rename.c — an LD_PRELOAD shim for test_staged.sh: the process
 * kills itself with SIGKILL right after its Nth rename() (N from
 * KILL_AT_RENAME, counted from 1 in this process), so a task dies with
 * some of its files in place and others not, and no done marker: the
 * moment a random kill rarely hits, made certain.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*rename_fn)(const char *, const char *);

int rename(const char *from, const char *to)
{
    static int seen;
    rename_fn real = (rename_fn)dlsym(RTLD_NEXT, "rename");
    int r = real(from, to);
    const char *at = getenv("KILL_AT_RENAME");
    if (at && ++seen == atoi(at)) raise(SIGKILL);
    return r;
}

/*
 * signal_at_fsync.c — an LD_PRELOAD shim for test_stop_mid_write.sh: the
 * process raises signal SIGNAL_AT_FSYNC (a number) right after its first
 * fsync() of a file under the directory SIGNAL_AT_FSYNC_DIR (as
 * /proc/self/fd names it, an unnamed file too). The file is then written
 * and flushed but not yet in place: the moment a random signal rarely
 * hits, made certain.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*fsync_fn)(int);

int fsync(int fd)
{
    static int raised;
    fsync_fn real = (fsync_fn)dlsym(RTLD_NEXT, "fsync");
    int r = real(fd);
    const char *sig = getenv("SIGNAL_AT_FSYNC"), *dir = getenv("SIGNAL_AT_FSYNC_DIR");
    if (raised || !sig || !dir) return r;
    char proc[64], path[4096];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, path, sizeof path - 1);
    if (n < 0) return r;
    path[n] = '\0';
    size_t len = strlen(dir);
    if (strncmp(path, dir, len) == 0 && path[len] == '/') {
        raised = 1;
        raise(atoi(sig));
    }
    return r;
}

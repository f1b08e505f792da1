/*
 * no_tmpfile.c — an LD_PRELOAD shim for the tests that makes open() refuse
 * O_TMPFILE with EOPNOTSUPP, as a file system without unnamed files does,
 * so that test_signals.sh and test_crash.sh also run report.c's other way
 * (a temporary name for the whole write), which is the one that needs the
 * signal handler and the clean-up of killed runs' names.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

typedef int (*open_fn)(const char *, int, ...);

static int open_via(const char *symbol, const char *path, int flags, va_list ap)
{
    int unnamed = (flags & O_TMPFILE) == O_TMPFILE;
    mode_t mode = (flags & O_CREAT) || unnamed ? va_arg(ap, mode_t) : 0;
    if (unnamed) {
        errno = EOPNOTSUPP;
        return -1;
    }
    open_fn real = (open_fn)dlsym(RTLD_NEXT, symbol);
    return real(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int fd = open_via("open", path, flags, ap);
    va_end(ap);
    return fd;
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int fd = open_via("open64", path, flags, ap);
    va_end(ap);
    return fd;
}

/*
 * fail_dir_fsync.c — an LD_PRELOAD shim for test_index.sh: the Nth fsync()
 * of a directory (N from FAIL_DIR_FSYNC_AT, counted from 1 in this
 * process) fails with EIO, as a disk that fails under the index's writer
 * would make it. Other fsyncs pass through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

typedef int (*fsync_fn)(int);

int fsync(int fd)
{
    static int seen;
    struct stat sb;
    const char *at = getenv("FAIL_DIR_FSYNC_AT");
    if (at && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode) && ++seen == atoi(at)) {
        errno = EIO;
        return -1;
    }
    fsync_fn real = (fsync_fn)dlsym(RTLD_NEXT, "fsync");
    return real(fd);
}

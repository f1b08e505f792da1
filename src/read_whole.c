/*
 * read_whole.c — a small file read into memory at once: plans, task
 * outputs, passage models. Sized by fstat, so a file is read in one go
 * and one allocation.
 */
#include "read_whole.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

fw_status fw_read_whole(const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return FW_ERR_IO;
    struct stat sb;
    char *buf = NULL;
    fw_status st = FW_ERR_IO;
    if (fstat(fd, &sb) == 0 && (buf = malloc((size_t)sb.st_size + 1))) {
        size_t got = 0;
        while (got < (size_t)sb.st_size) {
            ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got == (size_t)sb.st_size) {
            buf[got] = '\0';
            *data = buf;
            *len = got;
            st = FW_OK;
        }
    }
    if (st != FW_OK) free(buf);
    close(fd);
    return st;
}

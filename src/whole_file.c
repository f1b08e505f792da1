/*
 * whole_file.c — a file complete under its name or absent.
 *
 * A reader, a crash or a kill never sees half a file. It is written as a
 * file with no name in its directory (O_TMPFILE), flushed to disk, and
 * only then linked to a temporary name and renamed over the final one: a
 * process killed at any moment leaves the old file or the new one, and at
 * most (in the microseconds between link and rename) a temporary name; a
 * signal handled meanwhile waits for the rename (temp_enter). Where the
 * kernel or file system has no unnamed files, the file is written under
 * the temporary name from the start. A signal handler removes the
 * current temporary names with fw_report_unlink_temp(): the names being
 * written are the one global state of the library, a few slots read
 * without locks (a sequence number per slot says when one changed under
 * the reader).
 */
#define _GNU_SOURCE /* O_TMPFILE, AT_EMPTY_PATH */
#include "whole_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FW_WHOLE_PATH_MAX 4096

/* A temporary name being written, for fw_report_unlink_temp(). `seq` is
 * odd while `path` changes; path "" means none. One slot per file being
 * written at once (by as many threads); without a free slot a file is
 * written all the same, its temporary name left behind if a signal comes
 * (the reports' next run removes it). */
typedef struct temp_slot {
    atomic_int taken;
    atomic_uint seq;
    char path[FW_WHOLE_PATH_MAX];
} temp_slot;

#define TEMP_SLOTS 16 /* every report of fw_report_write() at once, twice over */
static temp_slot temp_slots[TEMP_SLOTS];
/* Set by fw_report_unlink_temp(): the process is ending, no new temporary
 * name is made (a window opened after the handler passed its slot would
 * leave one behind). */
static atomic_int ending;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler reads the slots");

static temp_slot *temp_claim(void)
{
    for (int i = 0; i < TEMP_SLOTS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&temp_slots[i].taken, &expected, 1))
            return &temp_slots[i];
    }
    return NULL;
}

/* A window in which a temporary name comes into being or goes (open,
 * link, rename: system calls only, no lock a handler could interrupt):
 * the slot's sequence number is odd throughout, and the thread holds off
 * every signal, so that a handler, which then runs on another thread,
 * waits for the window to close instead of removing the name before it
 * exists (it would be left behind once the process ended). Returns 0 when
 * the process is ending: then no name is to be made. */
static int temp_enter(temp_slot *slot, sigset_t *saved)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, saved);
    if (slot) atomic_fetch_add_explicit(&slot->seq, 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst); /* against the handler's `ending` */
    return !atomic_load(&ending);
}

/* Closes the window: `path` is the name that now exists ("" none). */
static void temp_leave(temp_slot *slot, const char *path, const sigset_t *saved)
{
    if (slot) {
        strcpy(slot->path, path);
        atomic_fetch_add_explicit(&slot->seq, 1, memory_order_release);
    }
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}

static void temp_release(temp_slot *slot)
{
    if (!slot) return;
    sigset_t saved;
    temp_enter(slot, &saved);
    temp_leave(slot, "", &saved);
    atomic_store(&slot->taken, 0);
}

void fw_report_unlink_temp(void)
{
    int saved = errno;
    atomic_store(&ending, 1);
    atomic_thread_fence(memory_order_seq_cst); /* then every window opened from now sees it */
    for (int i = 0; i < TEMP_SLOTS; i++) {
        temp_slot *slot = &temp_slots[i];
        char path[FW_WHOLE_PATH_MAX];
        for (;;) { /* a window closes within a few system calls */
            unsigned seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
            if (seq & 1) continue;
            memcpy(path, slot->path, sizeof path);
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&slot->seq, memory_order_relaxed) == seq) break;
        }
        path[sizeof path - 1] = '\0';
        if (path[0]) unlink(path);
    }
    errno = saved;
}

/* One file to write: its body, and where. */
typedef struct whole_job {
    const char *dir, *path, *tmp;
    fw_whole_file_body body;
    void *ctx;
    temp_slot *slot;
    fw_status body_status; /* what the body itself returned */
} whole_job;

/* Writes the body to `f` and flushes it to disk (the file stays open). */
static fw_status write_body(whole_job *job, FILE *f)
{
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    errno = 0;
    flockfile(f); /* for csv_write.c's putc_unlocked: one thread writes a file */
    fw_status st = job->body(job->ctx, f);
    /* a write that failed (a full disk) is the file's error, said with
     * errno, not the body's, which has its own message */
    job->body_status = st == FW_ERR_IO && ferror(f) ? FW_OK : st;
    funlockfile(f);
    if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
        if (!errno) errno = EIO;
        st = FW_ERR_IO;
    }
    return st;
}

/* unlink() that keeps errno, which says why a write failed. */
static void unlink_quietly(const char *path)
{
    int saved = errno;
    unlink(path);
    errno = saved;
}

/* Renames the complete temporary file over the final name. */
static fw_status publish(const whole_job *job)
{
    if (rename(job->tmp, job->path) == 0) return FW_OK;
    unlink_quietly(job->tmp);
    return FW_ERR_IO;
}

/* Links the unnamed file `fd` (`proc`: /proc/self/fd/FD) to `path`:
 * through /proc, or else by the descriptor (which needs
 * CAP_DAC_READ_SEARCH on older kernels). A name left by an earlier failure
 * of this same process is replaced. System calls only (a window's). */
static int link_unnamed(int fd, const char *proc, const char *path)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0) return 0;
        if (errno != EEXIST && linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0) return 0;
        if (errno != EEXIST) return -1;
        unlink(path);
    }
    return -1;
}

/* The unnamed way. Returns 0 when done (*st says how), -1 when unnamed
 * files cannot be made or linked here and nothing is left behind. */
static int write_unnamed(whole_job *job, fw_status *st)
{
#ifdef O_TMPFILE
    int fd = open(job->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        *st = FW_ERR_IO;
        return 0;
    }
    *st = write_body(job, f);
    int linked = 0;
    if (*st == FW_OK) { /* the name exists only inside the window */
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        sigset_t saved;
        if (temp_enter(job->slot, &saved)) {
            linked = link_unnamed(fd, proc, job->tmp) == 0;
            if (linked) *st = publish(job);
        } else {
            linked = 1; /* not to be written the named way either */
            *st = FW_ERR_IO;
            errno = EINTR;
        }
        temp_leave(job->slot, "", &saved);
    }
    if (fclose(f) != 0) *st = FW_ERR_IO;
    return *st == FW_OK && !linked ? -1 : 0;
#else
    (void)job;
    (void)st;
    return -1;
#endif
}

/* The named way: the temporary name exists while the file is written. */
static fw_status write_named(whole_job *job)
{
    sigset_t saved;
    int fd = -1;
    if (temp_enter(job->slot, &saved)) { /* open(), not fopen(): no stdio lock in a window */
        fd = open(job->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    } else {
        errno = EINTR;
    }
    temp_leave(job->slot, fd >= 0 ? job->tmp : "", &saved);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (fd >= 0 && !f) {
        close(fd);
        temp_enter(job->slot, &saved);
        unlink_quietly(job->tmp);
        temp_leave(job->slot, "", &saved);
    }
    fw_status st = FW_ERR_IO;
    if (f) {
        st = write_body(job, f);
        if (fclose(f) != 0) st = FW_ERR_IO;
        int go = temp_enter(job->slot, &saved);
        if (go && st == FW_OK) {
            st = publish(job);
        } else {
            unlink_quietly(job->tmp);
            if (st == FW_OK) {
                st = FW_ERR_IO;
                errno = EINTR; /* the process is ending */
            }
        }
        temp_leave(job->slot, "", &saved);
    }
    return st;
}

int fw_parent_dir(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    if (n >= size) return 0;
    memcpy(dir, !slash ? "." : path, n);
    dir[n] = '\0';
    return 1;
}

fw_status fw_whole_file_write(const char *path, const char *tmp, fw_whole_file_body body,
                              void *ctx, fw_status *body_status)
{
    char dir[FW_WHOLE_PATH_MAX];
    whole_job job = {.dir = dir, .path = path, .tmp = tmp, .body = body, .ctx = ctx};
    *body_status = FW_OK;
    if (strlen(tmp) >= FW_WHOLE_PATH_MAX || !fw_parent_dir(path, dir, sizeof dir)) {
        errno = ENAMETOOLONG; /* a slot holds the name */
        return FW_ERR_IO;
    }
    job.slot = temp_claim();
    fw_status st;
    if (write_unnamed(&job, &st) != 0) st = write_named(&job);
    int why = errno;
    temp_release(job.slot);
    errno = why;
    *body_status = job.body_status;
    return st;
}

/* The process id in ".NAME.tmp.PID", a temporary name of one of `names`;
 * 0 for any other name. */
static long temp_name_pid(const char *name, const char *const *names, size_t nnames)
{
    if (name[0] != '.') return 0;
    for (size_t i = 0; i < nnames; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(name + 1, names[i], n) || strncmp(name + 1 + n, ".tmp.", 5)) continue;
        const char *digits = name + 1 + n + 5;
        char *end;
        if (*digits < '1' || *digits > '9') return 0;
        errno = 0;
        long pid = strtol(digits, &end, 10);
        return *end || errno || pid > INT_MAX ? 0 : pid;
    }
    return 0;
}

void fw_remove_stale_temps(const char *dir, const char *const *names, size_t nnames)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid = temp_name_pid(e->d_name, names, nnames);
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

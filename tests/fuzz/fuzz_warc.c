/*
 * fuzz_warc.c — arbitrary bytes as a WARC or WET archive read by
 * fw_read_path(): record headers, lengths, record types, truncation,
 * through plain, gzip (a member per record, as crawls store them) or zstd.
 *
 * The first byte chooses the file's name (x.warc, x.warc.gz, x.wet or
 * x.wet.zst) and whether max_doc_bytes is small; the rest is the file. The
 * checks are read_fuzz.h's: only the reader's public contract, nothing of
 * how the WARC reader works inside.
 */
#include "read_fuzz.h"

#define SMALL_MAX 100

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    make_fuzz_dir();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"x.warc", "x.warc.gz", "x.wet", "x.wet.zst"};
    if (size == 0) return 0;
    uint64_t max = data[0] & 4 ? SMALL_MAX : FW_DEFAULT_MAX_DOC_BYTES;
    const char *path = write_input(names[data[0] & 3], data + 1, size - 1);
    read_input(path, data + 1, size - 1, max, 1, NULL);
    return 0;
}

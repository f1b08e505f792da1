/*
 * csv_write.c — the pieces of a report row: quoted text, integers and
 * ratios with six decimals.
 *
 * Reports have rows by the hundred thousand (docs.csv for 400,000 poems),
 * and fprintf's parsing of its format took a third of the time it took to
 * write them. The numbers are written digit by digit instead, to the same
 * bytes, and characters with putc_unlocked (the caller holds the stream,
 * flockfile: report.c writes each file from one thread): fw_csv_fixed6 rounds v · 10^6 itself, which is exact but within a
 * millionth of a unit of a half, where it lets printf decide.
 */
#include "csv_write.h"

#include <math.h>
#include <string.h>

void fw_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    putc_unlocked('"', f);
    for (; *s; s++) {
        if (*s == '"') putc_unlocked('"', f);
        putc_unlocked(*s, f);
    }
    putc_unlocked('"', f);
}

void fw_csv_u64(FILE *f, uint64_t v)
{
    char buf[20];
    int n = 20;
    do buf[--n] = (char)('0' + v % 10); while ((v /= 10) != 0);
    fwrite(buf + n, 1, (size_t)(20 - n), f);
}

void fw_csv_fields(FILE *f, const uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        putc_unlocked(',', f);
        fw_csv_u64(f, v[i]);
    }
}

void fw_csv_fixed6(FILE *f, double v)
{
    /* v · 10^6 carries one rounding, under a millionth of a unit for the
     * values allowed here (below 2^53 / 10^6 in all) */
    double x = v * 1e6, whole = floor(x), frac = x - whole;
    if (!(v >= 0 && x < 9e15) || fabs(frac - 0.5) < 1e-6) {
        fprintf(f, "%.6f", v);
        return;
    }
    uint64_t q = (uint64_t)whole + (frac > 0.5);
    fw_csv_u64(f, q / 1000000);
    char digits[7] = {'.'};
    uint64_t r = q % 1000000;
    for (int i = 6; i >= 1; i--, r /= 10) digits[i] = (char)('0' + r % 10);
    fwrite(digits, 1, sizeof digits, f);
}

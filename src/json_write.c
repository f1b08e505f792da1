/*
 * json_write.c — JSON strings for summary.json (see json_write.h).
 */
#include "json_write.h"
#include "fanwen.h"

#include <stdint.h>
#include <string.h>

void fw_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (size_t i = 0, n = strlen(s); i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            int invalid;
            size_t k = fw_utf8_decode((const unsigned char *)s + i, n - i, &cp, &invalid);
            if (invalid) fputs("\\ufffd", f);
            else fwrite(s + i, 1, k, f);
            i += k;
            continue;
        }
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
        i++;
    }
    fputc('"', f);
}


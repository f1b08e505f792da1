/*
 * jsonl_scan.c — the JSON lines that need no general parser, found and
 * read at memory speed.
 *
 * fw_jsonl_parse() (jsonl.c) used to hand every line to yajl, whose lexer
 * looks at one byte at a time: on laws.jsonl that was the slowest
 * per-document step (about 500 MB/s at one thread). Nearly every line of a
 * shard is alike: one flat object, valid UTF-8, a few keys, the text a long
 * string with escaped line breaks. This scanner reads such a line in two
 * passes over its bytes:
 *  - the whole line is checked to be UTF-8 (utf8_check.c), so strings
 *    need no per-character decoding and any non-ASCII byte outside a
 *    string is simply unexpected;
 *  - the structure is walked in plain C, and each string is crossed by a
 *    vector search for the next quote, backslash or control character (32
 *    bytes a step with AVX2 and AVX-512, 8 with the portable word-at-a-time
 *    search), escapes checked where they are. The text is written out as it
 *    is crossed, a whole vector at a time, escapes decoded in place, so it
 *    is never read a third time.
 * On laws.jsonl that is 4.4 GB/s of line bytes at one thread with AVX2 or
 * AVX-512 and 1.6 GB/s on the portable path, against yajl's 0.56 GB/s; on
 * poetry.jsonl's short lines 1.8 and 1.1 GB/s against 0.45 (CPU time,
 * best of 9, bench/fanwen-parse-bench: see bench/README.md).
 *
 * It is a fast path, not a second parser: what it accepts it must read
 * exactly as yajl and the callbacks of jsonl.c would, and it gives up
 * (returns 0, and yajl decides) on anything it would need care to get
 * right: invalid UTF-8 (repaired by jsonl.c), lone surrogate escapes
 * (rewritten by jsonl.c), any syntax error (yajl's message is the one
 * reported), a top level that is not an object, nesting deeper than 64,
 * long escaped keys. Within what it accepts, the rules are JSON's, which
 * yajl follows: the same whitespace (yajl also allows \v and \f), numbers
 * as yajl lexes them, the last value of a repeated key wins. The tests and
 * the fuzzer (fuzz_jsonl) compare it with yajl on every line they make.
 */
#include "jsonl_scan.h"
#include "ascii.h"
#include "simd_paths.h"
#include "utf8_check.h"

#include <stdint.h>
#include <string.h>

#if FW_SCAN_X86
#include <immintrin.h>
#endif

#define MAX_DEPTH 64         /* one bit each in a uint64_t */
#define MAX_ESCAPED_KEY 256  /* bytes of a top-level key with escapes */

/* ------------------------------------------------------------- escapes */

/* The value of the four hex digits at p (before `end`), or -1. */
static inline long hex4(const uint8_t *p, const uint8_t *end)
{
    if (end - p < 4) return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = fw_hex_value((char)p[i]);
        if (d < 0) return -1;
        v = v << 4 | d;
    }
    return v;
}

/* The length of the escape at p (a backslash): 2, 6 for \uXXXX outside
 * the surrogates, 12 for a high and a low surrogate escape together; 0
 * for an invalid escape or a lone surrogate, which are yajl's (and
 * jsonl.c's) to deal with. */
static inline size_t escape_length(const uint8_t *p, const uint8_t *end)
{
    if (end - p < 2) return 0;
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return 2;
    case 'u':
        break;
    default:
        return 0;
    }
    long u = hex4(p + 2, end);
    if (u < 0) return 0;
    if (u < 0xD800 || u > 0xDFFF) return 6;
    if (u > 0xDBFF || end - p < 12 || p[6] != '\\' || p[7] != 'u') return 0;
    long low = hex4(p + 8, end);
    return low >= 0xDC00 && low <= 0xDFFF ? 12 : 0;
}

/* Decodes the escape at *p, one escape_length() accepted, to *o (UTF-8 for
 * \uXXXX and for a surrogate pair, as yajl writes them); advances both. */
static inline void decode_escape(const uint8_t **p, char **o)
{
    const uint8_t *s = *p;
    switch (s[1]) {
    case 'b': *(*o)++ = '\b'; break;
    case 'f': *(*o)++ = '\f'; break;
    case 'n': *(*o)++ = '\n'; break;
    case 'r': *(*o)++ = '\r'; break;
    case 't': *(*o)++ = '\t'; break;
    case 'u': {
        uint32_t cp = (uint32_t)hex4(s + 2, s + 6);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)hex4(s + 8, s + 12) - 0xDC00);
            *p += 12;
        } else {
            *p += 6;
        }
        *o += fw_utf8_encode(*o, cp);
        return;
    }
    default: *(*o)++ = (char)s[1]; /* " \ / */
    }
    *p += 2;
}

/* The string [p, end) that string_end() accepted, decoded to `out`. */
size_t fw_json_unescape(const char *raw, size_t len, char *out)
{
    const uint8_t *p = (const uint8_t *)raw, *end = p + len;
    char *o = out;
    for (;;) {
        const uint8_t *bs = memchr(p, '\\', (size_t)(end - p));
        size_t run = (size_t)((bs ? bs : end) - p);
        memcpy(o, p, run);
        o += run;
        if (!bs) return (size_t)(o - out);
        p = bs;
        decode_escape(&p, &o);
    }
}

/* ------------------------------------------------ strings, per code path */

/* Each path crosses a string in one of two ways: string_end() finds its
 * closing quote, checking what it passes, and copy_end() does the same
 * while writing the string out with its escapes decoded (the text). Both
 * step over plain bytes a vector (or a word) at a time and stop at a
 * special byte: a quote, a backslash, or a control character (below 0x20,
 * which JSON does not allow in a string). */
typedef struct string_path {
    /* The closing quote of the string starting at p (after its opening
     * quote), or NULL if it has none or is not one we accept; sets
     * *escaped if it holds an escape. */
    const uint8_t *(*string_end)(const uint8_t *p, const uint8_t *end, int *escaped);
    /* The same, and the string decoded to `out`, with room for end - p
     * bytes, its length to *len. */
    const uint8_t *(*copy_end)(const uint8_t *p, const uint8_t *end, int *escaped, char *out,
                               size_t *len);
} string_path;

/* At a special byte: 1 with p past an escape, else 0 with p at the closing
 * quote or NULL (a control character or an escape we leave to yajl). */
static inline int past_escape(const uint8_t **p, const uint8_t *end, int *escaped, char **o)
{
    const uint8_t *s = *p;
    if (*s != '\\') {
        if (*s != '"') *p = NULL;
        return 0;
    }
    size_t n = escape_length(s, end);
    if (!n) {
        *p = NULL;
        return 0;
    }
    *escaped = 1;
    if (o) decode_escape(p, o);
    else *p = s + n;
    return 1;
}

static inline int is_special(uint8_t c) { return c == '"' || c == '\\' || c < 0x20; }

/* Portable: eight bytes at a time, where a byte's high bit in the mask
 * marks a zero byte of w ^ '"' or of w ^ '\\', or a byte below 0x20. A
 * borrow can mark bytes after the first marked one, never before it, so
 * the lowest mark is exact (on a little-endian machine; elsewhere byte by
 * byte). */
static inline const uint8_t *next_special(const uint8_t *p, const uint8_t *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    for (; end - p >= 8; p += 8) {
        uint64_t w, q, b;
        memcpy(&w, p, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        uint64_t m = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs;
        if (m) return p + __builtin_ctzll(m) / 8;
    }
#endif
    while (p < end && !is_special(*p)) p++;
    return p;
}

static const uint8_t *copy_end_portable(const uint8_t *p, const uint8_t *end, int *escaped,
                                        char *out, size_t *len)
{
    char *o = out;
    do {
        const uint8_t *s = p;
        p = next_special(p, end);
        if (o) {
            memcpy(o, s, (size_t)(p - s));
            o += p - s;
        }
        if (p == end) return NULL;
    } while (past_escape(&p, end, escaped, o ? &o : NULL));
    if (o) *len = (size_t)(o - out);
    return p;
}

static const uint8_t *string_end_portable(const uint8_t *p, const uint8_t *end, int *escaped)
{
    return copy_end_portable(p, end, escaped, NULL, NULL);
}

#if FW_SCAN_X86
/* AVX2: 32 bytes a step; the line's last bytes go the portable way. The
 * copy stores whole vectors: one stored at o ends at most where the input
 * vector ends, less what escapes saved, so inside `out`. */
FW_TARGET_AVX2 static inline uint32_t specials_avx2(__m256i v)
{
    const __m256i below = _mm256_set1_epi8(0x1F);
    __m256i m = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')),
                                _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')));
    m = _mm256_or_si256(m, _mm256_cmpeq_epi8(_mm256_max_epu8(v, below), below));
    return (uint32_t)_mm256_movemask_epi8(m);
}

/* Inlined into both entry points below, so that the one crossing strings
 * has no stores to skip. */
FW_TARGET_AVX2 static inline __attribute__((always_inline)) const uint8_t *
copy_end_avx2_inline(const uint8_t *p, const uint8_t *end, int *escaped, char *out, size_t *len)
{
    char *o = out;
    while (end - p >= 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)p);
        if (o) _mm256_storeu_si256((__m256i *)o, v);
        uint32_t m = specials_avx2(v);
        if (!m) {
            p += 32;
            if (o) o += 32;
            continue;
        }
        p += __builtin_ctz(m);
        if (o) o += __builtin_ctz(m);
        if (!past_escape(&p, end, escaped, o ? &o : NULL)) {
            if (p && o) *len = (size_t)(o - out);
            return p;
        }
    }
    size_t tail = 0;
    p = copy_end_portable(p, end, escaped, o, &tail);
    if (p && o) *len = (size_t)(o - out) + tail;
    return p;
}

FW_TARGET_AVX2 static const uint8_t *string_end_avx2(const uint8_t *p, const uint8_t *end,
                                                     int *escaped)
{
    return copy_end_avx2_inline(p, end, escaped, NULL, NULL);
}

FW_TARGET_AVX2 static const uint8_t *copy_end_avx2(const uint8_t *p, const uint8_t *end,
                                                   int *escaped, char *out, size_t *len)
{
    return copy_end_avx2_inline(p, end, escaped, out, len);
}
#endif

static const string_path PORTABLE = {string_end_portable, copy_end_portable};
#if FW_SCAN_X86
static const string_path AVX2 = {string_end_avx2, copy_end_avx2};
#endif

/* The AVX-512 path crosses strings with the AVX2 loops: 64-byte steps
 * (written and measured) were 10% slower on laws.jsonl, whose strings
 * stop at an escape every 80 bytes or so; its UTF-8 check is AVX-512's. */
static const string_path *string_path_for(fw_simd path)
{
#if FW_SCAN_X86
    if (path == FW_SIMD_AVX512 || path == FW_SIMD_AVX2) return &AVX2;
#endif
    (void)path;
    return &PORTABLE;
}

/* ------------------------------------------------------------ structure */

static inline int is_space(uint8_t c)
{
    /* yajl's whitespace: JSON's four and \v, \f */
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
}

static inline const uint8_t *skip_space(const uint8_t *p, const uint8_t *end)
{
    while (p < end && is_space(*p)) p++;
    return p;
}

static inline const uint8_t *digits(const uint8_t *p, const uint8_t *end)
{
    while (p < end && *p >= '0' && *p <= '9') p++;
    return p;
}

/* The end of the number at p, as yajl lexes one (JSON's grammar), or NULL.
 * Whatever follows is checked by the caller like after any value. */
static const uint8_t *number_end(const uint8_t *p, const uint8_t *end)
{
    if (p < end && *p == '-') p++;
    if (p == end || *p < '0' || *p > '9') return NULL;
    p = *p == '0' ? p + 1 : digits(p, end);
    if (p < end && *p == '.') {
        const uint8_t *q = digits(p + 1, end);
        if (q == p + 1) return NULL;
        p = q;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        const uint8_t *q = digits(p, end);
        if (q == p) return NULL;
        p = q;
    }
    return p;
}

/* The end of true, false or null at p, or NULL. */
static const uint8_t *literal_end(const uint8_t *p, const uint8_t *end)
{
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(end - p) >= n && memcmp(p, words[i], n) == 0) return p + n;
    }
    return NULL;
}

typedef struct walk {
    const uint8_t *end;
    const string_path *strings;
    const char *text_field, *id_field;
    size_t text_len, id_len;
    fw_json_value *text, *id;
    char *text_out;          /* where the text is decoded */
} walk;

/* Which field a top-level key names: the text, the id or neither (NULL);
 * *sure cleared for an escaped key too long to decode here. */
static fw_json_value *field_named(const walk *w, const uint8_t *key, size_t n, int escaped,
                                  int *sure)
{
    char decoded[MAX_ESCAPED_KEY];
    if (escaped) {
        if (n > sizeof decoded) {
            *sure = 0;
            return NULL;
        }
        n = fw_json_unescape((const char *)key, n, decoded);
        key = (const uint8_t *)decoded;
    }
    if (n == w->text_len && memcmp(key, w->text_field, n) == 0) return w->text;
    if (n == w->id_len && memcmp(key, w->id_field, n) == 0) return w->id;
    return NULL;
}

/* A member's key, its colon and the whitespace after: returns where the
 * value starts, or NULL; *target is the field the value belongs to. */
static const uint8_t *member(const walk *w, const uint8_t *p, int top, fw_json_value **target)
{
    if (p == w->end || *p != '"') return NULL;
    const uint8_t *key = p + 1;
    int escaped = 0, sure = 1;
    if (!(p = w->strings->string_end(key, w->end, &escaped))) return NULL;
    *target = top ? field_named(w, key, (size_t)(p - key), escaped, &sure) : NULL;
    if (!sure) return NULL;
    p = skip_space(p + 1, w->end);
    if (p == w->end || *p != ':') return NULL;
    return skip_space(p + 1, w->end);
}

/* A scalar value at p: returns its end, or NULL; kept in *target if set. */
static const uint8_t *scalar(const walk *w, const uint8_t *p, fw_json_value *target)
{
    fw_json_value v = {FW_JSON_OTHER, 0, (const char *)p, 0};
    const uint8_t *e;
    if (*p == '"' && target == w->text) { /* decoded as it is crossed */
        v.kind = FW_JSON_STRING;
        size_t decoded = 0;
        if (!(e = w->strings->copy_end(p + 1, w->end, &v.escaped, w->text_out, &decoded)))
            return NULL;
        v.at = v.escaped ? w->text_out : (const char *)(p + 1);
        v.len = v.escaped ? decoded : (size_t)(e - (p + 1));
        e++;
    } else if (*p == '"') {
        v.kind = FW_JSON_STRING;
        v.at = (const char *)(p + 1);
        if (!(e = w->strings->string_end(p + 1, w->end, &v.escaped))) return NULL;
        v.len = (size_t)(e - (p + 1));
        e++;
    } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
        v.kind = FW_JSON_NUMBER;
        if (!(e = number_end(p, w->end))) return NULL;
        v.len = (size_t)(e - p);
    } else if (!(e = literal_end(p, w->end))) {
        return NULL;
    }
    if (target) *target = v;
    return e;
}

int fw_jsonl_scan(const char *line, size_t len, const char *text_field, const char *id_field,
                  fw_simd path, char *text_out, fw_json_value *text, fw_json_value *id)
{
    path = fw_scanner_simd(path);
    *text = *id = (fw_json_value){FW_JSON_ABSENT, 0, NULL, 0};
    if (!fw_utf8_check(line, len, path)) return 0;
    walk w = {(const uint8_t *)line + len, string_path_for(path), text_field, id_field,
              strlen(text_field), strlen(id_field), text, id, text_out};
    const uint8_t *p = skip_space((const uint8_t *)line, w.end);
    if (p == w.end || *p != '{') return 0;
    /* bit 0: the innermost container is an object; the bits above: the
     * ones around it, so that a closing bracket is checked against it */
    uint64_t objects = 0;
    int depth = 0;
    fw_json_value *target = NULL;
    for (;;) {
        /* p is at a value */
        if (p == w.end) return 0;
        if (*p == '{' || *p == '[') {
            int object = *p == '{';
            if (target) *target = (fw_json_value){FW_JSON_OTHER, 0, (const char *)p, 0};
            if (depth == MAX_DEPTH) return 0;
            objects = objects << 1 | (uint64_t)object;
            depth++;
            p = skip_space(p + 1, w.end);
            if (p == w.end) return 0;
            if (*p != (object ? '}' : ']')) { /* not empty: its first value */
                target = NULL;
                if (object && !(p = member(&w, p, depth == 1, &target))) return 0;
                continue;
            }
            /* empty: closed below */
        } else if (!(p = scalar(&w, p, target))) {
            return 0;
        } else {
            p = skip_space(p, w.end);
        }
        /* after a value: a comma and the next, or the container closes
         * (then again after a value, one level up) */
        for (;;) {
            if (p == w.end) return 0;
            int object = (int)(objects & 1);
            if (*p == ',') {
                p = skip_space(p + 1, w.end);
                target = NULL;
                if (object && !(p = member(&w, p, depth == 1, &target))) return 0;
                break;
            }
            if (*p != (object ? '}' : ']')) return 0;
            objects >>= 1;
            if (--depth == 0) return skip_space(p + 1, w.end) == w.end;
            p = skip_space(p + 1, w.end);
        }
    }
}

/*
 * generate.c — a synthetic Chinese work-report corpus for benchmarks.
 *
 * Throughput depends on the mix of text, not on what it says: long reports
 * (2–30 KB, mostly 3-byte CJK with digits and full-width punctuation) and
 * short texts (20–300 bytes, the poetry and post case), with one document
 * in ten a near-copy of an earlier one (year changed, characters swapped),
 * so that LSH and verification have real pairs to work on. The phrases are
 * this project's own stock report language; the filler is drawn from a list
 * of common characters. Same seed, same bytes.
 */
#include "generate.h"
#include "mix.h"

#include <string.h>


static size_t below(uint64_t *s, size_t n) { return (size_t)(fw_splitmix64(s) % n); }

static const char *const PHRASES[] = {
    "在县委县政府的正确领导下", "认真贯彻落实上级部署", "坚持以人民为中心的发展思想",
    "进一步加强基础设施建设", "全面推进教育事业均衡发展", "扎实开展安全生产大检查",
    "深入推进党风廉政建设", "切实提高服务群众的能力", "完善工作机制和考核办法",
    "加大财政投入力度", "取得了阶段性成效", "群众满意度明显提升",
    "存在的主要问题和不足", "下一步工作打算", "强化责任落实",
    "推动各项工作再上新台阶", "统筹推进疫情防控和经济社会发展", "优化营商环境",
    "提升城乡环境卫生水平", "做好民生保障工作", "持续深化改革创新",
    "加强队伍建设", "严格落实各项规章制度", "积极争取上级项目资金",
    "开展专项整治行动", "巩固拓展脱贫攻坚成果", "全面完成年度目标任务",
    "上半年工作总结如下", "现将有关情况汇报如下", "各乡镇各部门要高度重视",
};
#define NPHRASES (sizeof PHRASES / sizeof *PHRASES)

static const char COMMON[] =
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二"
    "理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社"
    "义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没"
    "结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活"
    "设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放"
    "决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争"
    "济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具"
    "万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石"
    "记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素"
    "技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存";
#define COMMON_CHARS ((sizeof COMMON - 1) / 3)

static const char *const PUNCT[] = {"，", "，", "，", "、", "；", "。"};

typedef struct buf {
    char data[64 * 1024];
    size_t len;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n >= sizeof b->data) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
}
static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void sentence(buf *b, uint64_t *s)
{
    size_t parts = 1 + below(s, 3);
    for (size_t p = 0; p < parts; p++) {
        if (below(s, 3)) {
            puts_(b, PHRASES[below(s, NPHRASES)]);
        } else {
            size_t n = 4 + below(s, 14);
            for (size_t i = 0; i < n; i++) put(b, COMMON + 3 * below(s, COMMON_CHARS), 3);
        }
        if (below(s, 8) == 0) {
            char num[24];
            int len = snprintf(num, sizeof num, "%zu", 10 + below(s, 9990));
            put(b, num, (size_t)len);
            puts_(b, below(s, 2) ? "万元" : "个");
        }
        puts_(b, p + 1 < parts ? PUNCT[below(s, 5)] : "。");
    }
}

static void make_doc(buf *b, uint64_t *s, int year)
{
    b->len = 0;
    if (below(s, 10) < 7) { /* a short text */
        size_t target = 20 + below(s, 280);
        while (b->len < target) sentence(b, s);
        return;
    }
    char title[96];
    snprintf(title, sizeof title, "关于%d年上半年工作总结\n\n", year);
    puts_(b, title);
    size_t target = 2000 + below(s, 28000);
    while (b->len < target) {
        size_t sentences = 2 + below(s, 6);
        for (size_t i = 0; i < sentences; i++) sentence(b, s);
        puts_(b, "\n");
    }
}

/* A near-copy: every "20xx" year moved, a few characters swapped. */
static void derive(buf *b, uint64_t *s)
{
    for (size_t i = 0; i + 4 <= b->len; i++)
        if (b->data[i] == '2' && b->data[i + 1] == '0' && b->data[i + 2] >= '0' &&
            b->data[i + 2] <= '9')
            b->data[i + 2] = (char)('0' + (b->data[i + 2] - '0' + 1) % 10);
    size_t swaps = 1 + b->len / 600;
    for (size_t k = 0; k < swaps; k++) {
        size_t at = below(s, b->len);
        /* only inside a 3-byte character of COMMON's range: find its start */
        while (at < b->len && ((unsigned char)b->data[at] & 0xF0) != 0xE0) at++;
        if (at + 3 > b->len) continue;
        memcpy(b->data + at, COMMON + 3 * below(s, COMMON_CHARS), 3);
    }
}

static void write_json_string(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') fputs("\\n", out);
        else if (c == '"' || c == '\\') { fputc('\\', out); fputc(c, out); }
        else fputc(c, out);
    }
    fputc('"', out);
}

size_t fw_bench_generate(FILE *out, uint64_t seed, size_t target_bytes)
{
    enum { RECENT = 64 };
    static buf recent[RECENT]; /* the last documents, to copy from */
    static buf doc;
    uint64_t s = seed ^ 0x66616E77656EULL; /* "fanwen" */
    size_t made = 0, bytes = 0;
    while (bytes < target_bytes) {
        if (made >= RECENT && below(&s, 10) == 0) {
            doc = recent[below(&s, RECENT)];
            derive(&doc, &s);
        } else {
            make_doc(&doc, &s, 2010 + (int)below(&s, 15));
        }
        recent[made % RECENT] = doc;
        fprintf(out, "{\"id\":\"gen-%07zu\",\"text\":", made);
        write_json_string(out, doc.data, doc.len);
        fputs("}\n", out);
        bytes += doc.len;
        made++;
    }
    return made;
}

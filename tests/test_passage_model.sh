#!/bin/bash
# test_passage_model.sh — a passage model learned from a crawl, used on a batch.
#
#   test_passage_model.sh FANWEN
#
# A "crawl" of 40 pages from one site, each its own report between the
# site's two furniture lines (a breadcrumb and a download button, in every
# page: boilerplate lines by the default bar of 20 documents) and a footer
# paragraph (a boilerplate passage), and a
# "batch" of 3 new pages from the same site, two of which share a
# paragraph. Checked:
#   1. `scan CRAWL --save-passage-model M` then `scan CRAWL --passage-model M`
#      gives the same bytes in every CSV, at 1 and 2 threads and under
#      --memory-limit; M lists exactly the two lines;
#   2. the batch alone has no boilerplate line or passage (3 pages are below
#      any bar); with M its boilerplate.csv is exactly the two lines, each in
#      3 documents, and the footer's group (verbatim in two pages, edited in
#      the third); its docs.csv boilerplate_share is those characters over
#      the page's; the footer pairs no page in reuse.csv or spans.csv;
#   3. a model saved by a scan that used one is the same file;
#   4. a flipped byte, a file cut short, and another seed, --min-passage,
#      template mode or canon table are refused, naming what is wrong,
#      with no report written; not with --no-passages;
#   4b. the staged scan (plan, run) with a model and saving one: the
#      scan's bytes and model; a model changed after planning refused by
#      the finish task; what the scan refuses refused when planning;
#   5. `fanwen report` of a scan made with a model runs it again with that
#      model (and says so when it is gone).
set -u
FANWEN=$1
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 - "$W" <<'EOF' || fail "corpus"
import json, random, sys
w = sys.argv[1]
random.seed(7)
chars = "发展基础工作推进落实加强建设管理服务完善提升优化创新改革保障机制体系能力水平质量效率安全环境教育卫生文化经济社会"
def para(n):
    return "".join(random.choice(chars) for _ in range(n)) + "。"
CRUMB = "首页 > 范文大全 > 工作总结"
DOWNLOAD = "下载本文档"
# a footer paragraph, long enough to be a passage: a boilerplate passage
FOOTER = ("推荐阅读：本站所有范文均来自网友投稿，仅供学习交流参考使用，如需转载请注明出处并保留原文链接，"
          "下载完整文档请先登录会员中心，如有侵权请联系本站删除处理。")
EDITED = FOOTER.replace("网友投稿", "会员上传").replace("删除", "撤下")
def page(i, body, footer=FOOTER):
    return {"id": i, "text": CRUMB + "\n" + "\n".join(body) + "\n" + footer + "\n" + DOWNLOAD}
with open(w + "/crawl.jsonl", "w") as f:
    for i in range(40):
        f.write(json.dumps(page("c%02d" % i, [para(120), para(90), para(150)]),
                           ensure_ascii=False) + "\n")
shared = para(140)
with open(w + "/batch.jsonl", "w") as f:
    f.write(json.dumps(page("b0", [para(100), shared, para(110)]), ensure_ascii=False) + "\n")
    f.write(json.dumps(page("b1", [para(130), shared]), ensure_ascii=False) + "\n")
    # the footer edited: found by aligning, not verbatim
    f.write(json.dumps(page("b2", [para(60)], EDITED), ensure_ascii=False) + "\n")
open(w + "/footer", "w").write(FOOTER)
EOF

same_csvs() { # DIR1 DIR2: every CSV the same bytes
    for f in "$1"/*.csv; do
        cmp -s "$f" "$2/$(basename "$f")" || fail "$(basename "$f") differs between $1 and $2"
    done
}

# 1. learned, saved, used again: the same reports
"$FANWEN" scan -q -j 2 --out "$W/crawl" --save-passage-model "$W/m" "$W/crawl.jsonl" ||
    fail "scan --save-passage-model"
[ "$(grep -c '^line ' "$W/m")" = 2 ] || fail "the model should list the 2 furniture lines: $(grep -c '^line ' "$W/m")"
head -1 "$W/m" | grep -qx 'fanwen-passage-model 2' || fail "model header"
[ "$(grep -c '^line,' "$W/crawl/boilerplate.csv")" = 2 ] || fail "crawl: 2 boilerplate lines expected"
[ "$(grep -c '^passage,' "$W/crawl/boilerplate.csv")" = 1 ] || fail "crawl: the footer's group expected"
# the footer's passage as it is aligned (its characters, punctuation left
# out), the UTF-8 in hex
python3 - "$W" <<'EOF' || fail "the model should hold the footer passage"
import sys
w = sys.argv[1]
footer = "".join(c for c in open(w + "/footer", encoding="utf-8").read() if c not in "：，。")
got = [l.split()[1] for l in open(w + "/m", encoding="utf-8") if l.startswith("passage ")]
assert got == [footer.encode().hex()], (got, footer.encode().hex())
EOF
for j in 1 2; do
    "$FANWEN" scan -q -j $j --out "$W/crawl-m$j" --passage-model "$W/m" "$W/crawl.jsonl" ||
        fail "scan --passage-model -j $j"
    same_csvs "$W/crawl" "$W/crawl-m$j"
done
"$FANWEN" scan -q -j 2 --memory-limit 64M --out "$W/crawl-mb" --passage-model "$W/m" \
    "$W/crawl.jsonl" || fail "scan --passage-model --memory-limit"
same_csvs "$W/crawl" "$W/crawl-mb"
grep -q '"passage_model": "'"$W"'/m"' "$W/crawl-m1/summary.json" || fail "summary.json names the model"
grep -q '"passage_model"' "$W/crawl/summary.json" && fail "summary.json without a model names none"

# 2. the batch: alone, no line is boilerplate; with the crawl's model, both
"$FANWEN" scan -q --out "$W/batch" "$W/batch.jsonl" || fail "scan batch"
grep -q '^line,' "$W/batch/boilerplate.csv" && fail "3 pages alone cannot show boilerplate lines"
"$FANWEN" scan -q --out "$W/batch-m" --passage-model "$W/m" "$W/batch.jsonl" || fail "scan batch -m"
python3 - "$W" <<'EOF' || fail "batch with the model"
import csv, json, sys
w = sys.argv[1]
rows = list(csv.DictReader(open(w + "/batch-m/boilerplate.csv", encoding="utf-8", newline="")))
lines = sorted((r["text"], r["docs"], r["chars"]) for r in rows if r["kind"] == "line")
want = sorted([("首页 > 范文大全 > 工作总结", "3", str(len("首页>范文大全>工作总结"))),
               ("下载本文档", "3", "5")])
assert lines == want, (lines, want)
# the footer: verbatim in b0 and b1, edited in b2, one group, boilerplate
# by the model although 3 documents are below any bar
groups = [r for r in rows if r["kind"] == "passage"]
assert len(groups) == 1 and groups[0]["docs"] == "3", groups
assert len(rows) == 3, rows
docs = {r["id"]: r for r in csv.DictReader(open(w + "/batch-m/docs.csv", encoding="utf-8", newline=""))}
passages = list(csv.DictReader(open(w + "/batch-m/passages.csv", encoding="utf-8", newline="")))
footer = {r["id"]: int(r["chars"]) for r in passages if r["group"] == groups[0]["group"]}
assert sorted(footer) == ["b0", "b1", "b2"], footer
chars = sum(int(c) for _, _, c in want)
for line in open(w + "/batch.jsonl", encoding="utf-8"):
    d = json.loads(line)
    r = docs[d["id"]]
    share = float(r["boilerplate_share"])
    expect = (chars + footer[d["id"]]) / int(r["chars"])
    assert abs(share - expect) < 1e-6, (d["id"], share, expect)
alone = {r["id"]: r for r in csv.DictReader(open(w + "/batch/docs.csv", encoding="utf-8", newline=""))}
assert all(float(r["boilerplate_share"]) == 0 for r in alone.values()), alone
# reuse: alone, the footer pairs b2 with b0 and b1; with the model only the
# shared paragraph pairs b0 and b1, and no span covers a footer
def reuse(d):
    return sorted((r["id_a"], r["id_b"]) for r in
                  csv.DictReader(open(w + d + "/reuse.csv", encoding="utf-8", newline="")))
assert reuse("/batch") == [("b0", "b1"), ("b0", "b2"), ("b1", "b2")], reuse("/batch")
assert reuse("/batch-m") == [("b0", "b1")], reuse("/batch-m")
texts = {json.loads(l)["id"]: json.loads(l)["text"] for l in open(w + "/batch.jsonl", encoding="utf-8")}
for r in csv.DictReader(open(w + "/batch-m/spans.csv", encoding="utf-8", newline="")):
    for side in "ab":
        t = texts[r["id_" + side]].encode()
        piece = t[int(r[side + "_start"]):int(r[side + "_end"])].decode()
        assert "推荐阅读" not in piece and "侵权" not in piece, r
EOF

# the edited footer is found through its signature (not its hash): the same
# under --memory-limit, where signatures are read back from a file
"$FANWEN" scan -q -j 2 --memory-limit 64M --out "$W/batch-mb" --passage-model "$W/m" \
    "$W/batch.jsonl" || fail "scan batch -m --memory-limit"
same_csvs "$W/batch-m" "$W/batch-mb"

# 3. a scan that used a model saves that model, unchanged
"$FANWEN" scan -q --out "$W/batch-m2" --passage-model "$W/m" --save-passage-model "$W/m2" \
    "$W/batch.jsonl" || fail "scan -m --save"
cmp -s "$W/m" "$W/m2" || fail "the model saved after using one should be that one"

# 4. refused: damaged, cut short, other parameters; nothing written
refused() { # WHAT EXPECTED-MESSAGE ARGS...: exit 1, the message, no reports
    local what=$1 msg=$2
    shift 2
    rm -rf "$W/r"
    "$FANWEN" scan -q --out "$W/r" "$@" "$W/batch.jsonl" 2>"$W/err"
    local code=$?
    [ $code = 1 ] || fail "$what: exit $code, not 1"
    grep -qF -- "$msg" "$W/err" || fail "$what: stderr lacks '$msg': $(cat "$W/err")"
    [ ! -e "$W/r/pairs.csv" ] || fail "$what: reports written"
}
python3 - "$W/m" "$W/flipped" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x01
open(sys.argv[2], "wb").write(b)
EOF
refused "a flipped byte" "damaged or cut short" --passage-model "$W/flipped"
head -c -30 "$W/m" >"$W/short"
refused "a file cut short" "damaged or cut short" --passage-model "$W/short"
refused "a missing file" "$W/none: No such file" --passage-model "$W/none"
refused "a directory" "$W: Is a directory" --passage-model "$W"
sed '1s/ 2$/ 1/' "$W/m" >"$W/v1"
refused "another format" "a passage model of another format (1)" --passage-model "$W/v1"
refused "another seed" "was made with --seed 0, not 5" --passage-model "$W/m" --seed 5
refused "another --min-passage" "was made with --min-passage 50, not 60" --passage-model "$W/m" \
    --min-passage 60
refused "template mode" "was made without template mode" --passage-model "$W/m" --template
"$FANWEN" scan -q --template --out "$W/crawl-t" --save-passage-model "$W/mt" "$W/crawl.jsonl" ||
    fail "scan --template --save-passage-model"
printf '进展\t发展\n' >"$W/canon.tsv"
refused "another canon table" "was made with the built-in canon table" --passage-model "$W/mt" \
    --canon "$W/canon.tsv"
refused "--no-passages" "not with --no-passages" --passage-model "$W/m" --no-passages

# 4b. planned (the staged scan): the finish task uses the model and saves
# one, the same bytes as the scan's; a model changed after planning is
# refused by the finish task, with no report written; what the scan
# refuses is refused when planning
"$FANWEN" plan --work "$W/plan" --out "$W/batch-staged" --passage-model "$W/m" \
    --save-passage-model "$W/m-staged" "$W/batch.jsonl" 2>"$W/err" ||
    fail "plan --passage-model: $(cat "$W/err")"
"$FANWEN" run "$W/plan" --jobs 1 -j 2 >/dev/null 2>"$W/err" || fail "run: $(cat "$W/err")"
same_csvs "$W/batch-m" "$W/batch-staged"
cmp -s "$W/m" "$W/m-staged" || fail "the staged scan's saved model should be the one it used"
"$FANWEN" plan --work "$W/plan-crawl" --out "$W/crawl-staged" --save-passage-model "$W/m-learned" \
    "$W/crawl.jsonl" 2>"$W/err" || fail "plan --save-passage-model: $(cat "$W/err")"
"$FANWEN" run "$W/plan-crawl" --jobs 2 -j 1 >/dev/null 2>"$W/err" || fail "run: $(cat "$W/err")"
cmp -s "$W/m" "$W/m-learned" || fail "the model learned by a staged scan should be the scan's"
same_csvs "$W/crawl" "$W/crawl-staged"
cp "$W/m" "$W/m-moving"
"$FANWEN" plan --work "$W/plan-moved" --out "$W/moved" --passage-model "$W/m-moving" \
    "$W/batch.jsonl" 2>"$W/err" || fail "plan with a model: $(cat "$W/err")"
cp "$W/mt" "$W/m-moving"
"$FANWEN" run "$W/plan-moved" --jobs 1 >/dev/null 2>"$W/err" && fail "a changed model should fail"
grep -qF "the passage model $W/m-moving has changed (or gone) since the plan was made" \
    "$W/err" || fail "run, model changed: $(cat "$W/err")"
[ ! -e "$W/moved" ] || fail "a finish refused should write no report"
"$FANWEN" plan --work "$W/plan-seed" --seed 5 --passage-model "$W/m" "$W/batch.jsonl" \
    2>"$W/err" && fail "plan with another seed should be refused"
grep -qF "was made with --seed 0, not 5" "$W/err" || fail "plan --seed 5: $(cat "$W/err")"
"$FANWEN" plan --work "$W/plan-np" --no-passages --save-passage-model "$W/m5" "$W/batch.jsonl" \
    2>"$W/err" && fail "plan --no-passages --save-passage-model should be refused"
grep -qF "not with --no-passages" "$W/err" || fail "plan --no-passages: $(cat "$W/err")"
[ ! -e "$W/plan-seed/plan" ] && [ ! -e "$W/plan-np/plan" ] || fail "a refused plan was written"

"$FANWEN" scan -q --out "$W/r" --save-passage-model "$W/no/such/dir/m" "$W/batch.jsonl" \
    2>"$W/err" && fail "--save-passage-model into a missing directory should fail"
grep -qF -- "--save-passage-model: $W/no/such/dir/m: No such file or directory (the reports are in $W/r)" \
    "$W/err" || fail "--save-passage-model failure: $(cat "$W/err")"
[ -e "$W/r/pairs.csv" ] || fail "the reports should be written before the model"

# 5. the HTML report runs the scan again, with its model, if it is the same file
"$FANWEN" report -q --html "$W/html" "$W/batch-m" 2>"$W/err" ||
    fail "report of a scan with a model: $(cat "$W/err")"
grep -q '"passage_model_sum": "'"$(tail -1 "$W/m" | cut -d' ' -f2)"'"' "$W/batch-m/summary.json" ||
    fail "summary.json records the model's checksum"
cp "$W/m" "$W/m.kept"
"$FANWEN" scan -q --out "$W/crawl-s1" --boilerplate-docs 41 \
    --save-passage-model "$W/m" "$W/crawl.jsonl" || fail "another model"
cmp -s "$W/m" "$W/m.kept" && fail "a bar of 41 documents should learn no line"
"$FANWEN" report -q --html "$W/html3" "$W/batch-m" 2>"$W/err" &&
    fail "report with another model in its place should fail"
grep -qF "the passage model $W/m has changed since the scan: scan again" "$W/err" ||
    fail "report, model changed: $(cat "$W/err")"
cp "$W/m.kept" "$W/m"
mv "$W/m" "$W/m.gone"
"$FANWEN" report -q --html "$W/html2" "$W/batch-m" 2>"$W/err" &&
    fail "report without its model should fail"
grep -qF "$W/m: No such file" "$W/err" || fail "report without its model: $(cat "$W/err")"
echo "passage model: learned, used, refused as expected"

#!/usr/bin/env python3
"""test_browser.py — the HTML report as a person sees it, in headless Chromium.

Usage: test_browser.py FANWEN_CLI CORPUS_DIR [--screenshot PNG]

Runs `fanwen scan --html` on three corpora, opens the pages in Chromium
(tests/browser/cdp.py: the DevTools protocol over a pipe) and reads what a
person would see:

- the demo corpus (corpus/docs): the overview lists exactly the pairs of
  corpus/expected_pairs.csv, each "compare" link opens a page showing that
  pair's two texts with marked runs; a screenshot of one is taken;
- a planted-copy corpus made here: a paragraph of 300 characters copied
  from a.txt into b.txt and one of 150 into c.txt, between fillers drawn
  from different alphabets (so no run can grow past a copy by chance): the
  marked runs on the pair pages cover exactly the copies' bytes on both
  sides, the shared-character counts are the copies' characters, clicking
  a run scrolls the other text to its partner, and a.txt's page ranks its
  sources b.txt (300) before c.txt (150) and colours exactly the copies;
- an escaping corpus: documents holding <script>, </textarea>, an <img>
  with onerror, quotes and javascript: links, and a file named with a
  comma, quotes and a line break: on every page no script ran (the title
  and a global the scripts would set are untouched), no such element
  exists, the text shows literally, and the odd file name links to its page.

Exit status 0 when all pass, 1 when any fails, 77 (ctest's skip) when
chromium is missing outside CI; under CI (CI=true) a missing chromium is a
failure, since .ci/setup installs it. The last line is
"test_browser: N passed, M failed".
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser"))
from cdp import Browser, find_chromium  # noqa: E402

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}{': ' + str(detail) if detail else ''}")


def scan(cli, out, html, inputs, *extra):
    subprocess.run([cli, "scan", "-q", "--out", out, "--html", html, *extra, *inputs],
                   check=True)


def url(path):
    return "file://" + os.path.abspath(path)


# The byte ranges covered by the marked elements matched by `selector`
# (each carries its segment's data-s and data-e), joined where they touch.
RANGES_JS = """(sel => {
  const r = [...document.querySelectorAll(sel)].map(e => [+e.dataset.s, +e.dataset.e]);
  r.sort((x, y) => x[0] - y[0]);
  const out = [];
  for (const [s, e] of r) {
    if (out.length && out[out.length - 1][1] >= s) out[out.length - 1][1] = Math.max(out[out.length - 1][1], e);
    else out.push([s, e]);
  }
  return out;
})(%s)"""


def ranges(b, selector):
    return b.eval(RANGES_JS % json.dumps(selector))


# A row's link: the href of the "compare" link in the row of table `table`
# whose id cells are exactly a and b.
ROW_LINK_JS = """((table, a, b) => {
  for (const tr of document.querySelectorAll('#' + table + ' tr')) {
    const ids = [...tr.querySelectorAll('.id')].map(e => e.textContent);
    if (ids.length == 2 && ids[0] == a && ids[1] == b) {
      const link = [...tr.querySelectorAll('a')].find(x => x.textContent == 'compare');
      return link ? link.href : null;
    }
  }
  return null;
})(%s, %s, %s)"""


def row_link(b, table, a, bb):
    return b.eval(ROW_LINK_JS % (json.dumps(table), json.dumps(a), json.dumps(bb)))


# ------------------------------------------------------------------ demo


def test_demo(b, cli, corpus, work, screenshot):
    out, html = os.path.join(work, "demo"), os.path.join(work, "demo-html")
    scan(cli, out, html, [os.path.join(corpus, "docs")])
    with open(os.path.join(corpus, "expected_pairs.csv")) as f:
        expected = [tuple(line.strip().split(",")) for line in f.readlines()[1:] if line.strip()]
    b.open(url(os.path.join(html, "index.html")))
    shown = b.eval("[...document.querySelectorAll('#pairs tr')].slice(1)"
                   ".map(tr => [...tr.querySelectorAll('.id')].map(e => e.textContent))")
    check("demo: the overview lists exactly the expected pairs",
          sorted(map(tuple, shown)) == sorted(expected), shown)
    for a, bb in expected:
        link = row_link(b, "pairs", a, bb)
        if not link:
            check(f"demo: {a} ~ {bb} links to its page", False, "no compare link")
            continue
        b.open(link)
        ids = b.eval("[...document.querySelectorAll('table .id')].map(e => e.textContent)")
        runs = b.eval("[document.querySelectorAll('#text-a a.r').length,"
                      " document.querySelectorAll('#text-b a.r').length]")
        check(f"demo: {a} ~ {bb}: its page shows both texts with marked runs",
              ids[:2] == [a, bb] and runs[0] > 0 and runs[1] > 0, (ids, runs))
        b.open(url(os.path.join(html, "index.html")))
    link = row_link(b, "pairs", "reports/edu_summary_2015.txt", "reports/edu_summary_2024.txt")
    b.open(link)
    figures = b.eval("[...document.querySelectorAll('#text-a .fig')].map(e => e.textContent)")
    check("demo: the years 2015 / 2024 are shown as figures template mode forgives",
          "2015" in figures, figures)
    if screenshot:
        b.screenshot(screenshot)
        check("demo: screenshot taken", os.path.getsize(screenshot) > 10000, screenshot)


# --------------------------------------------------------------- planted


def alphabet(first, count):
    return [chr(c) for c in range(first, first + count)]


def prose(rng, letters, chars):
    """About `chars` characters of `letters` in sentences of 18 to 30 and
    paragraphs of about 100, each a passage of its own; it ends with "。"."""
    paragraphs, n = [], 0
    while n < chars:
        sentences, m = [], 0
        while m < 100 and n + m < chars:
            k = min(rng.randint(18, 30), chars - n - m)
            sentences.append("".join(rng.choice(letters) for _ in range(k)))
            m += k
        paragraphs.append("。".join(sentences) + "。")
        n += m
    return "\n".join(paragraphs)


def test_planted(b, cli, work):
    rng = random.Random(15)
    copy_b = prose(rng, alphabet(0x7000, 256), 300)  # a.txt -> b.txt
    copy_c = prose(rng, alphabet(0x7100, 128), 150)  # a.txt -> c.txt
    texts = {
        "a.txt": [prose(rng, alphabet(0x4E00, 128), 100), copy_b, prose(rng, alphabet(0x4E00, 128), 100),
                  copy_c, prose(rng, alphabet(0x4E00, 128), 100)],
        "b.txt": [prose(rng, alphabet(0x4E80, 128), 3000), copy_b, prose(rng, alphabet(0x4E80, 128), 300)],
        "c.txt": [prose(rng, alphabet(0x4F00, 128), 100), copy_c, prose(rng, alphabet(0x4F00, 128), 100)],
    }
    for k in range(5):
        texts[f"other{k}.txt"] = [prose(rng, alphabet(0x5000 + 0x100 * k, 200), 600)]
    docs = os.path.join(work, "planted")
    os.makedirs(docs)
    where = {}  # (file, copy) -> (byte start, byte end)
    for name, parts in texts.items():
        data = "\n".join(parts).encode()
        with open(os.path.join(docs, name), "wb") as f:
            f.write(data)
        for copy, text in (("b", copy_b), ("c", copy_c)):
            at = data.find(text.encode())
            if at >= 0 and len(parts) > 1:  # a run ends on the copy's last letter
                where[name, copy] = [at, at + len(text.rstrip("。").encode())]
    letters = lambda s: sum(1 for ch in s if ch not in "。\n")  # noqa: E731
    out, html = os.path.join(work, "planted-out"), os.path.join(work, "planted-html")
    scan(cli, out, html, [docs])
    for other, copy, text in (("b.txt", "b", copy_b), ("c.txt", "c", copy_c)):
        b.open(url(os.path.join(html, "index.html")))
        link = row_link(b, "reuse", "a.txt", other)
        if not link:
            check(f"planted: a.txt ~ {other} is listed with a page", False)
            continue
        b.open(link)
        got_a, got_b = ranges(b, "#text-a a.r"), ranges(b, "#text-b a.r")
        check(f"planted: a.txt ~ {other}: the runs marked in a.txt are exactly the copy",
              got_a == [where["a.txt", copy]], (got_a, where["a.txt", copy]))
        check(f"planted: a.txt ~ {other}: the runs marked in {other} are exactly the copy",
              got_b == [where[other, copy]], (got_b, where[other, copy]))
        marked = b.eval("[+document.querySelector('#marked-a').textContent,"
                        " +document.querySelector('#marked-b').textContent]")
        check(f"planted: a.txt ~ {other}: shared characters = the copy's {letters(text)}",
              marked == [letters(text), letters(text)], marked)
    # a click on a run brings its partner into view in the other text
    b.open(url(os.path.join(html, "index.html")))
    b.open(row_link(b, "reuse", "a.txt", "b.txt"))
    before = b.eval("document.querySelector('#text-b').scrollTop")
    b.click("#a0")
    state = b.eval("""(() => {
        const box = document.querySelector('#text-b').getBoundingClientRect();
        const run = document.querySelector('#b0').getBoundingClientRect();
        return {hash: location.hash, scroll: document.querySelector('#text-b').scrollTop,
                visible: run.top >= box.top && run.top < box.bottom};
    })()""")
    check("planted: clicking a run in a.txt scrolls b.txt to its partner",
          state["hash"] == "#b0" and state["visible"] and state["scroll"] > before,
          (before, state))
    # a.txt's page: its sources by share, its text coloured by them
    b.open(url(os.path.join(html, "index.html")))
    doc = b.eval("[...document.querySelectorAll('#docs a.id')].find(a => a.textContent == 'a.txt').href")
    b.open(doc)
    sources = b.eval("[...document.querySelectorAll('#sources tr')].slice(1)"
                     ".map(tr => [tr.querySelector('.id').textContent, +tr.cells[3].textContent])")
    check("planted: a.txt's sources are b.txt (300 characters) then c.txt (150)",
          sources == [["b.txt", letters(copy_b)], ["c.txt", letters(copy_c)]], sources)
    coloured = [ranges(b, f".text a[data-source='{k}']") for k in (0, 1)]
    check("planted: a.txt's text is coloured by source exactly over the copies",
          coloured == [[where["a.txt", "b"]], [where["a.txt", "c"]]], coloured)


# -------------------------------------------------------------- escaping

EVIL = ("<script>document.title='pwned';window.pwned=1</script>"
        "</textarea><textarea><img src=x onerror=\"window.pwned=2\">"
        "\"double\" 'single' <a href=\"javascript:window.pwned=3\">link</a>"
        "<iframe src=\"javascript:parent.pwned=4\"></iframe>\n")
SHARED = ("各地要把安全生产责任制落到实处，建立健全隐患排查治理体系，对重大危险源实行"
          "分级管控，确保不发生重特大事故。各部门要加强协调配合，形成工作合力，"
          "切实保障人民群众生命财产安全，为经济社会发展创造良好环境。")
ODD_NAME = 'odd,name "quoted"\nline.txt'
# every element the report's pages are made of: anything else was injected
PAGE_ELEMENTS = ["html", "head", "meta", "title", "style", "body", "nav", "a", "h1", "h2", "div",
                 "p", "span", "table", "tbody", "tr", "th", "td", "b", "figure", "figcaption",
                 "svg", "rect", "text", "line"]


def test_escaping(b, cli, work):
    docs = os.path.join(work, "evil")
    os.makedirs(docs)
    files = {"evil.txt": EVIL + SHARED + "\n" + EVIL,
             ODD_NAME: "前言。\n" + SHARED + "\n<script>window.pwned=5</script>",
             "plain.txt": "总则。\n" + SHARED}
    for name, text in files.items():
        with open(os.path.join(docs, name), "w") as f:
            f.write(text)
    html = os.path.join(work, "evil-html")
    scan(cli, os.path.join(work, "evil-out"), html, [docs])
    pages = []
    for top, _, names in os.walk(html):
        pages += [os.path.join(top, n) for n in names if n.endswith(".html")]
    check("escaping: pages were written for the documents", len(pages) >= 4, pages)
    bad = []
    for page in sorted(pages):
        b.open(url(page))
        state = b.eval("""({title: document.title, pwned: typeof window.pwned,
            elements: [...document.querySelectorAll('*')].map(e => e.localName)
                .filter(n => !ALLOWED.includes(n)),
            js: document.querySelectorAll('a[href^="javascript:"], [onerror], [onclick]').length})"""
                       .replace("ALLOWED", json.dumps(PAGE_ELEMENTS)))
        if state["pwned"] != "undefined" or state["title"] == "pwned" or state["elements"] \
                or state["js"]:
            bad.append((page, state))
    check("escaping: no page runs a script or holds an injected element", not bad, bad)
    b.open(url(os.path.join(html, "index.html")))
    link = b.eval("(n => { const a = [...document.querySelectorAll('a.id')].find(a => a.textContent == n);"
                  " return a ? a.href : null; })(%s)" % json.dumps("evil.txt"))
    b.open(link)
    text = b.eval("document.querySelector('.text').textContent")
    check("escaping: the document's markup shows as text", text.count(EVIL) == 2, text[:200])
    b.open(url(os.path.join(html, "index.html")))
    link = b.eval("(n => { const a = [...document.querySelectorAll('a.id')].find(a => a.textContent == n);"
                  " return a ? a.href : null; })(%s)" % json.dumps(ODD_NAME))
    shown = None
    if link:
        b.open(link)
        shown = b.eval("document.querySelector('h1').textContent")
    check("escaping: a file named with a comma, quotes and a line break links to its page",
          shown == ODD_NAME, (link, shown))


def main():
    args = sys.argv[1:]
    screenshot = None
    if "--screenshot" in args:
        i = args.index("--screenshot")
        screenshot = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    cli, corpus = os.path.abspath(args[0]), os.path.abspath(args[1])
    if not find_chromium():
        if os.environ.get("CI"):
            print("test_browser: chromium is missing (.ci/setup installs it)")
            print("test_browser: 0 passed, 1 failed")
            sys.exit(1)
        print("test_browser: SKIP: chromium is not installed (apt-get install chromium)")
        sys.exit(77)
    work = tempfile.mkdtemp(prefix="fanwen-browser-")
    try:
        with Browser() as b:
            test_demo(b, cli, corpus, work, screenshot or os.path.join(work, "pair.png"))
            test_planted(b, cli, work)
            test_escaping(b, cli, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"test_browser: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

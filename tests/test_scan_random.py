#!/usr/bin/env python3
"""test_scan_random.py — `fanwen scan` against itself and against brute
force, on random scenarios (a differential test; test_index_random.py is
its sibling for the index).

    test_scan_random.py FANWEN GEN_CORPUS [--seed S] [--budget SECONDS]
                        [--scenarios N] [--keep DIR] [--no-staged] [-v]

For each seed S, S+1, ... (N of them, or until BUDGET seconds have gone; a
scenario is never cut short), deterministic per seed:

The corpus: tens to a few hundred documents: originals (Chinese from a
phrase bank, English words in mixed case, both mixed, bench's generated
work reports from GEN_CORPUS), exact copies, near copies (a few characters
changed, dropped or added), copies equal only after normalization (case,
full width, spaces, ideographic spaces, line breaks, punctuation), reworded
copies (neighbouring characters swapped: a match for the passage level
only), documents made of other documents' paragraphs, a footer many
documents share and short site lines (a breadcrumb, a counter whose figure
changes) on many, families of copies past 16 (a star bucket), empty
documents (no bytes, spaces, punctuation), invalid UTF-8, NUL bytes, very
long lines, ids repeated (within and across inputs, and through files of
one name in two directories), JSONL lines without an id or with a number,
broken JSON lines and lines without a text, a byte order mark.

The inputs: the documents in input order, cut into runs, each written as a
directory of files (nested, names in any order: the scan reads them in
byte order of names, level by level), a JSONL shard (plain, .gz or .zst
when gzip and zstd are installed), a WET archive (conversion records, a
warcinfo record skipped), or a plain file given by itself.

The options, random per scenario and the same on both sides of every
comparison: --no-passages, --template, --threshold, --ngram, --seed,
--sketch oph, --min-passage, --max-passage, --boilerplate-docs,
--reuse-min.

The checks:
  1. `scan -j 1` against `-j 2` and `-j 3`: every report the same bytes
     (summary.json: every field but "stages" and the thread count);
  2. against `--memory-limit` (64M, the least the CLI takes, or 72M, 96M,
     200M; at 1 to 3 threads): the same (summary.json: but "memory" too).
     The spill files are used at any limit; LSH runs on disk and several
     windows of passage signatures in the screen (131,072 passages a
     window at 64M) need tens of thousands of documents, which one
     scenario in eight has (40,000-60,000 short texts, a third of them
     copies, and --min-passage 5 most often: a passage a sentence; no brute
     force there, too slow in Python). The limit lowers --max-doc-bytes to
     limit / 128, so the limit is one under which no document of the
     scenario is too large;
  3. against the staged scan (`fanwen plan` with random shards and
     partitions, then `fanwen run`; one scenario in three): the same;
  4. against the inputs: docs.csv has one row per document, broken line
     and error, in input order, with the ids a scan gives (repeated ones
     renamed id#2 ... as src/id_names.c does) and the status expected of
     the text (binary with a NUL, repaired with invalid UTF-8, empty when
     nothing is left after normalization);
  5. against brute force, when not in template mode, for the documents
     whose every character normalization treats in a way reproduced here
     (ASCII, full-width ASCII, CJK ideographs U+4E00-9FA5, CJK punctuation,
     spaces, U+FFFD): docs.csv's chars and shingles; every row of pairs.csv
     of two such documents has their exact Jaccard of n-gram sets (a text
     shorter than n is one shingle), a_in_b and b_in_a, at or above the
     threshold; every pair of them at Jaccard >= threshold + 0.1 is in
     pairs.csv when LSH cannot miss it but with probability <= 1e-9 (from
     the scan's bands and rows: (1 - J^r)^b) and neither document has
     neighbours enough to fill a bucket past 16 (where LSH pairs a star);
     clusters.csv is the connected components of pairs.csv.

A mismatch prints the seed, what differs (a short diff) and a command that
runs that scenario alone, and keeps the scenario's directory (under --keep,
default the system's temporary directory) with repro.sh, the fanwen
commands that were run (from that directory).

Exit status: 0 all hold, 1 a mismatch (or fanwen failed), 2 usage.
Python standard library only.
"""
import argparse
import difflib
import gzip
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

from id_names_model import scan_names  # tests/, this script's folder

REPORTS = ('pairs.csv', 'clusters.csv', 'docs.csv', 'passages.csv', 'reuse.csv', 'spans.csv',
           'substitutions.csv', 'boilerplate.csv')
STATS = dict.fromkeys(('scans', 'documents', 'pairs', 'pairs checked exactly',
                       'pairs required by brute force', 'spans', 'reuse', 'boilerplate rows',
                       'memory-limit scans', 'band runs on disk', 'staged runs'), 0)
HAVE_ZSTD = shutil.which('zstd') is not None


class Mismatch(Exception):
    def __init__(self, kind, detail):
        super().__init__(kind)
        self.kind, self.detail = kind, detail


# ------------------------------------------------------------------ texts

PUNCT = '，。；：、！？'


def cjk_chars(rng, n):
    return ''.join(chr(rng.randint(0x4e00, 0x9fa5)) for _ in range(n))


class Texts:
    def __init__(self, rng, gen_docs):
        self.rng = rng
        self.gen = gen_docs
        self.phrases = [cjk_chars(rng, rng.randint(3, 8)) for _ in range(rng.randint(40, 200))]
        self.words = [''.join(chr(rng.randint(97, 122)) for _ in range(rng.randint(2, 9)))
                      for _ in range(rng.randint(50, 300))]

    def zh(self, nsent, breaks=0.2):
        r = self.rng
        out = []
        for _ in range(nsent):
            s = ''.join(r.choice(self.phrases) if r.random() < 0.7 else cjk_chars(r, r.randint(2, 6))
                        for _ in range(r.randint(2, 5)))
            if r.random() < 0.1:
                s += str(r.randint(1990, 2030)) + '年'
            out.append(s + r.choice(PUNCT))
            if r.random() < breaks:
                out.append('\n')
        return ''.join(out)

    def en(self, nsent, breaks=0.2):
        r = self.rng
        out = []
        for _ in range(nsent):
            ws = [r.choice(self.words) for _ in range(r.randint(4, 14))]
            if r.random() < 0.5:
                ws[0] = ws[0].capitalize()
            if r.random() < 0.1:
                ws.append(str(r.randint(0, 9999)))
            out.append(' '.join(ws) + r.choice('.;,!?') + ('\n' if r.random() < breaks else ' '))
        return ''.join(out)

    def mixed(self, nsent):
        r = self.rng
        return ''.join(self.zh(1) if r.random() < 0.6 else self.en(1) for _ in range(nsent))

    def paragraphs(self, n):
        r = self.rng
        return '\n'.join(r.choice((self.zh, self.zh, self.en, self.mixed))(r.randint(2, 6))
                         for _ in range(n))

    def original(self):
        r = self.rng
        k = r.random()
        if k < 0.25 and self.gen:
            t = r.choice(self.gen)
            a = r.randint(0, max(0, len(t) - 50))
            return t[a:a + r.choice((60, 150, 400, 1000, 3000))]
        if k < 0.55:
            return self.zh(r.choice((1, 2, 4, 8, 15, 30)))
        if k < 0.7:
            return self.en(r.choice((1, 2, 5, 10, 25)))
        if k < 0.8:
            return self.mixed(r.choice((2, 5, 12)))
        return self.paragraphs(r.randint(2, 8))

    def near(self, t, edits=None):
        """t with a few characters changed, dropped or added."""
        r = self.rng
        if not t:
            return t
        edits = edits if edits is not None else r.choice((1, 1, 2, 3, 5, 8))
        t = list(t)
        for _ in range(edits):
            k = r.random()
            i = r.randrange(len(t)) if t else 0
            if k < 0.6 and t:
                t[i] = chr(r.randint(0x4e00, 0x9fa5)) if t[i] >= '\u4e00' else chr(r.randint(97, 122))
            elif k < 0.8 and t:
                del t[i]
            else:
                t[i:i] = list(r.choice(self.phrases) if r.random() < 0.5 else r.choice(self.words))
        return ''.join(t)

    def same_normalized(self, t):
        """Equal after normalization: case, full width, spaces, punctuation."""
        r = self.rng
        out = []
        for c in t:
            k = r.random()
            if 'a' <= c <= 'z' and k < 0.3:
                c = c.upper()
            elif ('0' <= c <= '9' or 'a' <= c <= 'z' or 'A' <= c <= 'Z') and k < 0.5:
                c = chr(ord(c) + 0xfee0)  # full width: NFKC makes it ASCII
            elif c in PUNCT + '.;,!?' and k < 0.3:
                c = r.choice(PUNCT + '.;,!?')
            elif c == ' ' and k < 0.3:
                c = r.choice(('', '\u3000', '  ', '\t'))
            out.append(c)
            if r.random() < 0.04:
                out.append(r.choice((' ', '\u3000', '  ', '\n', '\r\n', '、', '\ufeff', '\u200b')))
        return ''.join(out)

    def reworded(self, t):
        """Neighbouring characters swapped here and there (the document
        level goes blind, the passage level should not)."""
        r = self.rng
        t = list(t)
        rate = r.choice((0.03, 0.08, 0.15))
        for i in range(len(t) - 1):
            if r.random() < rate:
                t[i], t[i + 1] = t[i + 1], t[i]
        return ''.join(t)


# ------------------------------------------------------------ documents

def make_docs(rng, gen_docs, big=False):
    """[(id or None, text)] in input order. Texts are str; \\udc80-\\udcff
    stand for raw bytes 0x80-0xff (invalid UTF-8)."""
    tx = Texts(rng, gen_docs)
    ids = []

    def new_id(prefix):
        r = rng.random()
        if ids and r < 0.05:  # an id used before
            return rng.choice(ids)
        if ids and r < 0.07:  # one that looks like a renaming
            i = '%s#%d' % (rng.choice(ids), rng.randint(2, 3))
            ids.append(i)
            return i
        if r < 0.09:
            i = str(rng.randint(0, 50))  # a number (written as a JSON number at times)
            ids.append(i)
            return i
        i = prefix + ''.join(rng.choice('abcdefghjkmnpqrstuvwxyz0123456789') for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.03:
            i += rng.choice((',x', ' "q"', '中'))
        ids.append(i)
        return i

    if big:
        # tens of thousands of short texts: more band records than a 64M
        # limit's LSH buffers hold (runs on disk), more passages than its
        # screen's window of signatures (several windows)
        out = []
        for k in range(rng.randint(40000, 60000)):
            r = rng.random()
            if out and r < 0.25:
                t = rng.choice(out)[1]
            elif out and r < 0.35:
                t = tx.near(rng.choice(out)[1], rng.randint(1, 2))
            elif out and r < 0.4:
                t = tx.same_normalized(rng.choice(out)[1])
            elif r < 0.45:
                t = tx.en(1, breaks=0)
            else:  # two to six sentences: with --min-passage 5, a passage each
                t = ''.join(cjk_chars(rng, rng.randint(6, 20)) + rng.choice(PUNCT)
                            for _ in range(rng.randint(2, 6)))
            out.append(('p%d' % k if rng.random() < 0.999 else 'p%d' % rng.randint(0, k), t))
        return out
    if rng.random() < 0.08:  # many short texts
        orig = [tx.zh(rng.randint(1, 4)) for _ in range(rng.randint(100, 250))]
    else:
        orig = [tx.original() for _ in range(rng.choice((5, 10, 20, 40, 60)))]
    docs = [(new_id('o'), t) for t in orig]
    n = len(orig)
    for _ in range(rng.randint(n // 2, 2 * n)):
        src = rng.choice(orig)
        k = rng.random()
        if k < 0.2:
            t = src
        elif k < 0.5:
            t = tx.near(src)
        elif k < 0.62:
            t = tx.same_normalized(src)
        elif k < 0.72:
            t = tx.reworded(src)
        elif k < 0.82:  # paragraphs of others
            parts = [p for o in rng.sample(orig, min(len(orig), rng.randint(2, 4)))
                     for p in o.split('\n') if p.strip()]
            rng.shuffle(parts)
            t = '\n'.join(parts[:rng.randint(1, 6)] + [tx.zh(rng.randint(1, 3))])
        elif k < 0.92:
            a, b = rng.choice(orig), rng.choice(orig)
            t = a[:len(a) // 2] + tx.zh(rng.randint(1, 3)) + b[len(b) // 2:]
        else:
            t = src[:rng.randint(0, len(src))]
        docs.append((new_id(rng.choice('cnr')), t))
    for _ in range(rng.choice((0, 0, 1, 2))):  # a family, maybe past 16 (a star bucket)
        base = rng.choice((tx.zh, tx.en, tx.mixed))(rng.randint(2, 10))
        exact = rng.random()
        fam = 'f' + rng.choice('abcdefgh')
        for _ in range(rng.randint(5, 35)):
            t = base if rng.random() < exact else tx.near(base, rng.randint(1, 4))
            docs.append((new_id(fam), t))
    rng.shuffle(docs)
    if rng.random() < 0.35:  # a footer many share (boilerplate)
        foot = tx.zh(rng.randint(2, 5), breaks=0)
        for i in rng.sample(range(len(docs)), min(len(docs), rng.randint(5, 40))):
            docs[i] = (docs[i][0], docs[i][1] + '\n' + foot)
    if rng.random() < 0.3:  # short site lines on many
        crumb = '首页 > %s > %s' % (rng.choice(tx.phrases), rng.choice(tx.phrases))
        for i in rng.sample(range(len(docs)), min(len(docs), rng.randint(5, 40))):
            line = crumb if rng.random() < 0.7 else '阅读：%d次' % rng.randint(1, 99999)
            docs[i] = (docs[i][0], line + '\n' + docs[i][1])
    for _ in range(rng.choice((0, 1, 3))):  # empty and tiny
        docs.insert(rng.randint(0, len(docs)),
                    (new_id('e'), rng.choice(('', ' ', '\n\n', '。，！', '短', '短文', 'ab', 'abcd', ' x ',
                                              '\u3000'))))
    if rng.random() < 0.3:  # odd bytes, and copies of them
        for _ in range(rng.randint(1, 4)):
            src = rng.choice(orig)
            i = rng.randint(0, len(src))
            t = src[:i] + rng.choice(('\udc80', '\udcff\udcfe', '\udce4\udcb8', '\x00', '\ufffd',
                                      '\r\n')) + src[i:]
            docs.insert(rng.randint(0, len(docs)), (new_id('x'), t))
            if rng.random() < 0.5:
                docs.insert(rng.randint(0, len(docs)), (new_id('x'), t))
    if rng.random() < 0.15:  # a very long line, and a near copy of it
        t = tx.zh(rng.choice((300, 1500, 6000)), breaks=0)
        docs.insert(rng.randint(0, len(docs)), (new_id('l'), t))
        docs.insert(rng.randint(0, len(docs)), (new_id('l'), tx.near(t, 5)))
    for _ in range(rng.choice((0, 0, 1, 3))):  # ids repeated at once
        i, j = rng.randrange(len(docs)), rng.randrange(len(docs))
        docs[j] = (docs[i][0], docs[j][1])
    return docs


def text_bytes(t):
    return t.encode('utf-8', 'surrogateescape')


# ------------------------------------------------------------ the model

ASCII_P = set('!"#%&\'()*,-./:;?@[\\]_{}')
ASCII_S = set('$+<=>^`|~')
DROPPED = set(' \t\n\r\u3000\u3001\u3002\ufeff\u200b')


def normalize_exact(s):
    """The code points fanwen's normalization gives, or None when s holds a
    character this model does not know."""
    out = []
    for c in s:
        o = ord(c)
        if 0xff01 <= o <= 0xff5e:  # full width: NFKC gives ASCII
            c = chr(o - 0xfee0)
            o = ord(c)
        if 'A' <= c <= 'Z':
            out.append(o + 32)
        elif 'a' <= c <= 'z' or '0' <= c <= '9' or c in ASCII_S or 0x4e00 <= o <= 0x9fa5 or c == '\ufffd':
            out.append(o)
        elif c in ASCII_P or c in DROPPED:
            continue
        else:
            return None
    return out


def normalize_rough(s):
    """Python's idea of NFKC + case folding without Z*, P*, C* (for
    counting neighbours of documents the exact model does not know)."""
    s = unicodedata.normalize('NFKC', s).casefold()
    return [ord(c) for c in unicodedata.normalize('NFKC', s)
            if unicodedata.category(c)[0] not in 'ZPC' or c == '\ufffd']


def shingles(cps, n):
    if not cps:
        return frozenset()
    if len(cps) < n:
        return frozenset((tuple(cps),))
    return frozenset(tuple(cps[i:i + n]) for i in range(len(cps) - n + 1))


def expected_status(raw):
    """ok, repaired, binary or empty, as src/sketch.c's classify() says,
    for texts holding at most a few invalid bytes and no other controls."""
    if b'\x00' in raw:
        return 'binary'
    s = raw.decode('utf-8', 'replace')
    invalid = s.count('\ufffd') - raw.decode('utf-8', 'surrogateescape').count('\ufffd')
    cps = normalize_exact(s)
    if cps is None:
        cps = normalize_rough(s)
    if not cps:
        return 'empty'
    return 'repaired' if invalid else 'ok'


# ------------------------------------------------------------- scenarios

def make_params(rng):
    p = []
    passages = rng.random() < 0.65
    if not passages:
        p.append('--no-passages')
    t = rng.choice((None, None, 0.3, 0.5, 0.7, 0.9, 1.0))
    if t is not None:
        p += ['-t', str(t)]
    if rng.random() < 0.3:
        p += ['-n', str(rng.choice((2, 3, 4, 7)))]
    if rng.random() < 0.2:
        p += ['-s', str(rng.randint(1, 1000))]
    if rng.random() < 0.2:
        p += ['--sketch', 'oph']
    if rng.random() < 0.15:
        p.append('--template')
    if passages:
        if rng.random() < 0.4:
            p += ['--min-passage', str(rng.choice((5, 10, 20, 30, 80)))]
        if rng.random() < 0.2:
            p += ['--max-passage', str(rng.choice((0, 40, 100)))]
        if rng.random() < 0.4:
            p += ['--boilerplate-docs', str(rng.choice((2, 3, 5, 10)))]
        if rng.random() < 0.2:
            p += ['--reuse-min', str(rng.choice((0.05, 0.5)))]
    return p


def make_layout(rng, docs):
    """Cuts the documents (in input order) into runs, one an input, and
    says how each is written."""
    kinds = ['dir', 'jsonl', 'jsonl.gz', 'wet', 'file']
    if HAVE_ZSTD:
        kinds.append('jsonl.zst')
    weights = {'dir': 3, 'jsonl': 3, 'jsonl.gz': 1, 'jsonl.zst': 1, 'wet': 1, 'file': 1}
    layout = []
    i = 0
    while i < len(docs):
        k = rng.choices(kinds, [weights[x] for x in kinds])[0]
        if k == 'file':
            n = 1
        else:
            n = rng.choice((1, 3, 10, 40, 100, len(docs)))
            if len(docs) > 5000:  # tens of thousands: a few big inputs, small directories
                n = rng.choice((100, 1000)) if k == 'dir' else rng.choice((5000, 30000, len(docs)))
        layout.append({'kind': k, 'n': min(n, len(docs) - i)})
        i += layout[-1]['n']
    if rng.random() < 0.3 and len(layout) > 1:  # an input given twice: every id repeated
        layout.append(dict(rng.choice(layout), again=True))
    return layout


def make_scenario(seed, gen_docs):
    rng = random.Random(seed)
    big = rng.random() < 0.12
    docs = make_docs(rng, gen_docs, big)
    params = make_params(rng)
    if big and '--no-passages' not in params and rng.random() < 0.8:
        # short passages: more of them than a 64M limit's screen window holds
        if '--min-passage' in params:
            i = params.index('--min-passage')
            del params[i:i + 2]
        params += ['--min-passage', '5']
    layout = make_layout(rng, docs)
    return {'seed': seed, 'docs': docs, 'params': params, 'layout': layout,
            'rng': rng.getstate()}


# ---------------------------------------------------------------- writing

def json_line(rng, i, t):
    obj = {}
    if i is not None:
        obj['id'] = int(i) if re.fullmatch('[1-9][0-9]{0,3}', i) and rng.random() < 0.5 else i
    obj['text'] = t
    if rng.random() < 0.05:
        obj['other'] = {'x': [1, 2, 'y']}
    # raw bytes (not escapes) for the invalid UTF-8 a text holds
    asc = rng.random() < 0.2 and not re.search('[\udc80-\udcff]', t)
    line = json.dumps(obj, ensure_ascii=asc)
    return text_bytes(line)


def write_inputs(sc, w):
    """Writes the scenario's inputs under w; returns (the arguments, the
    expected rows [(id, status or None, raw text or None)], the largest
    document in bytes)."""
    rng = random.Random(sc['seed'] * 7919 + 1)
    docs = sc['docs']
    args, rows, biggest = [], [], 0
    pos = 0
    written = []
    for k, part in enumerate(sc['layout']):
        if part.get('again'):
            j = sc['layout'].index({x: v for x, v in part.items() if x != 'again'})
            args.append(written[j][0])
            rows += written[j][1]
            continue
        chunk = docs[pos:pos + part['n']]
        pos += part['n']
        kind = part['kind']
        prow = []
        if kind == 'dir':
            d = 'd%02d' % k
            tree = {}
            used = set()
            for i, t in chunk:
                depth = rng.choice((0, 0, 0, 1, 2))
                path = [rng.choice(('a', 'b', 'a.b', 'sub', '中')) for _ in range(depth)]
                while True:
                    name = rng.choice(('', 'z', 'A', 'a.', '_', '中', 'x,y ', 'q"')) + \
                        (i or 'doc')[:12].replace('/', '_') + rng.choice(('.txt', '', '.md', '.txt.1'))
                    name = name.replace('#', '_')
                    full = '/'.join(path + [name])
                    # a file name is not a directory name on the way to another
                    if full not in used and not any(u.startswith(full + '/') for u in used) and \
                            not any(full.startswith(u + '/') for u in used) and name not in ('.', '..'):
                        break
                    path = [rng.choice(('a', 'b'))] if path else []
                used.add(full)
                node = tree
                for p in path:
                    node = node.setdefault(p, {})
                node[name] = text_bytes(t)
                biggest = max(biggest, len(text_bytes(t)))

            def emit(node, at, rel):
                os.makedirs(at, exist_ok=True)
                for name in sorted(node, key=lambda s: s.encode()):
                    v = node[name]
                    if isinstance(v, dict):
                        emit(v, os.path.join(at, name), rel + name + '/')
                    else:
                        with open(os.path.join(at, name), 'wb') as f:
                            f.write(v)
                        prow.append((rel + name, None, v))
            emit(tree, os.path.join(w, d), '')
            if not tree:
                prow.append((d, 'empty', None))
            args.append(d)
        elif kind == 'file':
            i, t = chunk[0]
            name = 'p%02d.txt' % k
            with open(os.path.join(w, name), 'wb') as f:
                f.write(text_bytes(t))
            biggest = max(biggest, len(text_bytes(t)))
            prow.append((name, None, text_bytes(t)))
            args.append(name)
        elif kind.startswith('jsonl'):
            name = 's%02d.jsonl' % k
            lines = []
            if rng.random() < 0.1:
                lines.append(b'\xef\xbb\xbf')
            ln = 0
            for i, t in chunk:
                r = rng.random()
                if r < 0.03:
                    lines.append(b'\n')  # blank lines are skipped, but counted
                    ln += 1
                ln += 1
                if r > 0.985:  # a broken line, then the document on the next
                    lines.append(b'{"id": "broken", "text": "\xe4\xb8\x80\n')
                    prow.append((name + ':%d' % ln, 'error', None))
                    ln += 1
                elif r > 0.975:  # a line without a text field
                    lines.append(json.dumps({'id': i or 'nt'}).encode() + b'\n')
                    prow.append((i or 'nt', 'error', None))
                    ln += 1
                myid = i if rng.random() > 0.04 else None
                line = json_line(rng, myid, t)
                lines.append(line + b'\n')
                biggest = max(biggest, len(line))
                prow.append((myid if myid is not None and myid != '' else name + ':%d' % ln, None,
                             text_bytes(t)))
            if lines and rng.random() < 0.3:
                lines[-1] = lines[-1].rstrip(b'\n')  # no newline at the end
            data = b''.join(lines)
            if not chunk:
                prow.append((name, 'empty', None))
            if kind == 'jsonl.gz':
                name += '.gz'
                data = gzip.compress(data, mtime=0)
                prow = [(r0.replace('.jsonl:', '.jsonl.gz:') if r0.startswith(name[:-3] + ':') else r0, s, x)
                        for r0, s, x in prow]
            with open(os.path.join(w, name), 'wb') as f:
                f.write(data)
            if kind == 'jsonl.zst':
                subprocess.run(['zstd', '-q', '--rm', '-f', name], cwd=w, check=True)
                name += '.zst'
                prow = [(r0.replace('.jsonl:', '.jsonl.zst:') if r0.startswith(name[:-4] + ':') else r0, s, x)
                        for r0, s, x in prow]
            args.append(name)
        elif kind == 'wet':
            name = 'w%02d.wet' % k
            out = [b'WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 12\r\n\r\nsoftware: x\n\r\n\r\n']
            for n, (i, t) in enumerate(chunk):
                uri = 'http://h%d/%s' % (k, re.sub('[^A-Za-z0-9]', '_', i or 'u') + '-%d' % n)
                body = text_bytes(t)
                out.append(('WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: %s\r\n'
                            'Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n'
                            % (uri, len(body))).encode() + body + b'\r\n\r\n')
                biggest = max(biggest, len(body) + 200)
                prow.append((uri, None, body))
            with open(os.path.join(w, name), 'wb') as f:
                f.write(b''.join(out))
            args.append(name)
        written.append((args[-1], prow))
        rows += prow
    return args, rows, biggest


# ---------------------------------------------------------------- running

def q(a):
    return a if re.fullmatch(r'[A-Za-z0-9_./=+:,-]+', a) else "'" + a.replace("'", "'\\''") + "'"


class Runner:
    def __init__(self, fanwen, sc, work, verbose=False, staged=True):
        self.fanwen, self.sc, self.w, self.verbose, self.staged = fanwen, sc, work, verbose, staged
        self.log = []

    def run(self, args, what, expect=(0, 2)):
        cmd = [self.fanwen] + args
        self.log.append(cmd)
        t = time.time()
        p = subprocess.run(cmd, cwd=self.w, capture_output=True)
        if self.verbose:
            print('    %.2fs %s' % (time.time() - t, ' '.join(q(a) for a in args)), flush=True)
        if p.returncode not in expect:
            raise Mismatch('exit:%s:%d' % (args[0], p.returncode),
                           '%s: `fanwen %s` exited %d: %s' % (
                               what, ' '.join(q(a) for a in args), p.returncode,
                               p.stderr.decode('utf-8', 'replace').strip()[-2000:]))
        return p

    def scan(self, out, extra, what):
        STATS['scans'] += 1
        return self.run(['scan', '-q', '-o', out] + extra + self.sc['params'] + self.args, what)

    def same(self, ref, other, what, rc=None, drop=()):
        for f in REPORTS:
            a, b = os.path.join(self.w, ref, f), os.path.join(self.w, other, f)
            if os.path.exists(a) != os.path.exists(b):
                raise Mismatch('files:' + f, '%s: %s only in %s' % (
                    what, f, ref if os.path.exists(a) else other))
            if not os.path.exists(a):
                continue
            x, y = open(a, 'rb').read(), open(b, 'rb').read()
            if x != y:
                d = list(difflib.unified_diff(x.decode('utf-8', 'replace').splitlines(),
                                              y.decode('utf-8', 'replace').splitlines(),
                                              ref + '/' + f, other + '/' + f, n=0, lineterm=''))
                raise Mismatch('differs:' + f, '%s: %s differs (%d lines against %d):\n%s%s' % (
                    what, f, x.count(b'\n'), y.count(b'\n'), '\n'.join(d[:16]),
                    '\n...' if len(d) > 16 else ''))
        sa, sb = self.summary(ref, drop), self.summary(other, drop)
        if sa != sb:
            la = json.dumps(sa, indent=1, sort_keys=True).splitlines()
            lb = json.dumps(sb, indent=1, sort_keys=True).splitlines()
            d = list(difflib.unified_diff(la, lb, ref + '/summary.json', other + '/summary.json',
                                          n=0, lineterm=''))
            raise Mismatch('differs:summary.json', '%s: summary.json differs:\n%s' % (
                what, '\n'.join(d[:16])))

    def summary(self, d, drop):
        j = json.load(open(os.path.join(self.w, d, 'summary.json'), encoding='utf-8'))
        j.pop('stages', None)
        j['parameters'].pop('threads', None)
        for k in drop:
            j.pop(k, None)
        return j

    def go(self):
        sc, w = self.sc, self.w
        self.args, rows, biggest = write_inputs(sc, w)
        rng = random.Random(sc['seed'] * 31 + 7)
        p1 = self.scan('j1', ['-j', '1'], 'scan -j 1')
        rc = p1.returncode
        self.check_docs(rows)
        if '--template' not in sc['params'] and len(rows) <= 5000:
            self.brute(rows)  # (tens of thousands of documents: too slow in Python)
        for j in (2, 3):
            p = self.scan('j%d' % j, ['-j', str(j)], 'scan -j %d' % j)
            if p.returncode != rc:
                raise Mismatch('exit-threads', 'scan -j %d exited %d, -j 1 %d' % (j, p.returncode, rc))
            self.same('j1', 'j%d' % j, 'scan -j 1 against -j %d' % j)
        # --memory-limit: one under which no document is too big
        for n in range(rng.choice((1, 1, 2))):
            j = rng.choice((1, 2, 3))
            # 64M, the least the CLI takes: LSH buffers of 8M, a screen
            # window of 16M of passage signatures (65,536 passages)
            ok = [m for m in (64, 64, 72, 96, 200) if m * 2**20 // 128 >= biggest + 4096]
            if not ok:
                continue
            m = 64 if len(self.sc['docs']) > 5000 else rng.choice(ok)
            out = 'm%d' % n
            p = self.scan(out, ['-j', str(j), '--memory-limit', '%dM' % m], 'scan --memory-limit')
            STATS['memory-limit scans'] += 1
            s = json.load(open(os.path.join(w, out, 'summary.json')))
            STATS['band runs on disk'] += s['memory']['band_runs_on_disk'] + \
                s['memory']['passage_band_runs_on_disk']
            what = 'scan -j 1 against -j %d --memory-limit %dM' % (j, m)
            if p.returncode != rc:
                raise Mismatch('exit-memory', '%s: exited %d, not %d' % (what, p.returncode, rc))
            self.same('j1', out, what, drop=('memory',))
        if self.staged and rng.random() < 0.33:
            STATS['staged runs'] += 1
            shards = rng.randint(1, len(self.args))
            parts = rng.choice((1, 1, 2, 3, 4))
            jobs = rng.choice((1, 2, 3))
            self.run(['plan', '--work', 'W', '--shards', str(shards), '--partitions', str(parts),
                      '-o', 'staged'] + sc['params'] + self.args, 'fanwen plan', expect=(0,))
            p = self.run(['run', 'W', '--jobs', str(jobs), '-j', str(rng.choice((1, 2)))],
                         'fanwen run')
            what = 'scan -j 1 against the staged scan (%d shards, %d partitions, %d jobs)' % (
                shards, parts, jobs)
            if p.returncode != rc:
                raise Mismatch('exit-staged', '%s: exited %d, not %d' % (what, p.returncode, rc))
            self.same('j1', 'staged', what)
        STATS['documents'] += len(rows)

    # ------------------------------------------------------- the checks

    def csv(self, d, name):
        import csv
        path = os.path.join(self.w, d, name)
        if not os.path.exists(path):
            return None
        with open(path, encoding='utf-8', newline='') as f:
            r = list(csv.reader(f))
        return r[1:]

    def check_docs(self, rows):
        """docs.csv: a row per document and error, in input order, named as
        a scan names them, with the status the text asks for."""
        got = self.csv('j1', 'docs.csv')
        names = scan_names([r[0] for r in rows])
        if len(got) != len(rows):
            exp = ['%s %s' % (n, r[1] or expected_status(r[2])) for n, r in zip(names, rows)]
            have = ['%s %s' % (g[0], g[1]) for g in got]
            d = list(difflib.unified_diff(exp, have, 'expected', 'docs.csv', n=0, lineterm=''))
            raise Mismatch('docs:count', 'docs.csv has %d rows, the inputs %d documents:\n%s' % (
                len(got), len(rows), '\n'.join(d[:16])))
        for k, (g, n, r) in enumerate(zip(got, names, rows)):
            status = r[1] or expected_status(r[2])
            if g[0] != n or g[1] != status:
                raise Mismatch('docs:row', 'docs.csv row %d is %r %s, expected %r %s (%r)' % (
                    k + 1, g[0], g[1], n, status, (r[2] or b'')[:80]))
            if r[2] is not None and status in ('ok', 'repaired') and int(g[2]) != len(r[2]) and \
                    b'\xff' not in r[2] and b'\x80' not in r[2] and b'\xe4\xb8' not in r[2]:
                raise Mismatch('docs:bytes', 'docs.csv row %d (%s): %s bytes, the text has %d' % (
                    k + 1, n, g[2], len(r[2])))

    def brute(self, rows):
        params = self.sc['params']

        def opt(name, default):
            return type(default)(params[params.index(name) + 1]) if name in params else default
        n = opt('-n', 5)
        t = opt('-t', 0.8)
        oph = '--sketch' in params
        summ = json.load(open(os.path.join(self.w, 'j1', 'summary.json'), encoding='utf-8'))
        bands, rws = summ['parameters']['bands'], summ['parameters']['rows']
        docs = self.csv('j1', 'docs.csv')
        names = [g[0] for g in docs]
        exact, sets = {}, {}
        for k, (g, r) in enumerate(zip(docs, rows)):
            if r[2] is None or g[1] not in ('ok', 'repaired'):
                continue
            s = r[2].decode('utf-8', 'replace')
            cps = normalize_exact(s)
            if cps is not None:
                exact[k] = True
                if int(g[3]) != len(cps) or int(g[4]) != max(1, len(cps) - n + 1):
                    raise Mismatch('brute:counts', 'docs.csv row %d (%s): %s chars, %s shingles; '
                                   'brute force %d chars, %d shingles' % (
                                       k + 1, g[0], g[3], g[4], len(cps), max(1, len(cps) - n + 1)))
            else:
                cps = normalize_rough(s)
            sets[k] = shingles(cps, n)
        # every pair sharing a shingle, by an inverted index
        post = {}
        for k, s in sets.items():
            for x in s:
                post.setdefault(x, []).append(k)
        inter = {}
        for ks in post.values():
            if len(ks) > 1:
                for a in range(len(ks)):
                    for b in range(a + 1, len(ks)):
                        inter[ks[a], ks[b]] = inter.get((ks[a], ks[b]), 0) + 1
        jac = {}
        for (a, b), i in inter.items():
            jac[a, b] = i / (len(sets[a]) + len(sets[b]) - i)
        # a bucket (of one band) of a document's holds its neighbours: with
        # few near ones and a small tail it cannot pass 16 (no star)
        near, tail = {}, {}
        for (a, b), j in jac.items():
            p = j ** rws
            for x in (a, b):
                if p >= 1e-3:
                    near[x] = near.get(x, 0) + 1
                else:
                    tail[x] = tail.get(x, 0) + p

        def roomy(x):
            return near.get(x, 0) <= 10 and tail.get(x, 0) <= 0.5
        at = {nm: k for k, nm in enumerate(names)}
        pairs = self.csv('j1', 'pairs.csv')
        seen = set()
        STATS['pairs'] += len(pairs)
        for row in pairs:
            a, b = at[row[0]], at[row[1]]
            if not row[0].encode() < row[1].encode():
                raise Mismatch('brute:order', 'pairs.csv: %s before %s' % (row[0], row[1]))
            if float(row[2]) < t - 1e-6:
                raise Mismatch('brute:below', 'pairs.csv: %s %s at %s, below %s' % (row[0], row[1], row[2], t))
            seen.add((min(a, b), max(a, b)))
            if a in exact and b in exact:
                STATS['pairs checked exactly'] += 1
                i = inter.get((min(a, b), max(a, b)), 0)
                j = i / (len(sets[a]) + len(sets[b]) - i)
                want = (j, i / len(sets[a]), i / len(sets[b]))
                got = tuple(float(x) for x in (row[2], row[4], row[5]))
                if any(abs(x - y) > 1.01e-6 for x, y in zip(want, got)) or j < t:
                    raise Mismatch('brute:value', 'pairs.csv: %s %s has jaccard, a_in_b, b_in_a %s; '
                                   'brute force %.6f %.6f %.6f (threshold %s)' % (
                                       row[0], row[1], ','.join(row[2:6]), want[0], want[1],
                                       want[2], t))
        for (a, b), j in sorted(jac.items()):
            if a not in exact or b not in exact or j < t + 0.1:
                continue
            p = (max(0.0, j - 0.03) if oph else j) ** rws
            miss = (1 - p) ** bands
            if miss > 1e-9 or not (roomy(a) or roomy(b)):
                continue
            if (a, b) not in seen:
                raise Mismatch('brute:missing', 'pairs.csv lacks %s %s at Jaccard %.6f (threshold %s, '
                               '%d x %d bands: missed with probability %.2g)' % (
                                   names[a], names[b], j, t, bands, rws, miss))
            STATS['pairs required by brute force'] += 1
        # clusters.csv: the connected components of pairs.csv
        parent = {}

        def find(x):
            while parent.get(x, x) != x:
                x = parent[x]
            return x
        for row in pairs:
            ra, rb = find(row[0]), find(row[1])
            if ra != rb:
                parent[max(ra, rb, key=str.encode)] = min(ra, rb, key=str.encode)
        comp = {}
        for x in {r[0] for r in pairs} | {r[1] for r in pairs}:
            comp.setdefault(find(x), []).append(x)
        want = set()
        for c in comp.values():
            name = min(c, key=str.encode)
            want |= {(name, x, str(len(c))) for x in c}
        got = {tuple(r) for r in self.csv('j1', 'clusters.csv')}
        if got != want:
            raise Mismatch('brute:clusters', 'clusters.csv is not the components of pairs.csv: '
                           'extra %s, missing %s' % (sorted(got - want)[:5], sorted(want - got)[:5]))
        of = {x[1]: x[0] for x in want}
        for g in docs:
            if g[8] != of.get(g[0], ''):
                raise Mismatch('brute:docs-cluster', 'docs.csv: %s in cluster %r, clusters.csv %r' % (
                    g[0], g[8], of.get(g[0], '')))
        for f, k in (('spans.csv', 'spans'), ('reuse.csv', 'reuse'), ('boilerplate.csv', 'boilerplate rows')):
            r = self.csv('j1', f)
            STATS[k] += len(r) if r else 0

    def repro(self):
        lines = ['#!/bin/bash', "# from the scenario's directory; FANWEN=path/to/fanwen",
                 'FANWEN=${FANWEN:-%s}' % q(self.fanwen), 'rm -rf j1 j2 j3 m0 m1 staged W']
        for c in self.log:
            lines.append('"$FANWEN" ' + ' '.join(q(a) for a in c[1:]))
        return '\n'.join(lines) + '\n'


def gen_docs(gen, seed, tmp, rng):
    if rng.random() > 0.35:
        return []
    path = os.path.join(tmp, 'gen.jsonl')
    p = subprocess.run([gen, path, str(rng.choice((0.03, 0.1, 0.3))), str(seed % 100000 + 1)],
                       capture_output=True)
    if p.returncode:
        sys.exit('gen_corpus failed: %s' % p.stderr.decode(errors='replace'))
    with open(path, encoding='utf-8') as f:
        return [json.loads(l)['text'] for l in f if l.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('fanwen')
    ap.add_argument('gen_corpus')
    ap.add_argument('--seed', type=int, default=1, help='the first seed (default 1)')
    ap.add_argument('--scenarios', type=int, default=100000, help='at most this many scenarios')
    ap.add_argument('--budget', type=float, default=40,
                    help='start no scenario after this many seconds (default 40)')
    ap.add_argument('--keep', default=None, help='where failing scenarios are kept')
    ap.add_argument('--no-staged', action='store_true', help='no staged scans')
    ap.add_argument('--keep-going', action='store_true', help='run on after a failure')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    fanwen = os.path.abspath(a.fanwen)
    gen = os.path.abspath(a.gen_corpus)
    keep = a.keep or tempfile.gettempdir()
    os.makedirs(keep, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='fw-scan-random-')
    start, failed, done = time.time(), [], 0
    try:
        for seed in range(a.seed, a.seed + a.scenarios):
            if time.time() - start > a.budget:
                break
            gd = gen_docs(gen, seed, tmp, random.Random(seed ^ 0x5eed))
            sc = make_scenario(seed, gd)
            w = os.path.join(tmp, 'seed-%d' % seed)
            os.makedirs(w)
            if a.verbose:
                print('seed %d: %d documents, %d inputs, %s' % (
                    seed, len(sc['docs']), len(sc['layout']), ' '.join(sc['params'])), flush=True)
            r = Runner(fanwen, sc, w, a.verbose, not a.no_staged)
            t0 = time.time()
            try:
                r.go()
                m = None
            except Mismatch as e:
                m = e
            done += 1
            if a.verbose:
                print('  %.1f s' % (time.time() - t0), flush=True)
            if m:
                failed.append(seed)
                kw = tempfile.mkdtemp(prefix='fw-scan-random-seed-%d-' % seed, dir=keep)
                shutil.rmtree(kw)
                shutil.copytree(w, kw, symlinks=True)
                with open(os.path.join(kw, 'repro.sh'), 'w') as f:
                    f.write(r.repro())
                print('FAIL: seed %d: %s' % (seed, m.kind))
                print('  %d documents in %d inputs (%s); parameters: %s' % (
                    len(sc['docs']), len(sc['layout']), ' '.join(p['kind'] for p in sc['layout']),
                    ' '.join(sc['params'])))
                print('  ' + m.detail.replace('\n', '\n  '))
                print('  kept in %s (repro.sh: the fanwen commands run, from there)' % kw)
                print('  reproduce: python3 %s %s %s --seed %d --scenarios 1 -v' % (
                    q(os.path.abspath(__file__)), q(fanwen), q(gen), seed))
                sys.stdout.flush()
                if not a.keep_going:
                    break
            shutil.rmtree(w, ignore_errors=True)
        print('checked: ' + ', '.join('%s %d' % kv for kv in STATS.items()))
        print('test_scan_random: %d scenarios (seeds %d..%d), %d failed%s, %.1f s' % (
            done, a.seed, a.seed + done - 1, len(failed),
            ' (%s)' % ' '.join(map(str, failed)) if failed else '', time.time() - start))
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""test_index_random.py — the persistent index against scans, on random
scenarios (a differential test; test_index.sh has the fixed ones).

    test_index_random.py FANWEN GEN_CORPUS [--seeds N] [--seed S]
                         [--budget SECONDS] [--keep DIR] [-v]
    test_index_random.py FANWEN GEN_CORPUS --replay SCENARIO.json [--shrink]

For each seed S, S+1, ... (N of them, or until BUDGET seconds have gone; a
scenario is never cut short): a small random corpus and a random sequence
of index operations, then after each query the invariant of
test_index.sh's head: the query's pairs.csv, clusters.csv and docs.csv (and
with the passage level reuse.csv and spans.csv) are, byte for byte, the
rows of `fanwen scan` of what the index holds and the batch (in that
order; with the index's passage model) that involve the batch's documents
(tests/index/restrict.py's rule, applied here in process: the batch's texts
may hold bytes that are not UTF-8, which restrict.py does not read).

The corpus (a pool drawn from per seed): bench's generated work reports
(GEN_CORPUS, cut to random lengths, sometimes whole: shared phrases, one in
ten a near copy), texts of our own (Chinese from a phrase bank, so that
documents share n-grams; English words in mixed case), and planted: exact
copies, near copies (characters changed, a sentence dropped or added),
copies equal only after normalization (case, width, spaces, punctuation)
or in template mode (digits, a --canon table's variants), reports made of
two texts' halves, families of 10-40 copies of one text (buckets past
FW_LSH_FULL_BUCKET = 16, the star's centre in the index or in the batch as
the ids fall; some with one id for all: f, f#2 ... f#10), chains (windows of
one text, each like its neighbours only, so that which pairs a full
bucket's star gives changes the clusters), a footer many documents share
and a sentence repeated in one document (passage buckets past 16), ids
repeated within and across batches, empty documents (no text, spaces,
punctuation), texts shorter than an n-gram, bytes that are not UTF-8, NUL
(binary), marks (BOM, zero width), long texts (several text frames), and
sometimes hundreds of short texts (segments of several 4 KB band blocks).

The parameters (per scenario): documents only or the passage level
(--min-passage, --max-passage, --passage-threshold, --reuse-min,
--boilerplate-docs so that the build's model holds boilerplate), the
threshold, explicit -k/-b/-r (one band of one row puts most documents in
one bucket), -n, --seed, --sketch oph, --template, --canon.

The operations: index build, then index add, query, query --add, index
remove (--ids: at random, the smallest ids (stars' centres), part of a
family, or all; the later renamings of an id with it or not -- refused
then, the index unchanged -- and an id it does not hold), index compact,
and sometimes a query --no-passages of a passage index (compared with a
documents-only scan). Each query runs at -j 1 and at -j 2, 3 or 4 (the
--add one after the one without): the same bytes. summary.json counts the
query's rows. After each writer `index info` counts the documents the
model says the index holds; at the end `index info --check` passes.

A mismatch prints the seed, the operations, a short diff, and keeps the
scenario's directory (under --keep, default the system's temporary
directory): scenario.json there replays it (--replay), and --shrink makes
it smaller (fewer operations, documents, characters, parameters) while it
still fails the same way, keeping the result with its repro.sh (the
fanwen commands, run from that directory).

Exit status: 0 all hold, 1 a mismatch (or fanwen failed), 2 usage.
Python standard library only.
"""
import argparse
import copy
import difflib
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'index'))
from restrict import restrict as restrict_rows  # noqa: E402

from id_names_model import scan_names  # noqa: E402 (tests/, the script's folder)

REPORTS = ('pairs.csv', 'clusters.csv', 'docs.csv', 'reuse.csv', 'spans.csv')
STATS = dict.fromkeys(('queries', 'pairs', 'pairs with indexed', 'clustered', 'spans', 'reuse',
                       'renamed', 'withdrawn stage ran', 'screened out'), 0)


class Mismatch(Exception):
    """The invariant fails (kind: a short key that shrinking keeps)."""

    def __init__(self, kind, detail):
        super().__init__(kind)
        self.kind, self.detail = kind, detail


# ------------------------------------------------------------------ texts

PUNCT = '，。；：、！？'


def cjk_chars(rng, n):
    return ''.join(chr(rng.randint(0x4e00, 0x9fa5)) for _ in range(n))


class Texts:
    """Random texts of one scenario."""

    def __init__(self, rng, gen_docs):
        self.rng = rng
        self.gen = gen_docs
        self.phrases = [cjk_chars(rng, rng.randint(3, 8)) for _ in range(rng.randint(40, 200))]
        self.words = [''.join(chr(rng.randint(97, 122)) for _ in range(rng.randint(2, 9)))
                      for _ in range(rng.randint(50, 300))]

    def zh(self, nsent):
        r = self.rng
        out = []
        for i in range(nsent):
            s = ''.join(r.choice(self.phrases) if r.random() < 0.7 else cjk_chars(r, r.randint(2, 6))
                        for _ in range(r.randint(2, 5)))
            if r.random() < 0.1:
                s += str(r.randint(1990, 2030)) + '年'
            out.append(s + r.choice(PUNCT))
            if r.random() < 0.2:
                out.append('\n')
        return ''.join(out)

    def en(self, nsent):
        r = self.rng
        out = []
        for _ in range(nsent):
            ws = [r.choice(self.words) for _ in range(r.randint(4, 14))]
            if r.random() < 0.5:
                ws[0] = ws[0].capitalize()
            out.append(' '.join(ws) + r.choice('.;,!?') + (' ' if r.random() < 0.8 else '\n'))
        return ''.join(out)

    def original(self):
        r = self.rng
        k = r.random()
        if k < 0.35 and self.gen:
            t = r.choice(self.gen)
            a = r.randint(0, max(0, len(t) - 50))
            return t[a:a + r.choice((60, 150, 400, 1000, 3000))]
        if k < 0.8:
            return self.zh(r.choice((2, 4, 8, 15, 30)))
        return self.en(r.choice((2, 5, 10, 25)))

    def near(self, t, edits=None):
        """t with a few edits: characters changed, a sentence dropped or
        added, a word swapped in."""
        r = self.rng
        if not t:
            return t
        edits = edits if edits is not None else r.choice((1, 1, 2, 3, 5, 8, 15))
        t = list(t)
        for _ in range(edits):
            k = r.random()
            i = r.randrange(len(t)) if t else 0
            if k < 0.6 and t:
                t[i] = chr(r.randint(0x4e00, 0x9fa5)) if t[i] >= '\u4e00' else chr(r.randint(97, 122))
            elif k < 0.75 and t:
                del t[i]
            elif k < 0.9:
                t[i:i] = list(r.choice(self.phrases))
            else:
                s = ''.join(t)
                cut = [m.end() for m in re.finditer('[' + PUNCT + '.;!?]', s)]
                if len(cut) > 2:
                    a = r.randrange(len(cut) - 1)
                    s = s[:cut[a]] + s[cut[a + 1]:]
                t = list(s)
        return ''.join(t)

    def same_normalized(self, t):
        """Equal after normalization: case, full width, spaces, punctuation."""
        r = self.rng
        out = []
        for c in t:
            k = r.random()
            if 'a' <= c <= 'z' and k < 0.3:
                c = c.upper()
            elif ('0' <= c <= '9' or 'a' <= c <= 'z') and k < 0.5:
                c = chr(ord(c) + 0xfee0)  # full width: NFKC makes it ASCII
            elif c in PUNCT and k < 0.3:
                c = r.choice(PUNCT)
            out.append(c)
            if r.random() < 0.05:
                out.append(r.choice((' ', '\u3000', '  ', '\n')))
        return ''.join(out)

    def years(self, t):
        """Every run of digits changed (equal in template mode)."""
        return re.sub('[0-9]+', lambda m: str(self.rng.randint(1, 99999)), t)


def make_pool(rng, gen_docs, canon=None):
    """[(id, text)]: originals and planted copies, shuffled (a copy may come
    before its original). `canon`: a list to fill with (variant, canonical)
    pairs of words the texts use, for a --canon table."""
    tx = Texts(rng, gen_docs)
    if canon is not None:
        for ph in rng.sample(tx.phrases, min(len(tx.phrases), 12)):
            canon.append((cjk_chars(rng, 2), ph[:2]))
    n_orig = rng.choice((5, 10, 20, 40))
    ids = []

    def new_id(prefix):
        r = rng.random()
        if ids and r < 0.06:  # an id used before
            return rng.choice(ids)
        if ids and r < 0.09:  # one that looks like a renaming of one (x#2)
            i = '%s#%d' % (rng.choice(ids), rng.randint(2, 4))
            ids.append(i)
            return i
        i = prefix + ''.join(rng.choice('abcdefghjkmnpqrstuvwxyz0123456789') for _ in range(rng.randint(1, 5)))
        ids.append(i)
        return i

    if rng.random() < 0.08:
        # many short texts: segments of several 4 KB blocks a band (256
        # records), buckets that straddle blocks, cursors that gallop
        orig = [tx.zh(rng.randint(1, 4)) for _ in range(rng.randint(150, 400))]
    else:
        orig = [tx.original() for _ in range(n_orig)]
    if gen_docs and rng.random() < 0.06:  # many passages: the generator's reports whole
        orig += rng.sample(gen_docs, min(len(gen_docs), rng.randint(20, 60)))
    pool = [(new_id('o'), t) for t in orig]
    for _ in range(rng.randint(n_orig // 2, 2 * n_orig)):
        src = rng.choice(orig)
        k = rng.random()
        if k < 0.2:
            t = src
        elif k < 0.6:
            t = tx.near(src)
        elif k < 0.7:
            t = tx.same_normalized(src)
        elif k < 0.75:
            t = tx.years(src)
            for v, c in (canon or [])[:rng.randint(0, 12)]:  # variants swapped in
                t = t.replace(c, v)
        elif k < 0.9:
            a, b = rng.choice(orig), rng.choice(orig)
            t = a[:len(a) // 2] + tx.zh(rng.randint(1, 4)) + b[len(b) // 2:]
        else:
            t = src[:rng.randint(0, len(src))]
        pool.append((new_id(rng.choice('cnr')), t))
    for _ in range(rng.choice((0, 1, 1, 2))):  # families past a full bucket
        k = rng.random()
        if k < 0.15:  # tiny texts: one shingle each, shared
            base = rng.choice(('短文', 'abc', '一二三四', '同'))
        elif k < 0.85:
            base = tx.zh(rng.randint(3, 12))
        else:
            base = tx.en(rng.randint(3, 10))
        size = rng.randint(10, 40)
        exact = rng.random()
        spread = rng.choice((3, 3, 10, 40))  # edits: some members far from the base
        fam = ''.join(rng.choice('abcdefgh') for _ in range(2))
        one_id = rng.random() < 0.15  # one id for all: f, f#2, ... f#10 (before f#2)
        for _ in range(size):
            t = base if rng.random() < exact else tx.near(base, rng.randint(1, spread))
            pool.append(('f' + fam if one_id else new_id('f' + fam), t))
    for _ in range(rng.choice((0, 0, 1, 2))):
        # a chain: windows of one long text, each like its neighbours and
        # less like those further off, so that which pairs a bucket past
        # FW_LSH_FULL_BUCKET gives (the star around its smallest id)
        # changes the clusters
        size = rng.randint(12, 40)
        length = rng.choice((30, 60, 120, 300))
        step = max(1, int(length * rng.choice((0.05, 0.1, 0.2, 0.3))))
        seq = cjk_chars(rng, length + step * size)
        fam = 'ch' + rng.choice('abcdefgh')
        for k in range(size):
            pool.append((new_id(fam), seq[k * step:k * step + length]))
    if rng.random() < 0.3:  # a passage many documents share (a footer)
        foot = tx.zh(rng.randint(2, 5))
        for i in rng.sample(range(len(pool)), min(len(pool), rng.randint(5, 40))):
            pool[i] = (pool[i][0], pool[i][1] + '\n' + foot)
    for _ in range(rng.choice((0, 0, 1, 2))):  # one passage many times in a document
        sent = tx.zh(rng.randint(2, 4))
        pool.append((new_id('s'), sent * rng.randint(3, 30)))
    for _ in range(rng.choice((0, 1, 3))):  # empty and tiny
        pool.append((new_id('e'), rng.choice(('', ' ', '\n\n', '。，！', '短', '短文', 'ab', 'abcd', ' x '))))
    if rng.random() < 0.25:  # odd bytes: repaired, binary, marks; and their copies
        src = rng.choice(orig)
        for _ in range(rng.randint(1, 3)):
            i = rng.randint(0, len(src))
            t = src[:i] + rng.choice(('\udc80', '\udcff\udcfe', '\ud800', '\x00', '\ufeff', '\x01',
                                      '\r\n', '\u200b', '\ufffd')) + src[i:]
            pool.append((new_id('x'), t))
            if rng.random() < 0.5:
                pool.append((new_id('x'), t))
    if rng.random() < 0.15:  # a long text (several of the index's text frames)
        t = ''.join(rng.sample(orig, min(len(orig), 5))) * rng.randint(1, 4) + tx.zh(200)
        pool.append((new_id('l'), t))
        pool.append((new_id('l'), tx.near(t, 5)))
    rng.shuffle(pool)
    # a few ids made repeated at once (within the pool, so within a batch or
    # across batches as they fall)
    for _ in range(rng.choice((0, 1, 2, 4))):
        i, j = rng.randrange(len(pool)), rng.randrange(len(pool))
        pool[j] = (pool[i][0], pool[j][1])
    return pool


# ------------------------------------------------------------- names

def removal_refused(ids, gone):
    """index remove of the documents at `gone` (places in `ids`, the live
    documents in input order) is refused when a renamed document that stays
    was denied the name of one that goes: its id is that name, or that name
    is its id#i below its own number."""
    names = scan_names(ids)
    for k in gone:
        base, sep, num = names[k].rpartition('#')
        numbered = sep and num.isdigit() and num[0] != '0' and int(num) >= 2
        for m, name in enumerate(names):
            if m in gone or name == ids[m]:
                continue
            j = int(name.rpartition('#')[2])
            if ids[m] == names[k] or (numbered and ids[m] == base and j > int(num)):
                return True
    return False


# ------------------------------------------------------------- scenarios

def make_params(rng):
    """Build arguments (a list) and whether the index has the passage level."""
    p = []
    passages = rng.random() < 0.6
    if not passages:
        p.append('--no-passages')
    t = rng.choice((None, None, 0.5, 0.7, 0.9, 0.3, 1.0))
    if t is not None:
        p += ['-t', str(t)]
    k = rng.random()
    if k < 0.2:
        p += ['-k', '1', '-b', '1', '-r', '1']
    elif k < 0.3:
        r = rng.choice((1, 2))
        b = rng.choice((2, 4, 8))
        p += ['-k', str(b * r + rng.choice((0, 3))), '-b', str(b), '-r', str(r)]
    elif k < 0.4:
        p += ['-k', str(rng.choice((16, 32, 64)))]
    if rng.random() < 0.2:
        p += ['-n', str(rng.choice((2, 3, 7)))]
    if rng.random() < 0.2:
        p += ['-s', str(rng.randint(1, 1000))]
    if rng.random() < 0.15:
        p += ['--sketch', 'oph']
    if rng.random() < 0.15:
        p.append('--template')
    if passages:
        if rng.random() < 0.4:
            p += ['--min-passage', str(rng.choice((10, 20, 30)))]
        if rng.random() < 0.4:
            p += ['--boilerplate-docs', str(rng.choice((2, 3, 5)))]
        if rng.random() < 0.2:
            p += ['--max-passage', str(rng.choice((0, 60, 100)))]
        if rng.random() < 0.2:
            p += ['--passage-threshold', str(rng.choice((0.4, 0.8)))]
        if rng.random() < 0.2:
            p += ['--reuse-min', str(rng.choice((0.1, 0.5)))]
    return p, passages


def make_scenario(seed, gen_docs):
    rng = random.Random(seed)
    canon = [] if rng.random() < 0.1 else None
    pool = make_pool(rng, gen_docs, canon)
    params, passages = make_params(rng)
    if canon:
        params += ['--canon', 'canon.tsv']
    ops = []
    unused = list(range(len(pool)))
    added = []

    def take(lo, hi):
        n = min(len(unused), rng.randint(lo, hi))
        got = unused[:n]
        del unused[:n]
        return got

    def batch():
        """Docs for a query: unused ones, sometimes with indexed ones again
        (their ids then renamed, their texts copies)."""
        b = unused[:rng.randint(1, 30)]
        if added and rng.random() < 0.3:
            b = b + rng.sample(added, min(len(added), rng.randint(1, 4)))
        rng.shuffle(b)
        return b

    first = take(3, max(3, len(pool) // 2)) if len(pool) < 250 else take(250, len(pool))
    ops.append({'op': 'build', 'docs': first, 'j': rng.choice((1, 2))})
    added += first
    nqueries = 0
    for _ in range(rng.randint(3, 9)):
        k = rng.random()
        if k < 0.18 and unused:
            b = take(1, 40)
            ops.append({'op': 'add', 'docs': b, 'j': rng.choice((1, 2, 3))})
            added += b
        elif k < 0.5 and unused:
            ops.append({'op': 'query', 'docs': batch(), 'add': False,
                        'docs_only': passages and rng.random() < 0.1, 'j': rng.choice((2, 2, 3, 4))})
            nqueries += 1
        elif k < 0.68 and unused:
            b = batch()
            ops.append({'op': 'query', 'docs': b, 'add': True, 'docs_only': False,
                        'j': rng.choice((2, 2, 3, 4))})
            unused[:] = [d for d in unused if d not in b]
            added += b
            nqueries += 1
        elif k < 0.85 and added:
            how = rng.random()
            if how < 0.45:  # at random
                gone = rng.sample(added, min(len(added), rng.choice((1, 2, 3, 8, 20))))
            elif how < 0.6:  # the smallest ids (stars' centres)
                gone = sorted(added, key=lambda i: pool[i][0].encode())[:rng.choice((1, 2, 5))]
            elif how < 0.8:  # a family's smallest ids (its buckets' centres)
                f = pool[rng.choice(added)][0][:3]
                fam = sorted((i for i in added if pool[i][0].startswith(f)),
                             key=lambda i: pool[i][0].encode())
                gone = fam[:rng.choice((1, 1, 2, 3))]
            elif how < 0.95:  # a family's (a bucket shrinks under a full one)
                f = pool[rng.choice(added)][0][:2]
                fam = [i for i in added if pool[i][0].startswith(f)]
                gone = rng.sample(fam, rng.randint(1, len(fam)))
            else:  # all of them
                gone = list(added)
            ops.append({'op': 'remove', 'docs': gone, 'closed': rng.random() < 0.85,
                        'ghost': rng.random() < 0.2})
        else:
            ops.append({'op': 'compact'})
    if nqueries == 0 or ops[-1]['op'] != 'query':
        b = unused[:rng.randint(1, 30)] or rng.sample(range(len(pool)), min(5, len(pool)))
        ops.append({'op': 'query', 'docs': b, 'add': False, 'docs_only': False, 'j': 2})
    return {'seed': seed, 'params': params, 'passages': passages, 'canon': canon,
            'pool': [{'id': i, 'text': t} for i, t in pool], 'ops': ops}


# -------------------------------------------------------------- restrict

def restrict(scan, out, batch_ids):
    """tests/index/restrict.py's rows (the scan's rows that involve the
    batch's documents, bytes untouched, into `out`), with the batch's ids
    given: its texts may hold bytes that are not UTF-8, which restrict.py's
    own reading of a batch does not take. An error message, or None."""
    return restrict_rows(scan, out, [i.encode('utf-8') for i in batch_ids])


# ----------------------------------------------------------------- model

def names_of(entries, pool):
    """The names a scan gives the live entries (pool indices, in input
    order)."""
    return scan_names([pool[e]['id'] for e in entries])


def write_jsonl(path, docs):
    """One JSON line a document. A text's \\udc80-\\udcff are written as the
    raw bytes 0x80-0xff (invalid UTF-8, which fanwen repairs), other lone
    surrogates as JSON escapes."""
    with open(path, 'wb') as f:
        for d in docs:
            line = json.dumps({'id': d['id'], 'text': d['text']}, ensure_ascii=False)
            line = re.sub('[\ud800-\udbff\udc00-\udc7f]',
                          lambda m: '\\u%04x' % ord(m.group()), line)
            f.write(line.encode('utf-8', 'surrogateescape') + b'\n')


# ---------------------------------------------------------------- runner

class Runner:
    def __init__(self, fanwen, sc, work, verbose=False):
        self.fanwen, self.sc, self.w, self.verbose = fanwen, sc, work, verbose
        self.log = []  # the commands, for repro.sh
        self.n = 0

    def run(self, args, expect=(0,), what=''):
        cmd = [self.fanwen] + args
        self.log.append(cmd)
        p = subprocess.run(cmd, cwd=self.w, capture_output=True, text=True)
        if p.returncode not in expect:
            raise Mismatch('exit:%s:%s' % (args[0] if args[0] != 'index' else 'index ' + args[1],
                                            p.returncode),
                           '%s: `%s` exited %d (expected %s): %s' %
                           (what, ' '.join(args), p.returncode, expect, p.stderr.strip()[-2000:]))
        return p

    def file(self, docs):
        self.n += 1
        name = 'b%02d.jsonl' % self.n
        write_jsonl(os.path.join(self.w, name), docs)
        return name

    def model_file(self):
        m = glob.glob(os.path.join(self.w, 'ix', 'model-*'))
        m = [x for x in m if '.tmp' not in x]
        if len(m) != 1:
            raise Mismatch('model', 'the index has %d passage models: %s' % (len(m), m))
        return os.path.relpath(m[0], self.w)

    def scan_params(self, docs_only):
        """The build's parameters as scan options (boilerplate ones shaped
        the model only)."""
        out, p, i = [], self.sc['params'], 0
        while i < len(p):
            if p[i] in ('--boilerplate-docs', '--boilerplate-share'):
                i += 2
                continue
            if p[i] == '--no-passages':
                i += 1
                continue
            if docs_only and p[i] in ('--min-passage', '--max-passage', '--passage-threshold',
                                      '--reuse-min'):
                i += 2
                continue
            out.append(p[i])
            i += 1
        if docs_only:
            return ['--no-passages'] + out
        return ['--passage-model', self.model_file()] + out

    def check_info(self, live, what):
        p = self.run(['index', 'info', 'ix'], what=what)
        m = re.search(r'generation \d+, (\d+) documents', p.stdout)
        if not m or int(m.group(1)) != len(live):
            raise Mismatch('info-count', '%s: index info says %r, the model %d documents'
                           % (what, p.stdout.splitlines()[:1], len(live)))

    def compare(self, qdir, sdir, batch_file, batch_ids, what, docs_only):
        rdir = os.path.join(self.w, 'restricted')
        shutil.rmtree(rdir, ignore_errors=True)
        self.log.append(['#', 'the rows of %s that involve %s (tests/index/restrict.py %s restricted %s)'
                         ' are %s\'s' % (sdir, batch_file, sdir, batch_file, qdir)])
        why = restrict(os.path.join(self.w, sdir), rdir, batch_ids)
        if why:
            raise Mismatch('restrict', '%s: restrict: %s' % (what, why))
        for f in REPORTS:
            a, b = os.path.join(rdir, f), os.path.join(self.w, qdir, f)
            if docs_only and f in ('reuse.csv', 'spans.csv'):
                if os.path.exists(b):
                    raise Mismatch('docs-only-wrote-' + f, '%s: the query wrote %s' % (what, f))
                continue
            if not os.path.exists(a) and not os.path.exists(b):
                continue
            if os.path.exists(a) != os.path.exists(b):
                raise Mismatch('missing:' + f, '%s: %s only in %s' % (
                    what, f, 'the scan' if os.path.exists(a) else 'the query'))
            x, y = open(a, 'rb').read(), open(b, 'rb').read()
            if x != y:
                d = difflib.unified_diff(x.decode('utf-8', 'replace').splitlines(),
                                         y.decode('utf-8', 'replace').splitlines(),
                                         'scan-restricted/' + f, qdir + '/' + f, n=0, lineterm='')
                d = list(d)
                raise Mismatch('differs:' + f, '%s: %s differs from the scan\'s rows:\n%s%s' % (
                    what, f, '\n'.join(d[:14]), '\n...' if len(d) > 14 else ''))
        self.check_summary(qdir, what)

    def check_summary(self, qdir, what):
        """summary.json counts the query's reports (test_index.sh's check)."""
        import csv
        d = os.path.join(self.w, qdir)
        j = json.load(open(os.path.join(d, 'summary.json')))

        def rows(n):
            with open(os.path.join(d, n), encoding='utf-8', newline='') as f:
                return list(csv.reader(f))[1:]
        docs, pairs = rows('docs.csv'), rows('pairs.csv')
        batch = {r[0] for r in docs}
        bad = []
        if j['batch']['documents']['total'] != len(docs):
            bad.append('documents')
        if j['results']['pairs'] != len(pairs):
            bad.append('pairs')
        if j['results']['pairs_with_indexed'] != sum(1 for r in pairs if r[0] not in batch or r[1] not in batch):
            bad.append('pairs_with_indexed')
        if j['results']['clustered_documents'] != sum(1 for r in docs if r[8]):
            bad.append('clustered_documents')
        if os.path.exists(os.path.join(d, 'spans.csv')):
            if j['results']['spans'] != len(rows('spans.csv')):
                bad.append('spans')
            if j['results']['reuse_pairs'] != len(rows('reuse.csv')):
                bad.append('reuse_pairs')
        if bad:
            raise Mismatch('summary', '%s: summary.json miscounts %s' % (what, ', '.join(bad)))
        res = j['results']
        STATS['queries'] += 1
        STATS['pairs'] += res['pairs']
        STATS['pairs with indexed'] += res['pairs_with_indexed']
        STATS['clustered'] += res['clustered_documents']
        STATS['spans'] += res.get('spans', 0)
        STATS['reuse'] += res.get('reuse_pairs', 0)
        STATS['renamed'] += sum(1 for r in docs if 'renamed' in r[9])
        STATS['withdrawn stage ran'] += j['stages']['withdrawn']['seconds'] > 0
        STATS['screened out'] += j['work'].get('passage_pairs_screened_out', 0)

    def same_bytes(self, q1, q2, what):
        for f in REPORTS:
            a, b = os.path.join(self.w, q1, f), os.path.join(self.w, q2, f)
            if os.path.exists(a) != os.path.exists(b):
                raise Mismatch('threads:' + f, '%s: %s in one of %s, %s only' % (what, f, q1, q2))
            if os.path.exists(a) and open(a, 'rb').read() != open(b, 'rb').read():
                d = list(difflib.unified_diff(open(a, encoding='utf-8', errors='replace').read().splitlines(),
                                              open(b, encoding='utf-8', errors='replace').read().splitlines(),
                                              q1 + '/' + f, q2 + '/' + f, n=0, lineterm=''))
                raise Mismatch('threads:' + f, '%s: %s differs between %s and %s:\n%s' % (
                    what, f, q1, q2, '\n'.join(d[:14])))

    def scenario(self):
        sc, pool = self.sc, self.sc['pool']
        if sc.get('canon'):
            with open(os.path.join(self.w, 'canon.tsv'), 'w', encoding='utf-8') as f:
                f.write('# variant\tcanonical\n')
                f.write(''.join('%s\t%s\n' % vc for vc in sc['canon']))
        live = []  # pool indices, in index (input) order
        for step, op in enumerate(sc['ops']):
            what = 'op %d (%s)' % (step, describe(op, pool))
            if self.verbose:
                print('  ' + what, flush=True)
            kind = op['op']
            if kind == 'build':
                f = self.file([pool[i] for i in op['docs']])
                self.run(['index', 'build', '-q', '-j', str(op['j']), 'ix'] + sc['params'] + [f],
                         what=what)
                live = list(op['docs'])
                self.check_info(live, what)
            elif kind == 'add':
                if not op['docs']:
                    continue
                f = self.file([pool[i] for i in op['docs']])
                self.run(['index', 'add', '-q', '-j', str(op['j']), 'ix', f], what=what)
                live += op['docs']
                self.check_info(live, what)
            elif kind == 'compact':
                self.run(['index', 'compact', '-q', 'ix'], what=what)
                self.check_info(live, what)
            elif kind == 'remove':
                names = names_of(live, pool)
                # the latest live entry of each pool index asked for
                pos = []
                for d in op['docs']:
                    at = [k for k, e in enumerate(live) if e == d]
                    if at and at[-1] not in pos:
                        pos.append(at[-1])
                if op['closed']:  # the later renamings with them
                    for k in list(pos):
                        i = pool[live[k]]['id']
                        pos += [m for m in range(k + 1, len(live))
                                if pool[live[m]]['id'] == i and m not in pos]
                gone = [names[k] for k in pos]
                if op['ghost']:
                    gone.append('not-in-the-index')
                if not gone:
                    continue
                # refused when a renaming that stays was denied a removed
                # document's name (id_names.c, index.c)
                refused = removal_refused([pool[e]['id'] for e in live], set(pos))
                self.n += 1
                idf = 'gone%02d.txt' % self.n
                with open(os.path.join(self.w, idf), 'w', encoding='utf-8') as f:
                    f.write('\n'.join(gone) + '\n')
                p = self.run(['index', 'remove', '-q', 'ix', '--ids', idf],
                             expect=(1,) if refused else (0,), what=what)
                if refused:
                    if 'cannot remove' not in p.stderr:
                        raise Mismatch('remove-refusal', '%s: refused otherwise: %s' % (what, p.stderr))
                else:
                    keep = set(range(len(live))) - set(pos)
                    live = [e for k, e in enumerate(live) if k in keep]
                self.check_info(live, what)
            elif kind == 'query':
                if not op['docs']:
                    continue
                f = self.file([pool[i] for i in op['docs']])
                tag = 'q%02d' % self.n
                docs_only = op.get('docs_only', False) or not sc['passages']
                extra = ['--no-passages'] if op.get('docs_only') else []
                # -j 1 first (and without --add), then -j 2 (with --add if asked)
                self.run(['query', '-q', '-j', '1', '--index', 'ix', '-o', tag + 'j1'] + extra + [f],
                         expect=(0,), what=what + ' -j 1')
                self.run(['query', '-q', '-j', str(op.get('j', 2)), '--index', 'ix', '-o', tag] + extra +
                         (['--add'] if op['add'] else []) + [f], expect=(0,), what=what)
                self.same_bytes(tag + 'j1', tag, what + ' (-j 1 against -j %d' % op.get('j', 2) +
                                (', without --add against --add)' if op['add'] else ')'))
                idx = self.file([pool[i] for i in live])
                sdir = 's%02d' % self.n
                self.run(['scan', '-q', '-o', sdir] + self.scan_params(docs_only) +
                         ([idx] if live else []) + [f], what=what + ' (the scan)')
                self.compare(tag, sdir, f, [pool[i]['id'] for i in op['docs']], what, docs_only)
                if op['add']:
                    live += op['docs']
                    self.check_info(live, what)
        self.run(['index', 'info', '--check', 'ix'], what='info --check at the end')

    def repro(self):
        """repro.sh: the commands run, from the scenario's directory."""
        def q(a):
            return a if re.fullmatch(r'[A-Za-z0-9_./=+:-]+', a) else "'" + a.replace("'", "'\\''") + "'"
        lines = ['#!/bin/bash', '# from the scenario\'s directory; FANWEN=path/to/fanwen',
                 'set -e', 'FANWEN=${FANWEN:-%s}' % q(self.fanwen), 'rm -rf ix q* s* restricted']
        for c in self.log:
            if c[0] == self.fanwen:
                lines.append('"$FANWEN" ' + ' '.join(q(a) for a in c[1:]))
            else:
                lines.append(' '.join(c))
        return '\n'.join(lines) + '\n'


def describe(op, pool):
    k = op['op']
    if k in ('build', 'add'):
        return '%s %d docs' % (k, len(op['docs']))
    if k == 'query':
        return 'query%s%s %d docs' % (' --add' if op['add'] else '',
                                       ' --no-passages' if op.get('docs_only') else '',
                                       len(op['docs']))
    if k == 'remove':
        return 'remove %d docs%s%s' % (len(op['docs']), '' if op['closed'] else ' (maybe not closed)',
                                       ' + an unknown id' if op['ghost'] else '')
    return k


def gen_docs(gen, seed, tmp):
    """Bench's generated reports (a small file per seed)."""
    path = os.path.join(tmp, 'gen.jsonl')
    p = subprocess.run([gen, path, '0.6', str(seed % 100000 + 1)], capture_output=True)
    if p.returncode:
        sys.exit('gen_corpus failed: %s' % p.stderr.decode(errors='replace'))
    with open(path, encoding='utf-8') as f:
        return [json.loads(l)['text'] for l in f if l.strip()]


def run_one(fanwen, sc, work, verbose=False):
    """None, or the Mismatch."""
    os.makedirs(work, exist_ok=True)
    r = Runner(fanwen, sc, work, verbose)
    try:
        r.scenario()
        return None, r
    except Mismatch as m:
        return m, r


def keep_failure(sc, m, r, work):
    with open(os.path.join(work, 'scenario.json'), 'w', encoding='utf-8') as f:
        json.dump(sc, f, indent=1)
    with open(os.path.join(work, 'repro.sh'), 'w') as f:
        f.write(r.repro())


def report(sc, m, work):
    print('FAIL: seed %s: %s' % (sc['seed'], m.kind))
    print('  parameters: %s' % ' '.join(sc['params']))
    print('  operations:')
    for k, op in enumerate(sc['ops']):
        print('    %d. %s' % (k, describe(op, sc['pool'])))
    print('  ' + m.detail.replace('\n', '\n  '))
    print('  kept in %s (scenario.json, repro.sh)' % work)


# ---------------------------------------------------------------- shrink

def shrink(fanwen, sc, kind, tmp, deadline):
    """A smaller scenario that fails with the same kind of mismatch."""
    tries = [0]

    def fails(c):
        if time.time() > deadline:
            return False
        tries[0] += 1
        w = tempfile.mkdtemp(prefix='shrink-', dir=tmp)
        m, _ = run_one(fanwen, c, w)
        shutil.rmtree(w, ignore_errors=True)
        return m is not None and m.kind == kind

    def used(c):
        u = set()
        for op in c['ops']:
            u.update(op.get('docs', ()))
        return u

    def drop_docs(c, gone):
        """c without the pool documents `gone`, indices renumbered."""
        keep = [i for i in range(len(c['pool'])) if i not in gone]
        new = {o: n for n, o in enumerate(keep)}
        d = copy.deepcopy(c)
        d['pool'] = [c['pool'][i] for i in keep]
        for op in d['ops']:
            if 'docs' in op:
                op['docs'] = [new[i] for i in op['docs'] if i in new]
        return d

    cur = drop_docs(sc, set(range(len(sc['pool']))) - used(sc))
    changed = True
    while changed and time.time() < deadline:
        changed = False
        # operations (not the build)
        k = len(cur['ops']) - 1
        while k >= 1:
            c = copy.deepcopy(cur)
            del c['ops'][k]
            if c['ops'] and fails(c):
                cur, changed = c, True
            k -= 1
        # an add merged into the build or add before it
        k = len(cur['ops']) - 1
        while k >= 1:
            a, b = cur['ops'][k - 1], cur['ops'][k]
            if a['op'] in ('build', 'add') and b['op'] == 'add':
                c = copy.deepcopy(cur)
                c['ops'][k - 1]['docs'] = a['docs'] + b['docs']
                del c['ops'][k]
                if fails(c):
                    cur, changed = c, True
            k -= 1
        # operation flags
        for k, op in enumerate(cur['ops']):
            for flag, val in (('add', False), ('ghost', False), ('docs_only', False), ('j', 2)):
                if flag in op and op[flag] != val:
                    c = copy.deepcopy(cur)
                    c['ops'][k][flag] = val
                    if fails(c):
                        cur, changed = c, True
        # documents, in chunks then one by one
        docs = sorted(used(cur))
        chunk = max(1, len(docs) // 2)
        while chunk >= 1:
            i = 0
            docs = sorted(used(cur))
            while i < len(docs):
                part = set(docs[i:i + chunk])
                c = drop_docs(cur, part | (set(range(len(cur['pool']))) - used(cur)))
                if fails(c):
                    cur, changed = c, True
                    docs = sorted(used(cur))
                else:
                    i += chunk
            chunk //= 2
        # parameters
        p = cur['params']
        i = 0
        while i < len(p):
            n = 1 if p[i] in ('--no-passages', '--template') else 2
            if p[i] == '--no-passages':
                i += 1
                continue
            c = copy.deepcopy(cur)
            del c['params'][i:i + n]
            if fails(c):
                cur, changed, p = c, True, c['params']
            else:
                i += n
        # texts: shorter (halves, then sentences)
        for d in range(len(cur['pool'])):
            t = cur['pool'][d]['text']
            for cut in (len(t) // 2, len(t) // 4, len(t) // 8):
                if cut < 4:
                    break
                for t2 in (t[:len(t) - cut], t[cut:]):
                    c = copy.deepcopy(cur)
                    c['pool'][d]['text'] = t2
                    if fails(c):
                        cur, changed, t = c, True, t2
                        break
    return cur, tries[0]


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('fanwen')
    ap.add_argument('gen_corpus')
    ap.add_argument('--seeds', type=int, default=1000, help='how many scenarios (default 1000)')
    ap.add_argument('--seed', type=int, default=1, help='the first seed (default 1)')
    ap.add_argument('--budget', type=float, default=40,
                    help='start no scenario after this many seconds (default 40)')
    ap.add_argument('--keep', default=None, help='where failing scenarios are kept')
    ap.add_argument('--replay', help='run this scenario.json')
    ap.add_argument('--shrink', action='store_true', help='with --replay: shrink the failure')
    ap.add_argument('--shrink-seconds', type=float, default=900)
    ap.add_argument('--keep-going', action='store_true', help='run on after a failure')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    fanwen = os.path.abspath(a.fanwen)
    keep = a.keep or tempfile.gettempdir()
    os.makedirs(keep, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='fw-index-random-')
    try:
        if a.replay:
            sc = json.load(open(a.replay, encoding='utf-8'))
            w = tempfile.mkdtemp(prefix='replay-', dir=keep)
            m, r = run_one(fanwen, sc, w, a.verbose)
            if not m:
                print('replay: the invariant holds')
                shutil.rmtree(w, ignore_errors=True)
                return 0
            keep_failure(sc, m, r, w)
            report(sc, m, w)
            if a.shrink:
                small, tries = shrink(fanwen, sc, m.kind, tmp, time.time() + a.shrink_seconds)
                w2 = tempfile.mkdtemp(prefix='shrunk-', dir=keep)
                m2, r2 = run_one(fanwen, small, w2)
                if m2:
                    keep_failure(small, m2, r2, w2)
                    with open(os.path.join(w2, 'shrunk.json'), 'w', encoding='utf-8') as f:
                        json.dump(small, f, indent=1)
                    print('shrunk (%d tries) to %d documents, %d operations:' %
                          (tries, len(small['pool']), len(small['ops'])))
                    report(small, m2, w2)
            return 1
        start, failed, done = time.time(), 0, 0
        for seed in range(a.seed, a.seed + a.seeds):
            if time.time() - start > a.budget:
                break
            gd = gen_docs(a.gen_corpus, seed, tmp)
            sc = make_scenario(seed, gd)
            w = os.path.join(tmp, 'seed-%d' % seed)
            if a.verbose:
                print('seed %d: %d documents, %s' % (seed, len(sc['pool']), ' '.join(sc['params'])),
                      flush=True)
            m, r = run_one(fanwen, sc, w, a.verbose)
            done += 1
            if m:
                failed += 1
                kw = tempfile.mkdtemp(prefix='fw-index-random-seed-%d-' % seed, dir=keep)
                shutil.rmtree(kw)
                shutil.copytree(w, kw)
                keep_failure(sc, m, r, kw)
                report(sc, m, kw)
                if not a.keep_going:
                    break
            shutil.rmtree(w, ignore_errors=True)
        print('rows checked: ' + ', '.join('%s %d' % kv for kv in STATS.items()))
        print('test_index_random: %d scenarios (seeds %d..%d), %d failed, %.1f s'
              % (done, a.seed, a.seed + done - 1, failed, time.time() - start))
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())

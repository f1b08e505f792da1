#!/usr/bin/env python3
"""restrict.py SCAN_DIR OUT_DIR BATCH... — the rows of a scan's pairs.csv,
clusters.csv and docs.csv (and with the passage level reuse.csv and
spans.csv) that involve the batch's documents, written as they were (bytes
untouched) into OUT_DIR, for cmp with a query's own files.

The scan must have read the index's inputs first and the batch's (the
BATCH files, JSONL, one document a line) last: the batch's documents are
then the last rows of its docs.csv (docs.csv is in input order), and their
ids there are the scan's names for them (a repeated id renamed "id#2"...).
So which documents are new comes from the batch input and the scan, never
from the query under test. Checked: each of those rows names the input's id
(or a renaming of it), and OUT_DIR's docs.csv has one row a batch
document. test_index_random.py calls restrict() itself."""
import json
import os
import sys


def rows(path):
    """(first two fields, raw line) per data row; ids here hold no quotes."""
    with open(path, 'rb') as f:
        lines = f.read().split(b'\r\n')
    header, body = lines[0], [l for l in lines[1:] if l]
    return header, [(l.split(b',')[:2], l) for l in body]


def restrict(scan, out, batch_ids):
    """The rows of the scan in `scan` that involve the documents whose ids
    (bytes, in input order) are `batch_ids`, into `out`. None, or what is
    wrong."""
    _, sdocs = rows(os.path.join(scan, 'docs.csv'))
    if len(sdocs) < len(batch_ids):
        return 'the scan has %d documents, fewer than the batch\'s %d' % (len(sdocs),
                                                                          len(batch_ids))
    tail = sdocs[len(sdocs) - len(batch_ids):]
    for (fields, _), want in zip(tail, batch_ids):
        got = fields[0]
        if got != want and not (got.startswith(want + b'#') and got[len(want) + 1:].isdigit()):
            return ('the scan\'s row %r is not the batch\'s document %r (inputs in another '
                    'order?)' % (got, want))
    new = {fields[0] for fields, _ in tail}
    if len(new) != len(batch_ids):
        return 'the scan names two batch documents alike'
    os.makedirs(out, exist_ok=True)
    counts = {}
    for name, keep in (('pairs.csv', lambda f: f[0] in new or f[1] in new),
                       ('clusters.csv', lambda f: f[1] in new),
                       ('docs.csv', lambda f: f[0] in new),
                       ('reuse.csv', lambda f: f[0] in new or f[1] in new),
                       ('spans.csv', lambda f: f[0] in new or f[1] in new)):
        path = os.path.join(scan, name)
        if not os.path.exists(path):  # without the passage level
            continue
        header, body = rows(path)
        if name == 'spans.csv':  # id_a and id_b: the first and fourth fields
            body = [([l.split(b',')[0], l.split(b',')[3]], l) for _, l in body]
        kept = [line for fields, line in body if keep(fields)]
        counts[name] = len(kept)
        with open(os.path.join(out, name), 'wb') as f:
            f.write(header + b'\r\n')
            for line in kept:
                f.write(line + b'\r\n')
    if counts['docs.csv'] != len(batch_ids):
        return 'docs.csv: %d rows for %d batch documents' % (counts['docs.csv'], len(batch_ids))
    if counts['clusters.csv'] > len(batch_ids):
        return 'clusters.csv: %d rows for %d batch documents' % (counts['clusters.csv'],
                                                                 len(batch_ids))
    return None


if __name__ == '__main__':
    scan, out, batches = sys.argv[1], sys.argv[2], sys.argv[3:]
    ids = []
    for path in batches:
        with open(path, encoding='utf-8') as f:
            for line in f:
                if line.strip():
                    ids.append(json.loads(line)['id'].encode('utf-8'))
    why = restrict(scan, out, ids) if ids else 'no documents in the batch'
    if why:
        sys.exit('restrict.py: ' + why)

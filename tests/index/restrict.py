#!/usr/bin/env python3
"""restrict.py SCAN_DIR QUERY_DIR OUT_DIR — the rows of a scan's pairs.csv,
clusters.csv and docs.csv that involve the documents of a query's docs.csv
(by id), written as they were (bytes untouched) into OUT_DIR, for cmp with
the query's own files."""
import os
import sys

scan, query, out = sys.argv[1:4]


def rows(path):
    """(first two fields, raw line) per data row; ids here hold no quotes."""
    with open(path, 'rb') as f:
        lines = f.read().split(b'\r\n')
    header, body = lines[0], [l for l in lines[1:] if l]
    return header, [(l.split(b',')[:2], l) for l in body]


_, qdocs = rows(os.path.join(query, 'docs.csv'))
new = {f[0] for f, _ in qdocs}
os.makedirs(out, exist_ok=True)
for name, keep in (('pairs.csv', lambda f: f[0] in new or f[1] in new),
                   ('clusters.csv', lambda f: f[1] in new),
                   ('docs.csv', lambda f: f[0] in new)):
    header, body = rows(os.path.join(scan, name))
    with open(os.path.join(out, name), 'wb') as f:
        f.write(header + b'\r\n')
        for fields, line in body:
            if keep(fields):
                f.write(line + b'\r\n')

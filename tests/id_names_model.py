"""id_names_model.py — the names a scan gives documents, modelled for the
randomized tests (test_index_random.py, test_scan_random.py) from
src/id_names.c: in input order, an id is kept unless an earlier document
has that name, else the document takes the first id#j (j >= 2) none has."""


def scan_names(ids):
    """The names of documents with these ids, in input order."""
    taken, after, out = set(), {}, []
    for i in ids:
        if i not in taken:
            taken.add(i)
            out.append(i)
            continue
        j = after.get(i, 2)
        while '%s#%d' % (i, j) in taken:
            j += 1
        after[i] = j + 1
        taken.add('%s#%d' % (i, j))
        out.append('%s#%d' % (i, j))
    return out

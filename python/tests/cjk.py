"""Random Chinese-like text and exact shingle sets, for the tests.

The text is drawn only from CJK Unified Ideographs (U+4E00..U+9FA5): NFKC
and case folding leave them as they are and none is punctuation, space or
control, so fanwen's normalized text is the text itself and the exact
n-gram Jaccard can be computed here, in pure Python, on the str.
"""
import random

FIRST, LAST = 0x4E00, 0x9FA5


def text(rng, n):
    """n random ideographs."""
    return "".join(chr(rng.randint(FIRST, LAST)) for _ in range(n))


def substitute(rng, t, count):
    """t with `count` characters replaced by other ideographs."""
    chars = list(t)
    for i in rng.sample(range(len(chars)), count):
        c = chars[i]
        while c == chars[i]:
            c = chr(rng.randint(FIRST, LAST))
        chars[i] = c
    return "".join(chars)


def shingles(t, n=5):
    """The set of character n-grams (the whole text if shorter than n)."""
    if len(t) < n:
        return {t} if t else set()
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def jaccard(a, b):
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter) if a or b else 0.0


def packed(gram):
    """An n-gram as fanwen hashes it: code points as 3-byte little-endian."""
    return b"".join(ord(c).to_bytes(3, "little") for c in gram)


def rng(seed=20241127):
    return random.Random(seed)

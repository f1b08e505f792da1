"""Bad input raises what a Python programmer expects, with the library's
words; what the library reports as data stays data.

- options the library refuses: fanwen.ArgumentError, a ValueError, with
  fw_scan_new()'s message; an unknown keyword: TypeError; a value of the
  wrong type: TypeError;
- texts and ids that are not str or bytes: TypeError naming the item;
- a path that cannot be read: a document with status "error" (the
  library's contract for fw_scan_add_path), not an exception;
- invalid UTF-8: status "repaired";
- failures after fw_scan_new (a canon table or temporary directory that
  cannot be opened, a report directory that cannot be made, calls out of
  order): FileError / ArgumentError with the library's message;
- Ctrl-C during a scan: KeyboardInterrupt.
"""
import os
import signal
import subprocess
import sys
import time

import pytest

import cjk
import fanwen
from fanwen import _fanwen

RNG = cjk.rng(9)
TEXT = cjk.text(RNG, 200)


@pytest.mark.parametrize("threshold", [0, 2, -0.5])
def test_threshold_out_of_range(threshold):
    with pytest.raises(fanwen.ArgumentError) as e:
        fanwen.scan([TEXT], threshold=threshold)
    assert isinstance(e.value, ValueError) and isinstance(e.value, fanwen.Error)
    assert str(e.value) == "threshold must be in (0, 1], got %g" % threshold


@pytest.mark.parametrize("options, message", [
    ({"perms": 0}, "perms must be between 1 and 1024, got 0"),
    ({"perms": 2000}, "perms must be between 1 and 1024, got 2000"),
    ({"ngram": 0}, "ngram must be between 1 and 64, got 0"),
    ({"bands": 20, "rows": 10}, "bands x rows (20 x 10 = 200) cannot exceed perms (128)"),
])
def test_library_refuses(options, message):
    with pytest.raises(ValueError) as e:
        fanwen.scan([TEXT], **options)
    assert str(e.value) == message


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError, match="'treshold'.*threshold"):
        fanwen.scan([TEXT], treshold=0.5)
    with pytest.raises(TypeError, match="paths"):
        fanwen.scan_paths(["x"], paths=False)


@pytest.mark.parametrize("options, error", [
    ({"threshold": "high"}, TypeError),
    ({"ngram": 2.5}, TypeError),
    ({"ngram": -1}, ValueError),
    ({"verify": "no"}, TypeError),
    ({"sketch": "simhash"}, ValueError),
    ({"text_field": 3}, TypeError),
    ({"seed": 2**64}, ValueError),
])
def test_option_types(options, error):
    with pytest.raises(error):
        fanwen.scan([TEXT], **options)


def test_none_keeps_the_default():
    assert fanwen.scan([TEXT], threshold=None, tmp_dir=None).options["threshold"] == 0.8


def test_options_in_force():
    result = fanwen.scan([TEXT], perms=64, sketch="oph", template=True, seed=5)
    o = result.options
    assert (o["perms"], o["sketch"], o["template"], o["seed"]) == (64, "oph", True, 5)
    assert set(o) == set(fanwen.DEFAULT_OPTIONS)


@pytest.mark.parametrize("inputs, match", [
    ([TEXT, 3], "text 1 must be str or bytes, not int"),
    ([TEXT, None], "text 1 must be str or bytes, not NoneType"),
    ([(b"a", TEXT), (5, TEXT)], "id 1 must be str or bytes, not int"),
    ({"a": TEXT, "b": ["list"]}, "text 1 must be str or bytes, not list"),
    (TEXT, "not a single str"),
    (b"bytes", "not a single bytes"),
    ([(b"a", TEXT), TEXT], "item 1 is not an"),
])
def test_bad_texts_are_type_errors(inputs, match):
    with pytest.raises(TypeError, match=match):
        fanwen.scan(inputs)


def test_bad_ids():
    with pytest.raises(ValueError, match="fewer ids"):
        fanwen.scan([TEXT, TEXT], ids=["a"])
    with pytest.raises(ValueError, match="more ids"):
        fanwen.scan([TEXT], ids=["a", "b"])
    with pytest.raises(ValueError, match="NUL"):
        fanwen.scan({"a\0b": TEXT})
    with pytest.raises(TypeError):
        fanwen.scan({"a": TEXT}, ids=["b"])
    with pytest.raises(TypeError):
        fanwen.scan(["x"], paths=True, ids=["b"])
    with pytest.raises(TypeError):
        fanwen.scan_paths([3])


def test_nonexistent_path_is_an_error_row(tmp_path, mode):
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    missing = tmp_path / "missing.txt"
    result = fanwen.scan_paths([good, os.fsencode(missing), str(tmp_path / "gone")])
    docs = result.documents
    rows = docs.tolist() if mode == "numpy" else docs
    assert [r[1] for r in rows] == ["ok", "error", "error"]
    assert rows[1][0] == str(missing)  # a file argument's id is its path
    assert "No such file" in rows[1][9]
    assert result.stats["documents"]["error"] == 2


def test_invalid_utf8_is_repaired(mode):
    result = fanwen.scan({"bad": TEXT.encode("utf-8") + b"\xff\xfe" + TEXT.encode("utf-8")[:60],
                          "lone surrogate": TEXT + "\udc80", "good": TEXT})
    rows = result.documents.tolist() if mode == "numpy" else result.documents
    assert [r[1] for r in rows] == ["repaired", "repaired", "ok"]


def test_empty_and_binary_texts(mode):
    result = fanwen.scan({"empty": "", "blank": " \n\t。", "binary": b"\0\1\2" * 100})
    rows = result.documents.tolist() if mode == "numpy" else result.documents
    assert [r[1] for r in rows] == ["empty", "empty", "binary"]


def test_canon_that_cannot_be_read():
    with pytest.raises(fanwen.FileError) as e:
        fanwen.scan([TEXT], canon="/nonexistent/canon.tsv")
    assert isinstance(e.value, OSError)
    assert "/nonexistent/canon.tsv" in str(e.value)


def test_tmp_dir_that_cannot_be_used():
    with pytest.raises(fanwen.FileError) as e:
        fanwen.scan([TEXT], memory_limit=256 << 20, tmp_dir="/nonexistent/tmp")
    assert "/nonexistent/tmp" in str(e.value)


def test_report_directory_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = fanwen.scan([TEXT, TEXT])
    with pytest.raises(fanwen.FileError) as e:
        result.write(blocker / "report")
    assert str(blocker) in str(e.value)
    result.write(tmp_path / "report")  # the scan is still good
    assert (tmp_path / "report" / "pairs.csv").exists()


def test_calls_out_of_order_carry_the_librarys_message():
    core = _fanwen.Scan({})
    with pytest.raises(fanwen.ArgumentError) as e:
        core.pairs()  # before the run
    assert "fw_scan" in str(e.value)
    core.add_texts(["a"], [TEXT])
    core.run()
    with pytest.raises(fanwen.ArgumentError) as e:
        core.run()
    assert "fw_scan_run" in str(e.value)
    with pytest.raises(fanwen.ArgumentError) as e:
        core.add_texts(["b"], [TEXT])
    assert "fw_scan_add_text" in str(e.value)
    assert core.documents()["id"] == ["a"]  # nothing changed


def test_closed_result():
    result = fanwen.scan([TEXT, TEXT])
    pairs = result.pairs
    with result:
        pass
    assert len(pairs) == 1  # read before closing: still there
    with pytest.raises(ValueError, match="closed"):
        result.documents


INTERRUPTED = r"""
import os, signal, sys, time
# Python makes SIGINT a KeyboardInterrupt only when it is not ignored, and
# a child inherits an ignored SIGINT (tests run from a background job):
# the handler Ctrl-C has in a terminal, whatever the parent had
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, sys.argv[1])
import fanwen
letters = bytes(97 + b % 26 for b in range(256))
blob = os.urandom(200 << 20).translate(letters)  # distinct texts: no pairs
texts = [blob[i:i + 10000] for i in range(0, len(blob), 10000)]
print("start", flush=True)
try:
    fanwen.scan(texts, passages=False, verify=False)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def test_ctrl_c_stops_a_scan(build_lib):
    """SIGINT during a scan (the GIL released) raises KeyboardInterrupt
    from scan() at the next batch, through the progress callback."""
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED, build_lib],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "start"
    time.sleep(0.3)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=60)
    assert out.strip() == "interrupted"


# Integer arguments past their range are refused, however large or
# negative: they were read with the C formats "I" and "K", which wrap, so
# Sketcher(ngram=2**32 + 5) sketched as ngram 5 and MinHash(seed=2**64 + 3)
# hashed as seed 3 (helper-35's findings).
@pytest.mark.parametrize("make, message", [
    (lambda: fanwen.Sketcher(ngram=2**32 + 5), "ngram must be between 1 and 64, got 4294967301"),
    (lambda: fanwen.Sketcher(perms=2**40), "perms must be between 1 and 1024, got 1099511627776"),
    (lambda: fanwen.Sketcher(perms=2**32 + 128), "perms must be between 1 and 1024, got 4294967424"),
    (lambda: fanwen.Sketcher(seed=-1), "seed must be between 0 and 18446744073709551615, got -1"),
    (lambda: fanwen.Sketcher(seed=2**64), "seed must be between 0 and 18446744073709551615, "
                                          "got 18446744073709551616"),
    (lambda: fanwen.MinHash(seed=2**64 + 3), "seed must be between 0 and 18446744073709551615, "
                                             "got 18446744073709551619"),
    (lambda: fanwen.MinHash(seed=-1), "seed must be between 0 and 18446744073709551615, got -1"),
    (lambda: fanwen.MinHash(num_perm=2**32 + 128), "num_perm must be between 1 and 1024, "
                                                   "got 4294967424"),
    (lambda: _fanwen.TokenHasher(2**32 + 128, 0), "num_perm must be between 1 and 1024, "
                                                  "got 4294967424"),
    (lambda: _fanwen.TokenHasher(128, 2**64), "seed must be between 0 and 18446744073709551615, "
                                              "got 18446744073709551616"),
])
def test_integers_out_of_range_are_refused(make, message):
    with pytest.raises(fanwen.ArgumentError) as e:
        make()
    assert str(e.value) == message


def test_largest_seed_is_taken():
    top, zero = fanwen.MinHash(seed=2**64 - 1), fanwen.MinHash(seed=0)
    top.update(b"abc")
    zero.update(b"abc")
    assert top.seed == 2**64 - 1
    assert list(top.hashvalues) != list(zero.hashvalues)


def test_numpy_integers_stand_for_ints():
    np = pytest.importorskip("numpy")
    assert fanwen.MinHash(seed=np.int64(7)).seed == 7
    a, b = fanwen.Sketcher(seed=np.uint64(7), perms=np.int32(64)), fanwen.Sketcher(seed=7, perms=64)
    assert (a.minhash(["一段测试文本的内容"]) == b.minhash(["一段测试文本的内容"])).all()
    with pytest.raises(TypeError):
        fanwen.MinHash(seed=7.0)

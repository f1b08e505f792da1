"""A passage model from the module: Result.write_passage_model() writes the
file `fanwen scan --save-passage-model` writes, byte for byte, and
scan(..., passage_model=path) uses it: a batch of three pages from a site
then lists the site's two furniture lines, learned from 40 pages, as
boilerplate, where alone it lists none. A model made with another seed is
refused by name (ArgumentError), a damaged one too, and a write without
the passage level is an ArgumentError."""
import random
import subprocess

import pytest

import fanwen

CRUMB = "首页 > 范文大全 > 工作总结"
DOWNLOAD = "下载本文档"
CHARS = "发展基础工作推进落实加强建设管理服务完善提升优化创新改革保障机制体系能力水平质量效率安全"


def _boilerplate(result):
    """(kind, text, docs) of every boilerplate row, with or without NumPy."""
    rows = result.boilerplate.tolist() if fanwen._np else result.boilerplate
    return sorted((row[0], row[4], row[2]) for row in rows)


def _page(rng, sizes):
    body = ["".join(rng.choice(CHARS) for _ in range(n)) + "。" for n in sizes]
    return "\n".join([CRUMB, *body, DOWNLOAD])


@pytest.fixture(scope="module")
def site():
    rng = random.Random(11)
    crawl = {"c%02d" % i: _page(rng, [120, 90, 150]) for i in range(40)}
    batch = {"b%d" % i: _page(rng, [100, 130]) for i in range(3)}
    return crawl, batch


def test_model_written_and_used(site, tmp_path):
    crawl, batch = site
    with fanwen.scan(crawl) as r:
        r.write_passage_model(tmp_path / "m")
    text = (tmp_path / "m").read_text(encoding="utf-8")
    assert text.startswith("fanwen-passage-model 2\n")
    assert sum(line.startswith("line ") for line in text.splitlines()) == 2
    with fanwen.scan(batch) as alone:
        assert _boilerplate(alone) == []
    with fanwen.scan(batch, passage_model=tmp_path / "m") as r:
        assert _boilerplate(r) == sorted([("line", CRUMB, 3), ("line", DOWNLOAD, 3)])
        r.write_passage_model(tmp_path / "again")
    assert (tmp_path / "again").read_bytes() == (tmp_path / "m").read_bytes()


def test_model_equals_cli(site, cli, tmp_path):
    crawl, _ = site
    corpus = tmp_path / "crawl"
    corpus.mkdir()
    for name, page in crawl.items():
        (corpus / (name + ".txt")).write_text(page, encoding="utf-8")
    done = subprocess.run([cli, "scan", "-q", "--out", str(tmp_path / "out"),
                           "--save-passage-model", str(tmp_path / "cli.model"), str(corpus)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with fanwen.scan_paths([corpus]) as r:
        r.write_passage_model(tmp_path / "py.model")
    assert (tmp_path / "py.model").read_bytes() == (tmp_path / "cli.model").read_bytes()


def test_model_refused(site, tmp_path):
    crawl, batch = site
    with fanwen.scan(crawl) as r:
        r.write_passage_model(tmp_path / "m")
    with pytest.raises(fanwen.ArgumentError, match="made with --seed 0, not 3"):
        fanwen.scan(batch, passage_model=tmp_path / "m", seed=3)
    data = bytearray((tmp_path / "m").read_bytes())
    data[40] ^= 1
    (tmp_path / "bad").write_bytes(bytes(data))
    with pytest.raises(fanwen.Error, match="damaged or cut short"):
        fanwen.scan(batch, passage_model=tmp_path / "bad")
    with fanwen.scan(batch, passages=False) as r:
        with pytest.raises(fanwen.ArgumentError, match="no-passages"):
            r.write_passage_model(tmp_path / "none")

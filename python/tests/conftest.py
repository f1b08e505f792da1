"""Test set-up: the fanwen module to test, and the CLI to compare with.

From a clean checkout, `/usr/bin/python3 -m pytest python/tests -q` is
the whole command: unless FANWEN_TEST_INSTALLED=1 says to test the fanwen
already installed, this builds the package with setup.py (libfanwen by
CMake from this repository, then the extension) into python/build/pytest,
incrementally, and imports it from there. The build's output is shown only
when it fails.

The CLI for the byte-for-byte comparison is FANWEN_CLI, else build/fanwen
of the repository (`bash .ci/setup` makes it); without either those tests
are skipped, saying so.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

PYDIR = Path(__file__).resolve().parents[1]
REPO = PYDIR.parent


def _build():
    base = Path(os.environ.get("FANWEN_TEST_BUILD_DIR", PYDIR / "build" / "pytest"))
    lib = base / "lib"
    cmd = [sys.executable, "setup.py", "build", "--build-lib", str(lib),
           "--build-temp", str(base / "temp")]
    done = subprocess.run(cmd, cwd=PYDIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout)
        raise RuntimeError("building the fanwen module failed: " + " ".join(cmd))
    sys.path.insert(0, str(lib))


if not os.environ.get("FANWEN_TEST_INSTALLED"):
    _build()

import fanwen  # noqa: E402  (after the build)

try:
    import numpy
except ImportError:
    numpy = None


@pytest.fixture(params=["numpy", "fallback"])
def mode(request, monkeypatch):
    """Runs a test twice: results as NumPy arrays, and as the fallback
    (lists of tuples, array('I')) with NumPy switched off."""
    if request.param == "numpy":
        if numpy is None:
            pytest.skip("NumPy is not installed")
        monkeypatch.setattr(fanwen, "_np", numpy)
    else:
        monkeypatch.setattr(fanwen, "_np", None)
    return request.param


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("FANWEN_CLI") or str(REPO / "build" / "fanwen")
    if not os.access(path, os.X_OK):
        pytest.skip("no fanwen CLI to compare with: set FANWEN_CLI or build "
                    "build/fanwen (bash .ci/setup)")
    return path


@pytest.fixture(scope="session")
def build_lib():
    """The directory fanwen is imported from (for subprocesses)."""
    return str(Path(fanwen.__file__).resolve().parents[1])


def pytest_report_header(config):
    return "fanwen %s from %s; numpy %s" % (
        fanwen.__version__, Path(fanwen.__file__).parent,
        numpy.__version__ if numpy is not None else "absent")

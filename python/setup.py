"""setup.py — builds fanwen's Python module against libfanwen.

One extension, fanwen._fanwen, on CPython's limited API (Py_LIMITED_API
3.8), so the wheel is tagged cp38-abi3 and loads in every CPython >= 3.8.
The Python package's version is read from include/fanwen.h
(FW_VERSION_MAJOR/MINOR/PATCH): the header is the one place it is written.

Where libfanwen comes from, the first that applies:

1. FANWEN_PREFIX: an installed prefix (PREFIX/include/fanwen.h and
   PREFIX/lib*/libfanwen.a, or libfanwen.so when there is no archive);
2. an installed fanwen that `pkg-config --exists fanwen` finds;
3. this repository, the parent of python/: CMake builds the target
   `fanwen` alone (no CLI, tests or bench) into build_temp.

The archive is preferred and linked into the extension, with the
library's private dependencies (Requires.private and Libs.private of
fanwen.pc: libxxhash, libutf8proc, libzstd, zlib, yajl, libgomp; shared
system libraries), so the module imports without LD_LIBRARY_PATH; its
symbols are kept out of the module's exports (--exclude-libs). A shared
libfanwen is linked with an rpath to its directory.

Offline, from the repository root:
    python3 -m pip wheel --no-index --no-build-isolation python/
"""
import glob
import os
import re
import shlex
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# What libfanwen needs when no fanwen.pc says it (the CMakeLists' list).
FALLBACK_REQUIRES = ["libxxhash", "libutf8proc", "libzstd", "zlib", "yajl"]


def run(cmd, **kw):
    print("fanwen setup: " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def pkg_config(*args, env=None):
    """Output of pkg-config as a list of words, or None when it fails."""
    try:
        out = subprocess.run(["pkg-config", *args], check=True, capture_output=True,
                             text=True, env=env).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out)


def prefix_env(prefix):
    """The environment with PREFIX's pkgconfig directories searched first."""
    dirs = glob.glob(os.path.join(prefix, "lib*", "pkgconfig")) + \
        glob.glob(os.path.join(prefix, "lib", "*", "pkgconfig"))
    env = dict(os.environ)
    env["PKG_CONFIG_PATH"] = os.pathsep.join(dirs + [env.get("PKG_CONFIG_PATH", "")])
    return env


class Library:
    """Where libfanwen is and how to link it: include dirs, the archive or
    the shared library's directory, and the flags of its dependencies."""

    def __init__(self, include, archive=None, libdir=None, dep_flags=()):
        self.include = include
        self.archive = archive
        self.libdir = libdir
        self.dep_flags = list(dep_flags)

    @property
    def header(self):
        return os.path.join(self.include, "fanwen.h")


def private_flags(pc_path):
    """Link flags of the private dependencies named in a fanwen.pc file, or
    the fallback list when there is no such file."""
    requires, libs = FALLBACK_REQUIRES, ["-lm", "-fopenmp"]
    if pc_path and os.path.exists(pc_path):
        fields = {}
        for line in open(pc_path, encoding="utf-8"):
            key, sep, value = line.partition(":")
            if sep and "=" not in key:
                fields[key.strip()] = value.strip()
        requires = fields.get("Requires.private", "").replace(",", " ").split()
        libs = shlex.split(fields.get("Libs.private", ""))
    deps = pkg_config("--libs", *requires) if requires else []
    if deps is None:
        sys.exit("fanwen setup: pkg-config cannot find " + " ".join(requires))
    return deps + libs


def from_prefix(prefix):
    include = os.path.join(prefix, "include")
    archives = glob.glob(os.path.join(prefix, "lib*", "libfanwen.a")) + \
        glob.glob(os.path.join(prefix, "lib", "*", "libfanwen.a"))
    shared = glob.glob(os.path.join(prefix, "lib*", "libfanwen.so")) + \
        glob.glob(os.path.join(prefix, "lib", "*", "libfanwen.so"))
    if archives:
        pcs = [os.path.join(os.path.dirname(archives[0]), "pkgconfig", "fanwen.pc")]
        return Library(include, archive=archives[0], dep_flags=private_flags(pcs[0]))
    if shared:
        return Library(include, libdir=os.path.dirname(shared[0]))
    sys.exit("fanwen setup: no libfanwen.a or libfanwen.so under FANWEN_PREFIX=" + prefix)


def from_pkg_config(env=None):
    """The installed fanwen: its archive when the libdir has one (static
    flags then), else the shared library."""
    include = [f[2:] for f in pkg_config("--cflags-only-I", "fanwen", env=env) if f[:2] == "-I"]
    includedir = pkg_config("--variable=includedir", "fanwen", env=env)
    include = include[0] if include else (includedir[0] if includedir else "/usr/include")
    libdir = os.path.normpath(pkg_config("--variable=libdir", "fanwen", env=env)[0])
    archive = os.path.join(libdir, "libfanwen.a")
    if os.path.exists(archive):
        flags = [f for f in pkg_config("--static", "--libs", "fanwen", env=env)
                 if f != "-lfanwen"]
        return Library(include, archive=archive, dep_flags=flags)
    return Library(include, libdir=libdir)


def in_repository():
    return os.path.exists(os.path.join(REPO, "CMakeLists.txt")) and \
        os.path.exists(os.path.join(REPO, "include", "fanwen.h"))


def find_library():
    """The library as a Library, without building anything (the CMake
    build of the repository is done by build_ext into its build_temp)."""
    prefix = os.environ.get("FANWEN_PREFIX")
    if prefix:
        if pkg_config("--exists", "fanwen", env=prefix_env(prefix)) is not None and \
                glob.glob(os.path.join(prefix, "lib*", "pkgconfig", "fanwen.pc")):
            return from_pkg_config(prefix_env(prefix))
        return from_prefix(prefix)
    if pkg_config("--exists", "fanwen") is not None:
        return from_pkg_config()
    if in_repository():
        return None
    sys.exit("fanwen setup: no libfanwen: set FANWEN_PREFIX, install fanwen.pc, "
             "or build from the fanwen repository (python/ inside it)")


def header_version(header):
    text = open(header, encoding="utf-8").read()
    parts = [re.search(r"^#define FW_VERSION_%s (\d+)" % p, text, re.M)
             for p in ("MAJOR", "MINOR", "PATCH")]
    if not all(parts):
        sys.exit("fanwen setup: no FW_VERSION_MAJOR/MINOR/PATCH in " + header)
    return ".".join(m.group(1) for m in parts)


def cmake_library(build_temp):
    """Builds libfanwen.a from the repository with CMake, library only."""
    build = os.path.join(os.path.abspath(build_temp), "libfanwen")
    run(["cmake", "-S", REPO, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
         "-DFANWEN_BUILD_TESTS=OFF", "-DFANWEN_BUILD_BENCH=OFF", "-DFANWEN_BUILD_CLI=OFF",
         "-DBUILD_SHARED_LIBS=OFF",
         "-DCMAKE_POSITION_INDEPENDENT_CODE=ON"], stdout=subprocess.DEVNULL)
    run(["cmake", "--build", build, "--target", "fanwen",
         "--parallel", str(os.cpu_count() or 1)])
    return Library(os.path.join(REPO, "include"), archive=os.path.join(build, "libfanwen.a"),
                   dep_flags=private_flags(os.path.join(build, "fanwen.pc")))


def apply_flags(ext, flags):
    """Link flags onto an Extension, each once, in order."""
    for f in flags:
        where, value = {"-l": (ext.libraries, f[2:]),
                        "-L": (ext.library_dirs, f[2:])}.get(f[:2], (ext.extra_link_args, f))
        if value not in where:
            where.append(value)


class BuildExt(build_ext):
    """build_ext that first finds or builds libfanwen and links it in."""

    def run(self):
        lib = LIBRARY or cmake_library(self.build_temp)
        xxhash = pkg_config("--cflags", "--libs", "libxxhash") or ["-lxxhash"]
        for ext in self.extensions:
            ext.include_dirs.append(lib.include)
            ext.depends.append(lib.header)
            if lib.archive:
                ext.extra_objects.append(lib.archive)
                ext.depends.append(lib.archive)
                ext.extra_link_args.append("-Wl,--exclude-libs,ALL")
            else:
                ext.library_dirs.append(lib.libdir)
                ext.runtime_library_dirs.append(lib.libdir)
                ext.libraries.append("fanwen")
            # the extension calls XXH3 itself and starts threads
            apply_flags(ext, [f for f in xxhash if not f.startswith("-I")] + lib.dep_flags +
                        ["-lpthread"])
            ext.include_dirs += [f[2:] for f in xxhash if f.startswith("-I")]
        super().run()


LIBRARY = find_library()
HEADER = LIBRARY.header if LIBRARY else os.path.join(REPO, "include", "fanwen.h")

setup(
    name="fanwen",
    version=header_version(HEADER),
    description="Near-duplicate documents and recycled passages in text collections "
                "(Chinese first): Python bindings of libfanwen",
    long_description=open(os.path.join(HERE, "README.md"), encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.8",
    packages=["fanwen"],
    extras_require={"numpy": ["numpy"]},
    ext_modules=[Extension(
        "fanwen._fanwen",
        sources=["src/module.c", "src/scan.c", "src/sketch.c", "src/index.c"],
        depends=["src/fanwen_py.h"],
        define_macros=[("Py_LIMITED_API", "0x03080000")],
        py_limited_api=True,
        extra_compile_args=["-O2", "-fvisibility=hidden", "-Wall", "-Wextra",
                            "-Wno-unused-parameter", "-Wno-missing-field-initializers",
                            "-Werror=implicit-function-declaration"],
    )],
    cmdclass={"build_ext": BuildExt},
    options={"bdist_wheel": {"py_limited_api": "cp38"}},
    zip_safe=False,
)

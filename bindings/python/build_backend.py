# SPDX-License-Identifier: MIT
"""A PEP 517 (and PEP 660) build backend for the dynprobe package.

The package is pure Python, so building it is writing a zip: this backend
needs no setuptools and no wheel, and so builds where the only package
source is Debian's archive and pip cannot reach an index (build isolation
then installs nothing: `requires = []`).

Hooks: build_wheel, build_sdist, build_editable (a .pth file pointing at
this directory), prepare_metadata_for_build_wheel/_editable, and the
get_requires_* hooks (nothing).  Metadata comes from pyproject.toml's
[project] table.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
# What the wheel installs: the package and the python-stapsdt layer.
PACKAGE_FILES = ["dynprobe/__init__.py", "dynprobe/_lib.py", "dynprobe/py.typed", "stapsdt.py"]
SDIST_FILES = PACKAGE_FILES + ["pyproject.toml", "build_backend.py"]
TAG = "py3-none-any"


def _project():
    """name, version, description, requires-python of pyproject.toml's [project]."""
    with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    if not m:
        raise RuntimeError("pyproject.toml has no [project] table")
    fields = dict(re.findall(r'^([A-Za-z-]+)\s*=\s*"([^"]*)"\s*$', m.group(1), re.M))
    for key in ("name", "version"):
        if key not in fields:
            raise RuntimeError("pyproject.toml: [project] has no %s" % key)
    return fields


def _dist_info(p):
    return "%s-%s.dist-info" % (p["name"], p["version"])


def _metadata(p):
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"]]
    if "description" in p:
        lines.append("Summary: " + p["description"])
    if "requires-python" in p:
        lines.append("Requires-Python: " + p["requires-python"])
    lines.append("License: MIT")
    return ("\n".join(lines) + "\n").encode()


def _wheel_file():
    return ("Wheel-Version: 1.0\nGenerator: dynprobe build_backend\n"
            "Root-Is-Purelib: true\nTag: %s\n" % TAG).encode()


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def _write_wheel(directory, files):
    """files: [(archive name, bytes)]; adds the dist-info and RECORD."""
    p = _project()
    di = _dist_info(p)
    files = list(files) + [(di + "/METADATA", _metadata(p)), (di + "/WHEEL", _wheel_file()),
                           (di + "/top_level.txt", b"dynprobe\nstapsdt\n")]
    record = [_record_line(n, d) for n, d in files] + [di + "/RECORD,,"]
    files.append((di + "/RECORD", ("\n".join(record) + "\n").encode()))
    name = "%s-%s-%s.whl" % (p["name"], p["version"], TAG)
    stamp = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")))[:6]
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files:
            info = zipfile.ZipInfo(n, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, d)
    return name


def _read(rel):
    with open(os.path.join(HERE, rel), "rb") as f:
        return f.read()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(f, _read(f)) for f in PACKAGE_FILES])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # The source directory on sys.path: edits take effect without reinstalling.
    return _write_wheel(wheel_directory, [("dynprobe_editable.pth", (HERE + "\n").encode())])


def _prepare_metadata(metadata_directory):
    p = _project()
    di = os.path.join(metadata_directory, _dist_info(p))
    os.makedirs(di, exist_ok=True)
    for name, data in (("METADATA", _metadata(p)), ("WHEEL", _wheel_file())):
        with open(os.path.join(di, name), "wb") as f:
            f.write(data)
    return _dist_info(p)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    p = _project()
    base = "%s-%s" % (p["name"], p["version"])
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as t:
        for rel, data in [(f, _read(f)) for f in SDIST_FILES] + [("PKG-INFO", _metadata(p))]:
            info = tarfile.TarInfo(base + "/" + rel)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
            t.addfile(info, io.BytesIO(data))
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []

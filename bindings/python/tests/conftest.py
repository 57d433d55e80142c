# Shared by the binding's tests.  Integration tests drive real tracers and
# wait on conditions (polling with a deadline), never on fixed sleeps.
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLES = os.path.join(ROOT, "examples")
sys.path.insert(0, ROOT)


def need(cond, reason):
    """Skip, or fail when DYNPROBE_TEST_NO_SKIP=1."""
    if cond:
        return
    if os.environ.get("DYNPROBE_TEST_NO_SKIP") == "1":
        pytest.fail("cannot run (skip not allowed): " + reason)
    pytest.skip(reason)


def wait_until(fn, seconds=30, what="condition"):
    deadline = time.monotonic() + seconds
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            pytest.fail("timed out after %ss waiting for %s" % (seconds, what))
        time.sleep(0.02)


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


class Bg:
    """Background processes writing to files, killed at teardown."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []

    def spawn(self, cmd, name, env=None):
        out = os.path.join(self.tmp, name + ".out")
        e = dict(os.environ)
        e.update(env or {})
        e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
        p = subprocess.Popen(cmd, stdout=open(out, "w"), stderr=open(out + ".err", "w"), env=e)
        self.procs.append(p)
        return p, out

    def example(self, name, env=None):
        return self.spawn([sys.executable, os.path.join(EXAMPLES, name)], name, env)

    def bpftrace(self, pid, prog, name="bt", env=None):
        return self.spawn(["bpftrace", "-p", str(pid), "-e", prog], name, env)

    def stop(self, p, sig=signal.SIGTERM):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def close(self):
        for p in self.procs:
            self.stop(p, signal.SIGKILL)


@pytest.fixture
def bg(tmp_path):
    b = Bg(str(tmp_path))
    yield b
    b.close()


@pytest.fixture
def bpftrace_ok():
    need(shutil.which("bpftrace") is not None, "bpftrace not installed")
    need(os.geteuid() == 0, "bpftrace needs root")


@pytest.fixture
def lttng_ok(tmp_path, monkeypatch):
    need(os.environ.get("DYNPROBE_LTTNG_PRIVATE_INNER") == "1",
         "not inside a private lttng-sessiond (run through tests/lib/lttng-private.sh)")
    need(shutil.which("babeltrace2") is not None, "babeltrace2 not installed")
    monkeypatch.setenv("DYNPROBE_CACHE_DIR", str(tmp_path / "cache"))
    yield
    subprocess.run(["lttng", "destroy", "--all"], capture_output=True)

"""deploy.replicas as a service manager runs it (issue #29): it notices a dead replica or nginx and exits 1,
leaves no nginx worker behind, stops everything when it is killed (even by SIGKILL), refuses a port that is
in use before saying `ready`, and accepts a relative --runtime. Each test starts one replica and nginx."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.browser import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not (Path("/usr/sbin/nginx").is_file()), reason="nginx is not installed")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has stopped; only its exit status is left


def group(pgid: int) -> list[int]:
    """Every live process in process group pgid (nginx's master and its workers)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid and alive(int(entry.name)):
                    members.append(int(entry.name))
            except ProcessLookupError:
                pass
    return members


def wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


class Launched:
    """`python -m deploy.replicas --replicas 1` in its own process, with the pids it printed."""

    def __init__(self, db: Path, cwd: Path, runtime: str):
        self.port, self.replica_port = free_port(), free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deploy.replicas", "--replicas", "1", "--port", str(self.port), "--replica-port",
             str(self.replica_port), "--db", str(db), "--runtime", runtime],
            cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        self.lines = []
        for line in self.process.stdout:
            self.lines.append(line.strip())
            if line.strip() == "ready":
                break
        assert self.lines[-1:] == ["ready"], (self.lines, self.process.stderr.read() if self.process.poll() else "")
        self.replica = int(self.lines[0].rsplit(" ", 1)[1])
        self.proxy = int(self.lines[1].rsplit(" ", 1)[1])
        self.workers = [pid for pid in group(self.proxy) if pid != self.proxy]

    def everything_stopped(self) -> bool:
        return not alive(self.replica) and not group(self.proxy)

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        for pid in [self.replica, self.proxy, *self.workers, *group(self.proxy)]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def launch(db_path, tmp_path):
    started = []

    def start(runtime: str | None = None) -> Launched:
        started.append(Launched(db_path, tmp_path, runtime or str(tmp_path / "runtime")))
        return started[-1]

    yield start
    for launched in started:
        launched.close()


def test_a_dead_nginx_master_stops_everything_with_exit_1_and_leaves_no_worker(launch, tmp_path):
    running = launch("runtime")  # relative to the launcher's working folder
    assert (tmp_path / "runtime" / "nginx.conf").is_file()
    assert running.workers, "nginx started no worker"
    os.kill(running.proxy, signal.SIGKILL)
    assert running.process.wait(timeout=60) == 1
    assert "exited" in running.process.stderr.read()
    assert wait_until(running.everything_stopped), (alive(running.replica), group(running.proxy))


def test_a_dead_replica_stops_everything_with_exit_1(launch):
    running = launch()
    os.kill(running.replica, signal.SIGKILL)
    assert running.process.wait(timeout=60) == 1
    assert wait_until(running.everything_stopped)


def test_a_killed_launcher_takes_everything_with_it(launch):
    running = launch()
    running.process.kill()  # SIGKILL: none of its own cleanup runs
    running.process.wait()
    assert wait_until(running.everything_stopped), (alive(running.replica), group(running.proxy))


def test_a_port_in_use_is_refused_before_ready(db_path, tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        done = subprocess.run([sys.executable, "-m", "deploy.replicas", "--replicas", "1", "--port", str(port),
                               "--replica-port", str(free_port()), "--db", str(db_path),
                               "--runtime", str(tmp_path / "rt")],
                              cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                              text=True, timeout=120)
    finally:
        taken.close()
    assert done.returncode == 1 and "ready" not in done.stdout
    assert f"port {port} on 127.0.0.1 is in use" in done.stderr

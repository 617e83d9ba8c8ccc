"""python -m deploy.replicas: K dashboard replicas and nginx in front of them, all on loopback, all
reading one database file read-only; runs until Ctrl-C (or SIGTERM), then stops every process.

    python -m deploy.replicas --replicas 2 --port 8080 --db /srv/defections/defections.duckdb
    python -m deploy.replicas --print-config > /etc/nginx/conf.d/...   # the rendered nginx.conf only

It prints one line per process ("replica http://127.0.0.1:8501 pid 1234", "proxy http://... pid ...")
and then "ready". Replicas get an empty DEFECTIONS_SEEDS folder, so they never rebuild the database;
roll out a rebuilt file by atomic rename (docs/deploy.md). It supervises what it started: when a replica
or nginx exits, it stops everything and exits 1, so a service manager restarts the whole set; killed
itself (even by SIGKILL), its processes stop too.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
HOST = "127.0.0.1"  # replicas and proxy listen on loopback only; TLS and a public name are the site's job


PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class Deployment:
    proxy_url: str
    proxy_pid: int
    replica_urls: list[str]
    replica_pids: list[int]
    db: Path
    processes: dict[str, subprocess.Popen] | None = None  # what each is ("replica http://…", "proxy …")

    def exited(self) -> str | None:
        """The first supervised process that has exited, as 'NAME (pid N) exited with CODE', or None."""
        for name, process in (self.processes or {}).items():
            if process.poll() is not None:
                return f"{name} (pid {process.pid}) exited with {process.returncode}"
        return None


def _stop_with_parent():
    """A preexec_fn: the kernel sends the child SIGTERM when the launcher dies, however it dies (a SIGKILL
    runs none of its cleanup). nginx's master then stops its workers; a replica just stops."""
    launcher = os.getpid()

    def in_child() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != launcher:  # the launcher died before prctl took effect
            os._exit(1)
    return in_child


def port_in_use(port: int) -> bool:
    """True when something on this machine already listens on 127.0.0.1:port (so a health check
    answered there would be its answer, not ours)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def render(listen: int, replica_ports: list[int], runtime: Path) -> str:
    """deploy/nginx.conf.template with the proxy's port, the replicas and the runtime folder filled in."""
    servers = "\n".join(f"        server {HOST}:{port};" for port in replica_ports)
    text = TEMPLATE.read_text(encoding="utf-8")
    text = text.replace("@REPLICAS@", servers).replace("@LISTEN@", f"{HOST}:{listen}")
    return text.replace("@RUNTIME@", str(runtime))


def _healthy(url: str, process: subprocess.Popen, log: Path, timeout: float, expect: bytes = b"ok") -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == expect and process.poll() is None:  # ours answered, not another's
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            state = f"exited with {process.returncode}" if process.poll() is not None else "is not healthy"
            raise RuntimeError(f"{url} {state}; its log ({log}):\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """Stop a server process: politely, then by force after 15 s (the benchmark's servers too)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_group(process: subprocess.Popen) -> None:
    """Stop a process started in its own group, and whatever is left of the group: nginx's workers stay
    behind, orphaned and still serving, when their master dies by SIGKILL."""
    stop(process)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return  # the group is empty
        time.sleep(0.5)


@contextlib.contextmanager
def deployment(db: Path, replicas: int = 2, port: int = 8080, first_replica_port: int = 8501,
               runtime: Path | None = None, env: dict[str, str] | None = None, timeout: float = 90,
               replica_ports: list[int] | None = None) -> Iterator[Deployment]:
    """Start the replicas (on consecutive ports from `first_replica_port`, or on `replica_ports`), wait
    until each answers its health check, start nginx, wait for it; stop them all after."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
    if nginx is None:
        raise RuntimeError("nginx is not installed: apt-get install nginx-light (or nginx)")
    if not db.is_file():
        raise RuntimeError(f"{db} does not exist: build it first (python -m defections build --db {db})")
    ports = replica_ports or [first_replica_port + number for number in range(replicas)]
    busy = [str(p) for p in [*ports, port] if port_in_use(p)]
    if busy:
        raise RuntimeError(f"port {', '.join(busy)} on {HOST} is in use by another program: stop it, or choose "
                           "other ports (--port, --replica-port)")
    with contextlib.ExitStack() as stack:
        if runtime is None:
            runtime = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="defections-deploy-")))
        # Absolute: nginx reads a relative path in its configuration against its own prefix, not our folder.
        runtime = Path(os.path.abspath(runtime))
        runtime.mkdir(parents=True, exist_ok=True)
        runtime.chmod(0o755)  # nginx's workers (www-data or nobody when started as root) write their temp files here
        no_seeds = runtime / "no-seeds"
        no_seeds.mkdir(exist_ok=True)
        processes = []
        stack.callback(lambda: [stop_group(p) for p in reversed(processes)])
        replica_env = {**os.environ, "PYTHONUNBUFFERED": "1", "DEFECTIONS_DB": str(db.resolve()),
                       "DEFECTIONS_SEEDS": str(no_seeds), **(env or {})}
        for replica_port in ports:
            log = runtime / f"replica-{replica_port}.log"
            with open(log, "w") as out:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
                     "--server.port", str(replica_port), "--server.address", HOST, "--server.headless", "true",
                     "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
                    cwd=ROOT, env=replica_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                    preexec_fn=_stop_with_parent()))
        for replica_port, process in zip(ports, processes, strict=True):
            _healthy(f"http://{HOST}:{replica_port}", process, runtime / f"replica-{replica_port}.log", timeout)
        config = runtime / "nginx.conf"
        config.write_text(render(port, ports, runtime), encoding="utf-8")
        with open(runtime / "nginx.out", "w") as out:
            # Its own process group: stopping the group also stops workers whose master died.
            proxy = subprocess.Popen([nginx, "-p", str(runtime), "-c", str(config), "-g", "daemon off;"],
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=_stop_with_parent())
        processes.append(proxy)
        _healthy(f"http://{HOST}:{port}", proxy, runtime / "nginx.out", timeout)
        urls = [f"http://{HOST}:{p}" for p in ports]
        named = {**{f"replica {url}": p for url, p in zip(urls, processes, strict=False)},
                 f"proxy http://{HOST}:{port}": proxy}
        yield Deployment(f"http://{HOST}:{port}", proxy.pid, urls, [p.pid for p in processes[:-1]], db.resolve(),
                         named)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _supervise(running: Deployment, every: float = 1.0) -> int:
    """Wait until a replica or nginx exits; then say which, and exit 1 (the caller stops the rest)."""
    while True:
        gone = running.exited()
        if gone:
            print(f"deploy.replicas: {gone}; stopping everything", file=sys.stderr, flush=True)
            return 1
        time.sleep(every)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.replicas", description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help="how many app processes (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="the proxy's loopback port (default 8080)")
    parser.add_argument("--replica-port", type=int, default=8501, help="the first replica's port (default 8501)")
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "defections.duckdb", help="the database file")
    parser.add_argument("--runtime", type=Path, help="folder for nginx.conf, logs, pid (default: a temporary one)")
    parser.add_argument("--print-config", action="store_true", help="print the rendered nginx.conf and exit")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 64:
        print("deploy.replicas: --replicas must be between 1 and 64", file=sys.stderr)
        return 2
    ports = [args.replica_port + n for n in range(args.replicas)]
    if args.print_config:
        print(render(args.port, ports, args.runtime or Path("/var/lib/defections-proxy")), end="")
        return 0
    for sig in (signal.SIGTERM, signal.SIGHUP):  # a service manager's stop, a closed terminal: as Ctrl-C
        signal.signal(sig, _interrupt)
    try:
        with deployment(args.db, args.replicas, args.port, args.replica_port, args.runtime) as running:
            for url, pid in zip(running.replica_urls, running.replica_pids, strict=True):
                print(f"replica {url} pid {pid}", flush=True)
            print(f"proxy {running.proxy_url} pid {running.proxy_pid}", flush=True)
            print("ready", flush=True)
            return _supervise(running)
    except KeyboardInterrupt:
        return 0
    except RuntimeError as err:
        print(f"deploy.replicas: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

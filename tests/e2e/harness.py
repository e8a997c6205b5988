"""Shared harness of the end-to-end tests: real `synod` and `etcd` processes on 127.0.0.1.

Every test file is a script run by CTest as `/usr/bin/python3 test_x.py [--bin-dir DIR]`:

    with harness.Harness("kill9", deadline_seconds=150) as h:
        cluster = h.cluster("synod", 3)
        cluster.start()
        h.etcdctl(cluster.endpoints(), "put", "k", "v")

What it guarantees, so that a broken server never hangs CI or leaves processes behind:
  * Every process listens on 127.0.0.1 only, on free ephemeral ports, with its data under one
    temporary directory (removed on success; kept and named on failure or with SYNOD_E2E_KEEP=1).
  * Every child gets PR_SET_PDEATHSIG(SIGKILL), so it dies with the test even when the test itself
    is killed; `Harness.__exit__` and an atexit hook kill whatever still runs, by pid.
  * A watchdog ends the whole test (exit 1, logs printed) after `deadline_seconds`, well inside
    CTest's TIMEOUT; every subprocess and network call has its own timeout as well.
  * On failure the tail of every server's log (JSON lines on stderr) is printed.
  * Missing etcd / etcdctl / synod makes the test exit with 77, which CTest reports as skipped.
"""

import argparse
import atexit
import ctypes
import faulthandler
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

# Before anything imports grpc: no pthread_atfork handlers, which can block a fork() (subprocess)
# while gRPC's threads are busy. Children here exec at once and never use gRPC.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "0")

SKIP_EXIT_CODE = 77
HOST = "127.0.0.1"  # the only address any test may target

ETCDCTL_DIAL_TIMEOUT = "2s"
ETCDCTL_COMMAND_TIMEOUT = "5s"
ETCDCTL_PROCESS_TIMEOUT_SECONDS = 15.0  # above the command timeout: etcdctl retries internally


class TestFailure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def log(message):
    print("[%8.3f] %s" % (time.monotonic() - _START, message), flush=True)


_START = time.monotonic()


def skip(reason):
    print("SKIP: " + reason, flush=True)
    sys.exit(SKIP_EXIT_CODE)


def parse_args(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bin-dir", default=os.environ.get("SYNOD_BIN_DIR", ""),
                        help="directory holding the synod binary (e.g. build/bin)")
    parser.add_argument("--etcd", default=shutil.which("etcd") or "/usr/bin/etcd")
    parser.add_argument("--etcdctl", default=shutil.which("etcdctl") or "/usr/bin/etcdctl")
    parser.add_argument("--keep", action="store_true", default=bool(os.environ.get("SYNOD_E2E_KEEP")),
                        help="keep the temporary directory")
    if extra:
        extra(parser)
    return parser.parse_args()


def require_executable(path, what):
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        skip("%s not found (%s)" % (what, path or "no path given"))


def synod_binary(args):
    path = os.path.join(args.bin_dir, "synod") if args.bin_dir else ""
    require_executable(path, "synod binary")
    return path


# --- ports -------------------------------------------------------------------------------------

def _ephemeral_port_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


_HANDED_OUT_PORTS = set()  # a port is handed out once per process: earlier ones may not be bound yet


def free_ports(count):
    """`count` distinct free TCP ports on 127.0.0.1, all held open together while chosen.

    Chosen below the kernel's ephemeral range: a port from that range can be taken as the source
    port of any outgoing connection (another test's client) between our check and the server's
    bind, which made a member fail to start with "address already in use"."""
    low, _ = _ephemeral_port_range()
    top = low - 1 if low > 12000 else 60999
    bottom = 10000 if low > 12000 else low
    rng = random.Random()
    sockets = []
    try:
        while len(sockets) < count:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            port = rng.randint(bottom, top)
            if port in _HANDED_OUT_PORTS:
                s.close()
                continue
            try:
                s.bind((HOST, port))
            except OSError:
                s.close()
                continue
            sockets.append(s)
        ports = [s.getsockname()[1] for s in sockets]
        _HANDED_OUT_PORTS.update(ports)
        return ports
    finally:
        for s in sockets:
            s.close()


def port_open(port, timeout=0.2):
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


# --- child processes -----------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1
_ALL_PROCESSES = []  # every Popen we started; killed at exit
_ALL_LOCK = threading.Lock()


def _child_setup(extra=None):
    # Runs in the child between fork and exec: the child dies with the test (SIGKILL), whatever
    # ends the test; `extra` adds limits or signal dispositions (test_recovery).
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if extra is not None:
        extra()


def _register(proc):
    with _ALL_LOCK:
        _ALL_PROCESSES.append(proc)


def kill_all_children():
    with _ALL_LOCK:
        procs = list(_ALL_PROCESSES)
    for proc in procs:
        if proc.poll() is None:
            try:
                proc.kill()  # by pid, only processes this test started
            except OSError:
                pass
    for proc in procs:
        try:
            proc.wait(timeout=5)
        except Exception:
            pass


atexit.register(kill_all_children)


class Result:
    def __init__(self, argv, returncode, stdout, stderr):
        self.argv, self.returncode, self.stdout, self.stderr = argv, returncode, stdout, stderr

    @property
    def ok(self):
        return self.returncode == 0

    @property
    def output(self):
        """What a user sees: stdout then stderr."""
        return self.stdout + self.stderr

    def __repr__(self):
        return "Result(rc=%s, argv=%s, stdout=%r, stderr=%r)" % (
            self.returncode, " ".join(self.argv), self.stdout[-2000:], self.stderr[-2000:])


def run(argv, input=None, timeout=ETCDCTL_PROCESS_TIMEOUT_SECONDS, env=None):
    """Runs a short-lived command with a hard timeout; a timeout is returncode None."""
    # No preexec_fn: subprocess may then use vfork/posix_spawn, and no Python code runs between
    # fork and exec while other threads (gRPC, writers) hold locks. The timeout bounds its life.
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True, encoding="utf-8",
                            errors="backslashreplace")
    _register(proc)
    try:
        out, err = proc.communicate(input=input, timeout=timeout)
        return Result(argv, proc.returncode, out, err)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return Result(argv, None, out, err + "\n<killed after %.1f s>" % timeout)


# --- servers ------------------------------------------------------------------------------------

class Node:
    """One etcd or synod member: fixed name, ports and data directory across restarts."""

    def __init__(self, harness, kind, binary, name, data_dir, client_port, peer_port):
        self.harness = harness
        self.kind = kind
        self.binary = binary
        self.name = name
        self.data_dir = data_dir
        self.client_port = client_port
        self.peer_port = peer_port
        self.flags = []
        self.proc = None
        self.starts = 0
        self.log_path = None

    @property
    def endpoint(self):
        return "http://%s:%d" % (HOST, self.client_port)

    @property
    def peer_url(self):
        return "http://%s:%d" % (HOST, self.peer_port)

    def argv(self):
        return [self.binary] + self.flags

    def start(self, preexec=None):
        check(self.proc is None or self.proc.poll() is not None, "%s already running" % self.name)
        self.starts += 1
        self.log_path = os.path.join(self.harness.dir, "%s.%d.log" % (self.name, self.starts))
        logfile = open(self.log_path, "w")
        self.harness.log_files.append((self.name, self.log_path))
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=logfile,
                                     stderr=subprocess.STDOUT, cwd=self.harness.dir,
                                     preexec_fn=lambda: _child_setup(preexec),
                                     restore_signals=True)
        logfile.close()
        _register(self.proc)
        log("started %s %s pid %d (log %s)" % (self.kind, self.name, self.proc.pid, self.log_path))
        return self.proc

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.running():
            log("kill -9 %s pid %d" % (self.name, self.proc.pid))
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def terminate(self, timeout=15):
        """SIGTERM; returns the exit code. A node that does not stop in time is killed and fails."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        log("SIGTERM %s pid %d" % (self.name, self.proc.pid))
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise TestFailure("%s did not exit within %d s of SIGTERM" % (self.name, timeout))

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""


class Cluster:
    """`size` members of one kind ("etcd" or "synod") forming one cluster on 127.0.0.1."""

    def __init__(self, harness, kind, size, name, extra_flags=(), heartbeat_ms=100,
                 election_ms=1000):
        self.harness = harness
        self.kind = kind
        self.name = name
        binary = harness.etcd_binary() if kind == "etcd" else harness.synod_binary()
        self._settings = (list(extra_flags), heartbeat_ms, election_ms)
        self.nodes = []
        for i in range(size):
            node_name = "%s-%d" % (name, i)
            self.nodes.append(Node(harness, kind, binary, node_name,
                                   os.path.join(harness.dir, node_name + ".data"), 0, 0))
        self._assign_ports()

    def _assign_ports(self):
        extra_flags, heartbeat_ms, election_ms = self._settings
        ports = free_ports(2 * len(self.nodes))
        for i, n in enumerate(self.nodes):
            n.client_port, n.peer_port = ports[2 * i], ports[2 * i + 1]
        initial_cluster = ",".join("%s=%s" % (n.name, n.peer_url) for n in self.nodes)
        for n in self.nodes:
            n.flags = [
                "--name", n.name,
                "--data-dir", n.data_dir,
                "--listen-client-urls", n.endpoint,
                "--advertise-client-urls", n.endpoint,
                "--listen-peer-urls", n.peer_url,
                "--initial-advertise-peer-urls", n.peer_url,
                "--initial-cluster", initial_cluster,
                "--initial-cluster-state", "new",
                "--initial-cluster-token", "e2e-" + self.name,
                "--heartbeat-interval", str(heartbeat_ms),
                "--election-timeout", str(election_ms),
            ] + list(extra_flags)
            if self.kind == "etcd":
                n.flags += ["--logger", "zap", "--log-outputs", "stderr"]

    def lost_a_port(self):
        """True when a member exited because another process took one of its ports."""
        return any(not n.running() and "address already in use" in n.log_text().lower()
                   for n in self.nodes)

    def move_to_new_ports(self):
        """Stops every member, forgets their data and chooses new ports (before any real use)."""
        for n in self.nodes:
            n.kill9()
            shutil.rmtree(n.data_dir, ignore_errors=True)
        self._assign_ports()
        log("%s: a port was taken by another process; starting again on new ports" % self.name)

    def endpoints(self, indices=None):
        nodes = self.nodes if indices is None else [self.nodes[i] for i in indices]
        return [n.endpoint for n in nodes]

    def start(self, timeout=30):
        start_clusters([self], timeout=timeout)

    def wait_ready(self, indices=None, timeout=30):
        """Until every chosen member answers a linearizable read (`endpoint health`)."""
        indices = range(len(self.nodes)) if indices is None else indices
        deadline = time.monotonic() + timeout
        for i in indices:
            node = self.nodes[i]
            while True:
                if not node.running():
                    tail = "\n".join(node.log_text().splitlines()[-5:])
                    raise TestFailure("%s exited with %s while starting; its log ends:\n%s" %
                                      (node.name, node.proc.returncode, tail))
                if port_open(node.client_port):
                    r = self.harness.etcdctl([node.endpoint], "endpoint", "health",
                                             "--command-timeout=2s", timeout=8)
                    if r.ok and "is healthy" in r.output:
                        break
                if time.monotonic() > deadline:
                    raise TestFailure("%s not healthy within %d s" % (node.name, timeout))
                time.sleep(0.1)
        log("%s ready: %s" % (self.name, ", ".join(self.nodes[i].name for i in indices)))

    def status(self, index, timeout=8):
        """`etcdctl endpoint status -w json` of one member, or None."""
        r = self.harness.etcdctl([self.nodes[index].endpoint], "endpoint", "status", "-w", "json",
                                 "--command-timeout=3s", timeout=timeout)
        if not r.ok:
            return None
        try:
            return json.loads(r.stdout)[0]["Status"]
        except (ValueError, KeyError, IndexError):
            return None

    def leader_index(self, timeout=20, among=None):
        """The index of the member that every running member (or `among`) names as leader."""
        deadline = time.monotonic() + timeout
        among = [i for i, n in enumerate(self.nodes) if n.running()] if among is None else among
        while time.monotonic() < deadline:
            leaders = set()
            ids = {}
            for i in among:
                st = self.status(i)
                if st is None:
                    leaders.add(None)
                    continue
                leaders.add(st.get("leader"))
                ids[st["header"]["member_id"]] = i
            if len(leaders) == 1:
                leader = leaders.pop()
                if leader in ids:
                    return ids[leader]
            time.sleep(0.2)
        raise TestFailure("no agreed leader among %s within %d s" % (among, timeout))

    def stop(self):
        for n in self.nodes:
            if n.running():
                n.terminate()


def start_clusters(clusters, timeout=30, attempts=3):
    """Starts every member of every cluster at once and waits until all are healthy. A cluster
    whose member lost a port to another process (ports are chosen before the servers bind them)
    starts again on new ports."""
    for c in clusters:
        for n in c.nodes:
            n.start()
    for c in clusters:
        for attempt in range(attempts):
            try:
                c.wait_ready(timeout=timeout)
                break
            except TestFailure:
                if attempt + 1 == attempts or not c.lost_a_port():
                    raise
                c.move_to_new_ports()
                for n in c.nodes:
                    n.start()


class Harness:
    def __init__(self, test_name, args, deadline_seconds):
        self.test_name = test_name
        self.args = args
        self.deadline_seconds = deadline_seconds
        self.dir = None
        self.log_files = []
        self.clusters = []
        self._watchdog = None
        self.failed = False

    # binaries
    def etcd_binary(self):
        require_executable(self.args.etcd, "etcd")
        return self.args.etcd

    def synod_binary(self):
        return synod_binary(self.args)

    def __enter__(self):
        require_executable(self.args.etcdctl, "etcdctl")
        self.dir = tempfile.mkdtemp(prefix="synod-e2e-%s-" % self.test_name)
        log("working directory %s" % self.dir)
        self._watchdog = threading.Timer(self.deadline_seconds, self._on_deadline)
        self._watchdog.daemon = True
        self._watchdog.start()
        return self

    def _on_deadline(self):
        print("\nFAIL: the test did not finish within %d s (watchdog)" % self.deadline_seconds,
              flush=True)
        faulthandler.dump_traceback(all_threads=True)
        try:
            self.dump_logs()
        finally:
            kill_all_children()
            sys.stdout.flush()
            os._exit(1)

    def __exit__(self, exc_type, exc, tb):
        self._watchdog.cancel()
        for c in self.clusters:
            for n in c.nodes:
                if n.running():
                    n.proc.kill()
        kill_all_children()
        if exc_type is not None and exc_type is not SystemExit:
            self.failed = True
            print("\nFAIL: %s" % exc, flush=True)
            traceback.print_exception(exc_type, exc, tb)
            self.dump_logs()
        if self.args.keep:
            print("kept %s" % self.dir, flush=True)
        elif self.failed:
            # the logs stay; data directories (64 MiB preallocated WAL segments each) go
            for name in os.listdir(self.dir):
                path = os.path.join(self.dir, name)
                if os.path.isdir(path):
                    shutil.rmtree(path, ignore_errors=True)
            print("kept the logs in %s (SYNOD_E2E_KEEP=1 keeps the data too)" % self.dir, flush=True)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def dump_logs(self, lines=60):
        for name, path in self.log_files:
            try:
                with open(path, errors="replace") as f:
                    tail = f.read().splitlines()[-lines:]
            except OSError:
                continue
            print("----- last %d lines of %s (%s) -----" % (len(tail), name, path))
            for line in tail:
                print(line[:1000])
        sys.stdout.flush()

    def cluster(self, kind, size, name=None, **kwargs):
        c = Cluster(self, kind, size, name or "%s%d" % (kind, size), **kwargs)
        self.clusters.append(c)
        return c

    def etcdctl(self, endpoints, *args, input=None, timeout=ETCDCTL_PROCESS_TIMEOUT_SECONDS):
        env = dict(os.environ)
        env["ETCDCTL_API"] = "3"
        for var in ("ETCDCTL_ENDPOINTS", "ETCDCTL_CACERT", "ETCDCTL_CERT", "ETCDCTL_KEY",
                    "ETCDCTL_USER", "ETCDCTL_PASSWORD", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
                    "https_proxy", "ALL_PROXY", "all_proxy"):
            env.pop(var, None)
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        argv = [self.args.etcdctl, "--endpoints=" + ",".join(endpoints),
                "--dial-timeout=" + ETCDCTL_DIAL_TIMEOUT]
        if not any(a.startswith("--command-timeout") for a in args):
            argv.append("--command-timeout=" + ETCDCTL_COMMAND_TIMEOUT)
        argv += list(args)
        return run(argv, input=input, timeout=timeout, env=env)


def main(test_name, body, deadline_seconds, description="", extra_args=None):
    """Parses the arguments, runs body(harness) and exits 0 / 1 / 77."""
    args = parse_args(description or test_name, extra_args)
    try:
        with Harness(test_name, args, deadline_seconds) as h:
            body(h)
    except TestFailure:
        sys.exit(1)
    except SystemExit:
        raise
    except BaseException:
        sys.exit(1)
    log("PASS")
    sys.exit(0)


def seeded_random(default_seed):
    seed = int(os.environ.get("SYNOD_E2E_SEED", default_seed))
    log("random seed %d (set SYNOD_E2E_SEED to change)" % seed)
    return random.Random(seed), seed

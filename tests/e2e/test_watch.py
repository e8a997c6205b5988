#!/usr/bin/python3
"""etcdctl watch against etcd 3.4 and synod, and python3-etcd3's watch against synod.

Clusters: a one-node etcd (the reference), a one-node synod and a three-node synod; the same
watches also run with synodctl (from --bin-dir) against another one-node synod. The same
writes go to each (so revisions match), then the same `etcdctl watch` commands run against each:
replays with --rev over a key, a range and a prefix, --prev-kv, -w json, interactive `watch`
lines on stdin (-i), a live watch while writes go on, and a start below the compacted revision.
Exit code, stdout and stderr must equal the reference's after normalising cluster_id, member_id
and raft_term as test_etcdctl_compat.py does. On the three-node synod, watches run on a follower
while writes go to another member.

etcdctl watch never ends by itself: the reference runs until its output has been still for
SETTLE_SECONDS after the last input; the others until their output equals the reference's (or
that time passes, and the difference is reported). Then it is killed (or, interactive, its stdin
is closed, which ends it with an error line that must match too).
"""

import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, log  # noqa: E402
from test_etcdctl_compat import normalise_stderr, normalise_json  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402

SETTLE_SECONDS = 2.0
LINE_GAP_SECONDS = 0.4
HEADER_VOLATILE = ("cluster_id", "member_id", "raft_term")

# Writes, as etcdctl commands (argv, stdin). Every cluster starts at revision 1.
WRITES = [
    (["put", "foo", "1"], None),          # 2
    (["put", "foo/a", "2"], None),        # 3
    (["put", "foo/b", "3"], None),        # 4
    (["put", "bar", "x"], None),          # 5
    (["del", "foo/a"], None),             # 6
    (["txn"], "\nput foo/c 4\ndel foo/b\n\n\n"),  # 7: two events, one revision
    (["put", "foo", "5"], None),          # 8
    (["put", "foo/a", "6"], None),        # 9
]
LAST_REVISION = 9

# (name, argv, stdin lines or None, writes during the watch or None)
WATCHES = [
    ("key from rev 2", ["watch", "--rev", "2", "foo"], None, None),
    ("prefix, prev-kv", ["watch", "--rev", "2", "--prefix", "foo", "--prev-kv"], None, None),
    ("range", ["watch", "--rev", "3", "foo/", "foo/c"], None, None),
    ("prefix, json", ["watch", "--rev", "2", "--prefix", "foo/", "--prev-kv", "-w", "json"], None, None),
    ("from the future", ["watch", "--rev", str(LAST_REVISION + 2), "--prefix", "live/"], None,
     [["put", "live/1", "a"], ["put", "live/2", "b"], ["del", "live/1"]]),
    ("live, prev-kv", ["watch", "--prefix", "live/", "--prev-kv", "--rev", str(LAST_REVISION + 4)],
     None, [["put", "live/2", "c"], ["put", "other", "z"], ["del", "live/2"]]),
    ("interactive", ["watch", "-i"],
     ["watch --rev 2 foo", "watch --rev 4 --prefix foo/ --prev-kv", "watch foo/c foo/a"], None),
    ("interactive, json", ["watch", "-i", "-w", "json"], ["watch --rev 5 --prefix fo"], None),
]


def normalise_stdout(text):
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("{"):
            try:
                value = json.loads(stripped)
                if isinstance(value, dict) and isinstance(value.get("Header"), dict):
                    value["Header"] = {k: v for k, v in value["Header"].items()
                                      if k not in HEADER_VOLATILE}
                lines.append(json.dumps(normalise_json(value), sort_keys=True))
                continue
            except ValueError:
                pass
        lines.append(line)
    return "\n".join(lines)


class WatchProcess:
    """etcdctl watch with its stdout/stderr collected as they come."""

    def __init__(self, h, endpoint, argv, client=None):
        env = dict(os.environ)
        env["ETCDCTL_API"] = "3"
        env.pop("ETCDCTL_ENDPOINTS", None)
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        self.proc = subprocess.Popen(
            [client or h.args.etcdctl, "--endpoints=" + endpoint, "--dial-timeout=2s"] + argv,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        harness._register(self.proc)
        self.out, self.err = [], []
        self.lock = threading.Lock()
        self.changed = time.monotonic()
        self.readers = [threading.Thread(target=self._read, args=(s, b), daemon=True)
                        for s, b in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.readers:
            t.start()

    def _read(self, stream, into):
        for chunk in iter(lambda: stream.read1(4096), b""):
            with self.lock:
                into.append(chunk)
                self.changed = time.monotonic()

    def send_line(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def snapshot(self):
        with self.lock:
            return (b"".join(self.out).decode(errors="backslashreplace"),
                    b"".join(self.err).decode(errors="backslashreplace"))

    def finish(self, interactive):
        if interactive:
            self.proc.stdin.close()
        else:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for t in self.readers:
            t.join(timeout=5)
        out, err = self.snapshot()
        # A killed watch has no exit code of its own to compare.
        code = self.proc.returncode if interactive else "killed"
        return (code, normalise_stdout(out), normalise_stderr(err))


def run_watch(h, cluster, watch, expected=None, client=None):
    name, argv, lines, writes = watch
    member = 1 if len(cluster.nodes) > 1 else 0
    process = WatchProcess(h, cluster.endpoints([member])[0], argv, client)
    for line in lines or []:
        time.sleep(LINE_GAP_SECONDS)
        process.send_line(line)
    for write in writes or []:
        r = h.etcdctl(cluster.endpoints([0]), *write)
        check(r.ok, "%s: write %s failed: %r" % (cluster.name, write, r))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        time.sleep(0.1)
        out, err = process.snapshot()
        if expected is not None:
            # stderr of an interactive watch comes only when its stdin closes
            if normalise_stdout(out) == expected[1] and (lines is not None or
                                                         normalise_stderr(err) == expected[2]):
                break
        elif time.monotonic() - process.changed > SETTLE_SECONDS:
            break
    return process.finish(interactive=lines is not None)


def compare_watches(h, clusters, synodctl, synodctl_cluster):
    """etcdctl on every cluster, and synodctl on its own one-node synod, against etcdctl on the
    reference (a live watch writes, so each run needs its own cluster)."""
    mismatches = []
    for watch in WATCHES:
        reference = run_watch(h, clusters[0], watch)
        check(reference[1].strip() != "", "the reference printed nothing for %s: %r" % (watch[0], reference))
        runs = [(c, None) for c in clusters[1:]]
        if synodctl:
            runs.append((synodctl_cluster, synodctl))
        for c, client in runs:
            got = run_watch(h, c, watch, expected=reference, client=client)
            if got != reference:
                mismatches.append("%s on %s with %s:\n  etcd:  %r\n  synod: %r" % (
                    watch[0], c.name, "synodctl" if client else "etcdctl", reference, got))
        log("watch %-18s same on %d clusters%s" % (watch[0], len(clusters),
                                                   ", and with synodctl" if synodctl else ""))
    # Below the compacted revision: etcdctl reports the cancellation and exits on its own.
    outputs = []
    for c in clusters:
        r = h.etcdctl(c.endpoints([0]), "compact", str(LAST_REVISION))
        check(r.ok, "compact on %s: %r" % (c.name, r))
        r = h.etcdctl(c.endpoints([len(c.nodes) - 1]), "watch", "--rev", "3", "foo")
        outputs.append((r.returncode, normalise_stdout(r.stdout), normalise_stderr(r.stderr)))
    if synodctl:
        endpoint = synodctl_cluster.endpoints([0])[0]
        r = h.etcdctl([endpoint], "compact", str(LAST_REVISION))
        check(r.ok, "compact on %s: %r" % (synodctl_cluster.name, r))
        r = harness.run([synodctl, "--endpoints=" + endpoint, "watch", "--rev", "3", "foo"])
        outputs.append((r.returncode, normalise_stdout(r.stdout), normalise_stderr(r.stderr)))
        clusters = clusters + [synodctl_cluster]
    check(outputs[0][0] not in (0, None), "etcd's compacted watch: %r" % (outputs[0],))
    for c, out in zip(clusters[1:], outputs[1:]):
        if out != outputs[0]:
            mismatches.append("compacted watch on %s:\n  etcd:  %r\n  synod: %r" % (c.name, outputs[0], out))
    return mismatches


def python_etcd3_watch(h, cluster):
    try:
        import etcd3
    except ImportError as e:
        harness.skip("python3-etcd3 missing: %s" % e)
    port = int(cluster.endpoints([0])[0].rsplit(":", 1)[1])
    client = etcd3.client(host=harness.HOST, port=port, timeout=10)
    events, cancel = client.watch(b"py/key")
    prefix_events, cancel_prefix = client.watch_prefix(b"py/")
    client.put(b"py/key", b"v1")
    client.put(b"py/other", b"v2")
    client.delete(b"py/key")
    got = []
    for event in events:
        got.append((type(event).__name__, event.key, event.value))
        if len(got) == 2:
            break
    cancel()
    check(got == [("PutEvent", b"py/key", b"v1"), ("DeleteEvent", b"py/key", b"")],
          "python3-etcd3 watch: %r" % got)
    got_prefix = []
    for event in prefix_events:
        got_prefix.append((type(event).__name__, event.key))
        if len(got_prefix) == 3:
            break
    cancel_prefix()
    check(got_prefix == [("PutEvent", b"py/key"), ("PutEvent", b"py/other"), ("DeleteEvent", b"py/key")],
          "python3-etcd3 watch_prefix: %r" % got_prefix)
    # After cancel the iterator ends; a new watch on the same client still works.
    events, cancel = client.watch(b"py/again")
    client.put(b"py/again", b"x")
    first = next(iter(events))
    cancel()
    check(first.value == b"x", "python3-etcd3 watch after cancel: %r" % first)
    log("python3-etcd3 watch, watch_prefix and cancel work against %s" % cluster.name)


def extra_args(parser):
    parser.add_argument("--targets", default="synod1,synod3",
                        help="clusters compared with a one-node etcd: synod1,synod3,etcd3")


def body(h):
    targets = [t for t in h.args.targets.split(",") if t]
    if any(t.startswith("synod") for t in targets):
        h.synod_binary()  # skips when absent
    clusters = [h.cluster("etcd", 1, name="etcd1")]
    for t in targets:
        m = re.fullmatch(r"(etcd|synod)(\d+)", t)
        check(m is not None, "bad target %s" % t)
        clusters.append(h.cluster(m.group(1), int(m.group(2)), name=t))
    synodctl = os.path.join(h.args.bin_dir, "synodctl") if h.args.bin_dir else ""
    synodctl_cluster = None
    if os.access(synodctl, os.X_OK):
        synodctl_cluster = h.cluster("synod", 1, name="synodctl1")
    else:
        log("no synodctl binary: comparing etcdctl only")
        synodctl = None
    harness.start_clusters(clusters + ([synodctl_cluster] if synodctl_cluster else []), timeout=30)
    for c in clusters + ([synodctl_cluster] if synodctl_cluster else []):
        for argv, stdin in WRITES:
            r = h.etcdctl(c.endpoints([0]), *argv, input=stdin)
            check(r.ok, "%s: %s: %r" % (c.name, argv, r))
        r = h.etcdctl(c.endpoints([0]), "get", "foo", "-w", "json")
        check(json.loads(r.stdout)["header"]["revision"] == LAST_REVISION,
              "%s is not at revision %d: %r" % (c.name, LAST_REVISION, r))
    failures = compare_watches(h, clusters, synodctl, synodctl_cluster)
    for f in failures:
        print("MISMATCH " + f, flush=True)
    check(not failures, "%d mismatches with the reference etcd" % len(failures))
    for c in clusters[1:]:
        if c.kind == "synod":
            python_etcd3_watch(h, c)


if __name__ == "__main__":
    harness.main("watch", body, deadline_seconds=240, extra_args=extra_args)

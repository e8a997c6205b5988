#!/usr/bin/python3
"""kill -9 in a three-node cluster loses no acknowledged write, and the cluster stays writable.

A three-node synod cluster on 127.0.0.1. Writer threads put distinct keys (three over gRPC, each
starting on a different member and moving on when one fails; one through etcdctl with all three
endpoints) and record every write that was acknowledged. Then, twice (first a follower, then the
leader, found with `etcdctl endpoint status -w json`):
  * kill -9 the member; the remaining two must acknowledge new writes within WRITABLE_WITHIN_SECONDS;
  * restart it with the same flags; it must answer `endpoint health` within RESTART_WITHIN_SECONDS.
Finally, with the writers stopped, every member is read on its own (`etcdctl get --consistency=s`
after a linearizable read on that member, so it has applied everything committed): every
acknowledged write must be there with its value, a write whose outcome is unknown (error, timeout)
may be there only with its value, nothing else may be there, and the members must hold exactly
the same keys, values and revisions.

`--target etcd` runs the same test against etcd 3.4 (the reference).
"""

import json
import os
import random
import sys
import threading
import time
import base64

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, log  # noqa: E402

GRPC_WRITERS = 3
WRITABLE_WITHIN_SECONDS = 10.0   # from the kill to the first write acknowledged afterwards
RESTART_WITHIN_SECONDS = 20.0    # from the restart to a healthy member
PHASE_SECONDS = 2.0              # writes before and after each kill and restart
PUT_TIMEOUT_SECONDS = 3.0


class Ledger:
    """What every writer attempted, and what was acknowledged, with times."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}       # key -> (value, time sent, time acknowledged)
        self.uncertain = {}   # key -> (value, error text)
        self.errors = 0

    def ack(self, key, value, sent):
        with self.lock:
            self.acked[key] = (value, sent, time.monotonic())

    def unknown(self, key, value, error):
        with self.lock:
            self.uncertain[key] = (value, error)
            self.errors += 1

    def acked_since(self, since):
        """How many writes sent at or after `since` were acknowledged."""
        with self.lock:
            return sum(1 for _, sent, _ in self.acked.values() if sent >= since)

    def first_ack_since(self, since):
        """When the first write sent at or after `since` was acknowledged."""
        with self.lock:
            times = [acked for _, sent, acked in self.acked.values() if sent >= since]
        return min(times) if times else None


class GrpcWriter(threading.Thread):
    def __init__(self, index, cluster, ledger, stop):
        super().__init__(daemon=True, name="grpc-writer-%d" % index)
        import grpc
        from etcd3.etcdrpc import rpc_pb2, rpc_pb2_grpc
        self.grpc, self.pb = grpc, rpc_pb2
        self.index = index
        self.ledger = ledger
        self.stop = stop
        self.channels = [grpc.insecure_channel("%s:%d" % (harness.HOST, n.client_port))
                         for n in cluster.nodes]
        self.stubs = [rpc_pb2_grpc.KVStub(ch) for ch in self.channels]
        self.member = index % len(self.stubs)
        self.rng = random.Random(index)

    def run(self):
        seq = 0
        while not self.stop.is_set():
            key = "g%d/%06d" % (self.index, seq)
            value = "v-%d-%d-%08x" % (self.index, seq, self.rng.getrandbits(32))
            seq += 1
            sent = time.monotonic()
            try:
                self.stubs[self.member].Put(self.pb.PutRequest(key=key.encode(), value=value.encode()),
                                            timeout=PUT_TIMEOUT_SECONDS)
                self.ledger.ack(key, value, sent)
            except self.grpc.RpcError as e:
                self.ledger.unknown(key, value, "%s %s" % (e.code().name, e.details()))
                self.member = (self.member + 1) % len(self.stubs)
                time.sleep(0.05)
        for ch in self.channels:
            ch.close()


class EtcdctlWriter(threading.Thread):
    def __init__(self, h, cluster, ledger, stop):
        super().__init__(daemon=True, name="etcdctl-writer")
        self.h, self.cluster, self.ledger, self.stop = h, cluster, ledger, stop

    def run(self):
        seq = 0
        while not self.stop.is_set():
            key, value = "e/%06d" % seq, "v-e-%d" % seq
            seq += 1
            sent = time.monotonic()
            r = self.h.etcdctl(self.cluster.endpoints(), "put", key, value,
                               "--command-timeout=%ds" % PUT_TIMEOUT_SECONDS, timeout=15)
            if r.ok and r.stdout.strip() == "OK":
                self.ledger.ack(key, value, sent)
            else:
                self.ledger.unknown(key, value, (r.stderr.strip().splitlines() or ["?"])[-1])
                time.sleep(0.05)


def wait_writable(ledger, since, what):
    deadline = since + WRITABLE_WITHIN_SECONDS
    while time.monotonic() < deadline:
        first = ledger.first_ack_since(since)
        if first is not None:
            log("%s: the first write sent since was acknowledged %.2f s later" % (what, first - since))
            return first - since
        time.sleep(0.05)
    raise harness.TestFailure("%s: no write acknowledged within %.0f s" % (what, WRITABLE_WITHIN_SECONDS))


def kill_and_restart(h, cluster, ledger, victim, role):
    log("killing the %s %s" % (role, cluster.nodes[victim].name))
    killed_at = time.monotonic()
    cluster.nodes[victim].kill9()
    wait_writable(ledger, killed_at, "after kill -9 of the %s" % role)
    time.sleep(PHASE_SECONDS)
    check(ledger.acked_since(killed_at) > 0, "no write while the %s was down" % role)
    restarted_at = time.monotonic()
    cluster.nodes[victim].start()
    cluster.wait_ready([victim], timeout=RESTART_WITHIN_SECONDS)
    log("the %s is back after %.2f s" % (role, time.monotonic() - restarted_at))
    time.sleep(PHASE_SECONDS)
    check(ledger.acked_since(restarted_at) > 0, "no write after the %s came back" % role)


def member_contents(h, cluster, i):
    """key -> (value, create_revision, mod_revision, version) as member i alone sees it."""
    endpoint = cluster.endpoints([i])
    r = h.etcdctl(endpoint, "get", "barrier", timeout=20)  # linearizable: member i caught up
    check(r.ok, "linearizable read on %s failed: %r" % (cluster.nodes[i].name, r))
    r = h.etcdctl(endpoint, "get", "", "--from-key", "--consistency=s", "-w", "json", timeout=30)
    check(r.ok, "serializable read on %s failed: %r" % (cluster.nodes[i].name, r))
    doc = json.loads(r.stdout)
    contents = {}
    for kv in doc.get("kvs", []):
        key = base64.b64decode(kv["key"]).decode()
        contents[key] = (base64.b64decode(kv.get("value", "")).decode(), kv.get("create_revision"),
                         kv.get("mod_revision"), kv.get("version"))
    return contents, doc["header"]["revision"]


def verify(h, cluster, ledger):
    views = [member_contents(h, cluster, i) for i in range(len(cluster.nodes))]
    problems = []
    for i, (contents, revision) in enumerate(views):
        name = cluster.nodes[i].name
        missing = [k for k in ledger.acked if k not in contents]
        wrong = [k for k, (v, _, _) in ledger.acked.items() if k in contents and contents[k][0] != v]
        bad_unknown = [k for k, (v, _) in ledger.uncertain.items()
                       if k in contents and contents[k][0] != v]
        extra = [k for k in contents if k not in ledger.acked and k not in ledger.uncertain]
        log("%s: revision %d, %d keys; acknowledged missing %d, wrong value %d; unknown-outcome "
            "writes present %d of %d" % (name, revision, len(contents), len(missing), len(wrong),
                                         sum(1 for k in ledger.uncertain if k in contents),
                                         len(ledger.uncertain)))
        for label, keys in (("acknowledged but missing", missing), ("wrong value", wrong),
                            ("unknown outcome, wrong value", bad_unknown), ("never written", extra)):
            if keys:
                problems.append("%s: %d keys %s, e.g. %s" % (name, len(keys), label, sorted(keys)[:10]))
    reference = views[0]
    for i, view in enumerate(views[1:], start=1):
        if view != reference:
            differ = sorted(k for k in set(view[0]) | set(reference[0])
                            if view[0].get(k) != reference[0].get(k))
            problems.append("%s and %s differ (revisions %d / %d) on %d keys, e.g. %s" % (
                cluster.nodes[0].name, cluster.nodes[i].name, reference[1], view[1], len(differ),
                [(k, reference[0].get(k), view[0].get(k)) for k in differ[:5]]))
    for p in problems:
        print("PROBLEM " + p, flush=True)
    check(not problems, "%d problems after the kills" % len(problems))


def body(h):
    try:
        import grpc  # noqa: F401
        from etcd3.etcdrpc import rpc_pb2  # noqa: F401
    except ImportError as e:
        harness.skip("python3-grpcio / python3-etcd3 missing: %s" % e)
    cluster = h.cluster(h.args.target, 3, name="kill9")
    cluster.start()
    ledger = Ledger()
    stop = threading.Event()
    writers = [GrpcWriter(i, cluster, ledger, stop) for i in range(GRPC_WRITERS)]
    writers.append(EtcdctlWriter(h, cluster, ledger, stop))
    for w in writers:
        w.start()
    try:
        started = time.monotonic()
        wait_writable(ledger, started, "at start")
        time.sleep(PHASE_SECONDS)

        leader = cluster.leader_index()
        follower = (leader + 1) % 3
        kill_and_restart(h, cluster, ledger, follower, "follower")

        leader = cluster.leader_index()
        kill_and_restart(h, cluster, ledger, leader, "leader")
    finally:
        stop.set()
        for w in writers:
            w.join(timeout=20)
    stuck = [w.name for w in writers if w.is_alive()]
    if stuck:
        import faulthandler
        faulthandler.dump_traceback(all_threads=True)
    check(not stuck, "writer threads %s did not stop within 20 s" % stuck)
    log("%d writes acknowledged, %d with an unknown outcome" % (len(ledger.acked), len(ledger.uncertain)))
    for key, (value, error) in sorted(ledger.uncertain.items())[:8]:
        log("  unknown outcome: %s: %s" % (key, error[:200]))
    verify(h, cluster, ledger)
    for n in cluster.nodes:
        check(n.running(), "%s exited with %s" % (n.name, n.proc.returncode))
    for n in cluster.nodes:
        code = n.terminate()
        # etcd re-raises SIGTERM after its clean shutdown; synod must exit 0
        clean = (0, -15) if n.kind == "etcd" else (0,)
        check(code in clean, "%s exited with %s after SIGTERM" % (n.name, code))


def extra_args(parser):
    parser.add_argument("--target", choices=["synod", "etcd"], default="synod")


if __name__ == "__main__":
    harness.main("kill9", body, deadline_seconds=200, extra_args=extra_args)

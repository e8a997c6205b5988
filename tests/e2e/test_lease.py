#!/usr/bin/python3
"""etcd's Lease service: etcdctl and python3-etcd3 against Synod as against etcd 3.4, and leases
across a kill -9 of the leader.

1. A one-node etcd (reference) and a one-node synod, in lock step: `etcdctl lease grant / revoke /
   keep-alive --once / timetolive [--keys] / list` and `put --lease`, errors included, give the
   same exit code, stdout and stderr once lease ids (random on both) are replaced by their order
   of appearance, the remaining seconds of `timetolive` (a clock reading) by N, and the ids of
   `lease list` and the attached keys of `timetolive --keys` are sorted (etcd lists leases by
   expiry and keys in Go map order, synod both in order). The same script through synodctl
   against a third (synod) member gives etcdctl's exit codes, stdout and "Error:" lines.
   With -w json, fields, protobuf and table, synodctl prints every lease command's answer (or
   error) byte for byte as etcdctl does against the same synod member.
2. python3-etcd3 on synod: lease(), put with the lease, refresh(), remaining_ttl, granted_ttl,
   keys, revoke(), and the leased key gone with the lease; `etcdctl lease keep-alive` and
   `synodctl lease keep-alive` (continuous, one stream) keep a 3 s lease alive for 4.5 s.
3. A three-node synod: a 5 s lease holds a key; keep-alives go once a second through a member
   that is not the leader; the leader is killed with kill -9; the key must still be there 10 s
   later (two TTLs). Then the keep-alives stop: the key must vanish, neither before the TTL has
   passed since the last keep-alive, nor long after it.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, log  # noqa: E402
from test_etcdctl_compat import normalise_stderr, normalise_stdout  # noqa: E402

LEASE_TTL_SECONDS = 5
KEEP_ALIVE_EVERY_SECONDS = 1.0
SURVIVES_SECONDS = 10.0


class LeaseIds:
    """Replaces each target's lease ids (hex as etcdctl prints them) by LEASE<n> in order."""

    def __init__(self):
        self.names = {}

    def learn(self, text):
        for lease_id in re.findall(r"lease ([0-9a-f]{16}) granted", text):
            self.names.setdefault(lease_id, "LEASE%d" % (len(self.names) + 1))

    def normalise(self, text):
        for lease_id, name in self.names.items():
            text = text.replace(lease_id, name)
        text = re.sub(r"remaining\(\d+s\)", "remaining(Ns)", text)
        # etcd lists attached keys in its map's (random) order; synod in key order.
        text = re.sub(r"attached keys\(\[(.*?)\]\)",
                      lambda m: "attached keys([%s])" % " ".join(sorted(m.group(1).split(" "))), text)
        lines = text.split("\n")
        if lines and lines[0].startswith("found "):
            body = sorted(line for line in lines[1:] if line)
            lines = [lines[0]] + body + [""]
        return "\n".join(lines)

    def hex_of(self, name):
        for lease_id, known in self.names.items():
            if known == name:
                return lease_id
        raise harness.TestFailure("no lease %s" % name)


# Commands with LEASE<n> standing for the n-th lease granted on that target.
SCRIPT = [
    ["lease", "grant", "60"],
    ["lease", "grant", "1"],            # raised to the minimum TTL (2 s for a 1 s election timeout)
    ["lease", "revoke", "LEASE2"],
    ["put", "--lease=LEASE1", "k1", "v1"],
    ["put", "--lease=LEASE1", "k2", "v2"],
    ["put", "k3", "v3"],
    ["lease", "timetolive", "LEASE1"],
    ["lease", "timetolive", "--keys", "LEASE1"],
    ["lease", "list"],
    ["lease", "keep-alive", "--once", "LEASE1"],
    ["lease", "grant", "30"],
    ["put", "--lease=LEASE3", "k1", "moved"],  # k1 moves to LEASE3
    ["lease", "timetolive", "--keys", "LEASE1"],
    ["lease", "list"],
    ["put", "--lease=123456789abcdef", "k4", "v4"],
    ["lease", "revoke", "123456789abcdef"],
    ["lease", "timetolive", "123456789abcdef"],
    ["lease", "keep-alive", "--once", "123456789abcdef"],
    ["lease", "revoke", "LEASE1"],
    ["get", "--prefix", "k"],
    ["lease", "revoke", "LEASE1"],
    ["lease", "timetolive", "--keys", "LEASE1"],
    ["lease", "grant", "9000000001"],
    ["lease", "revoke", "LEASE3"],
    ["get", "--prefix", "k"],
    ["lease", "list"],
    ["get", "k3", "-w", "json"],
]


def substitute(argv, ids):
    out = []
    for arg in argv:
        for name in sorted(ids.names.values(), key=len, reverse=True):
            if name in arg:
                arg = arg.replace(name, ids.hex_of(name))
        out.append(arg)
    return out


def synodctl(h, endpoints, *args, timeout=15):
    binary = os.path.join(os.path.dirname(h.synod_binary()), "synodctl")
    harness.require_executable(binary, "synodctl")
    return harness.run([binary, "--endpoints=" + ",".join(endpoints), "--dial-timeout=2s",
                        "--command-timeout=5s"] + list(args), timeout=timeout)


def without_client_logs(view):
    """etcdctl's view without its client library's log lines, which synodctl does not print."""
    returncode, stdout, stderr = view
    lines = [line for line in stderr.split("\n") if not line.startswith("<etcdctl ")]
    return returncode, stdout, "\n".join(lines)


def compare_etcdctl(h):
    etcd = h.cluster("etcd", 1, name="ref")
    synod = h.cluster("synod", 1, name="syn")
    synod_ctl = h.cluster("synod", 1, name="ctl")
    for cluster in (etcd, synod, synod_ctl):
        cluster.start()
    targets = [("etcd", etcd, LeaseIds(), h.etcdctl), ("synod", synod, LeaseIds(), h.etcdctl),
               ("synodctl", synod_ctl, LeaseIds(), lambda e, *a: synodctl(h, e, *a))]
    for step, command in enumerate(SCRIPT):
        views = []
        for kind, cluster, ids, tool in targets:
            r = tool(cluster.endpoints(), *substitute(command, ids))
            ids.learn(r.stdout)
            views.append((r.returncode, normalise_stdout(ids.normalise(r.stdout)),
                          normalise_stderr(ids.normalise(r.stderr))))
        check(views[0] == views[1], "step %d %s: etcd %r, synod %r" % (step, command, views[0], views[1]))
        check(without_client_logs(views[0]) == views[2],
              "step %d %s: etcdctl %r, synodctl %r" % (step, command, views[0], views[2]))
        log("same: %s -> %r" % (" ".join(command), views[0][1].strip()[:80] or views[0][2].strip()[:80]))


def python_client(h):
    import etcd3
    synod = h.cluster("synod", 1, name="py")
    synod.start()
    client = etcd3.client(host=harness.HOST, port=synod.nodes[0].client_port, timeout=5)
    lease = client.lease(30)
    check(lease.id > 0 and lease.ttl == 30, "lease(): id %r ttl %r" % (lease.id, lease.ttl))
    client.put("pk", "pv", lease=lease)
    client.put("other", "x")
    lease.refresh()
    check(lease.granted_ttl == 30, "granted_ttl %r" % lease.granted_ttl)
    check(28 <= lease.remaining_ttl <= 30, "remaining_ttl %r" % lease.remaining_ttl)
    check(lease.keys == [b"pk"], "keys %r" % lease.keys)
    value, meta = client.get("pk")
    check(value == b"pv" and meta.lease_id == lease.id, "get pk: %r %r" % (value, meta and meta.lease_id))
    lease.revoke()
    check(client.get("pk")[0] is None, "pk survived its lease's revocation")
    check(client.get("other")[0] == b"x", "a key without the lease went with it")
    check(lease.remaining_ttl == -1, "remaining_ttl after revoke %r" % lease.remaining_ttl)
    client.close()
    log("python3-etcd3: lease, put with lease, refresh, remaining_ttl, keys, revoke work")

    # etcdctl's and synodctl's continuous keep-alive (a renewal every TTL/3 or so, on one stream
    # for etcdctl): a 3 s lease is alive after 4.5 s only if later renewals work too.
    for name, tool in (("etcdctl", h.etcdctl), ("synodctl", lambda e, *a, **k: synodctl(h, e, *a, **k))):
        r = h.etcdctl(synod.endpoints(), "lease", "grant", "3")
        lease_hex = re.search(r"lease ([0-9a-f]{16}) granted", r.stdout).group(1)
        r = tool(synod.endpoints(), "lease", "keep-alive", lease_hex, timeout=4.5)
        renewals = r.stdout.count("lease %s keepalived with TTL(3)\n" % lease_hex)
        check(r.returncode is None and renewals >= 2, "%s keep-alive: %r" % (name, r))
        r = h.etcdctl(synod.endpoints(), "lease", "timetolive", lease_hex)
        check("granted with TTL(3s)" in r.stdout, "%s kept no lease alive: %r" % (name, r))
        log("%s lease keep-alive: %d renewals on one stream in 4.5 s" % (name, renewals))


# The leases' commands in each -w format, by etcdctl and by synodctl against the same synod member.
FORMATS = ("json", "fields", "protobuf", "table")


def output_formats(h):
    synod = h.cluster("synod", 1, name="fmt")
    synod.start()
    ep = synod.endpoints()
    tools = (("etcdctl", h.etcdctl), ("synodctl", lambda e, *a, **k: synodctl(h, e, *a, **k)))
    shared = LeaseIds()
    shared.learn(h.etcdctl(ep, "lease", "grant", "7300").stdout)  # read by both tools
    held = shared.hex_of("LEASE1")
    check(h.etcdctl(ep, "put", "--lease=" + held, "a", "1").ok, "put a")
    check(h.etcdctl(ep, "put", "--lease=" + held, "b\tc", "2").ok, "put b")
    to_revoke = {}
    for name, _ in tools:
        ids = LeaseIds()
        for _ in FORMATS:
            ids.learn(h.etcdctl(ep, "lease", "grant", "100").stdout)
        to_revoke[name] = [ids.hex_of("LEASE%d" % (i + 1)) for i in range(len(FORMATS))]
    steps = []
    for i, fmt in enumerate(FORMATS):
        for kind, argv in (("grant", ["lease", "grant", "100"]),
                           ("timetolive", ["lease", "timetolive", held]),
                           ("timetolive", ["lease", "timetolive", "--keys", held]),
                           ("timetolive", ["lease", "timetolive", "--keys", "1234"]),
                           ("list", ["lease", "list"]),
                           ("keep-alive", ["lease", "keep-alive", "--once", held]),
                           ("revoke", ["lease", "revoke", "REVOKE%d" % i])):
            steps.append((kind, argv + ["-w", fmt]))
    for kind, argv in steps:
        views = []
        for name, tool in tools:
            args = [to_revoke[name][int(a[6:])] if a.startswith("REVOKE") else a for a in argv]
            r = tool(ep, *args)
            out = r.stdout
            if kind == "grant":  # each tool's own new lease
                out = re.sub(r'"ID"( : |:)\d+', r'"ID"\1<new>', out)
            if kind == "timetolive":  # a clock reading
                out = re.sub(r'"ttl":\d+|"TTL" : \d+', "<remaining>", out)
            views.append((r.returncode, out, normalise_stderr(r.stderr)))
        check(without_client_logs(views[0]) == views[1],
              "%s: etcdctl %r, synodctl %r" % (" ".join(argv), views[0], views[1]))
        log("same: %s -> %r" % (" ".join(argv), (views[0][1] or views[0][2]).strip()[:70]))


def leader_kill(h):
    cluster = h.cluster("synod", 3, name="kill")
    cluster.start()
    leader = cluster.leader_index()
    others = [i for i in range(3) if i != leader]
    r = h.etcdctl(cluster.endpoints(others), "lease", "grant", str(LEASE_TTL_SECONDS))
    check(r.ok, "grant: %r" % r)
    lease_id = re.search(r"lease ([0-9a-f]{16}) granted", r.stdout).group(1)
    check(h.etcdctl(cluster.endpoints(others), "put", "--lease=" + lease_id, "held", "v").ok, "put")

    def keep_alive(indices):
        r = h.etcdctl(cluster.endpoints(indices), "lease", "keep-alive", "--once", lease_id,
                      "--command-timeout=2s")
        return r.ok and ("keepalived with TTL(%d)" % LEASE_TTL_SECONDS) in r.stdout

    def key_present(index):
        r = h.etcdctl(cluster.endpoints([index]), "get", "held", "--print-value-only",
                      "--command-timeout=3s")
        check(r.ok, "get held on %d: %r" % (index, r))
        return r.stdout.strip() == "v"

    check(keep_alive([others[0]]), "keep-alive through a follower")
    cluster.nodes[leader].kill9()
    killed_at = time.monotonic()
    last_ok = killed_at
    while time.monotonic() - killed_at < SURVIVES_SECONDS:
        # Fails while the survivors elect a leader (about a second); the lease outlives that.
        if keep_alive(others):
            last_ok = time.monotonic()
        time.sleep(KEEP_ALIVE_EVERY_SECONDS)
    check(time.monotonic() - last_ok < 2 * KEEP_ALIVE_EVERY_SECONDS + 3, "keep-alives stopped working")
    check(key_present(others[0]) and key_present(others[1]), "the key vanished despite keep-alives")
    log("the lease kept its key %.0f s past the leader's kill -9" % SURVIVES_SECONDS)

    stopped_at = last_ok
    vanished_at = None
    while time.monotonic() - stopped_at < 4 * LEASE_TTL_SECONDS:
        if not key_present(others[0]):
            vanished_at = time.monotonic()
            break
        time.sleep(0.2)
    check(vanished_at is not None, "the key outlived its lease by %d s" % (3 * LEASE_TTL_SECONDS))
    lived = vanished_at - stopped_at
    check(lived >= LEASE_TTL_SECONDS - 0.5, "the key vanished %.1f s after the last keep-alive" % lived)
    check(not key_present(others[1]), "the key is still on the other member")
    log("the key vanished %.1f s after the last keep-alive (TTL %d s)" % (lived, LEASE_TTL_SECONDS))


def body(h):
    try:
        import etcd3  # noqa: F401
    except ImportError:
        harness.skip("python3-etcd3 is not importable")
    compare_etcdctl(h)
    output_formats(h)
    python_client(h)
    leader_kill(h)


if __name__ == "__main__":
    harness.main("lease", body, deadline_seconds=240, description=__doc__)

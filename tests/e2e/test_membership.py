#!/usr/bin/python3
"""Membership on a running cluster: etcd's Cluster service as etcdctl 3.4 uses it.

1. SHAPES: the same etcdctl member commands on a three-node synod and a three-node etcd 3.4:
   member list (-w json), add, add --learner, promote (of a learner that never started: etcd's
   "not in sync" error), update, remove, and the error cases (unknown id, peer URL in use, a
   second learner). Outputs are compared after normalising ids (each cluster's ids are mapped to
   the member they name) and ports (each URL to the member it belongs to).
2. JOIN: keys written to the synod cluster with a small --snapshot-count and
   --snapshot-catch-up-entries (so the leader's log is compacted past index 1), then a fourth
   member added with `member add` and started with --initial-cluster-state existing and the
   --initial-cluster that etcdctl printed: it must catch up by snapshot (its log says so) and hold
   every key; member list then shows it with its name and client URL (its publish).
3. REMOVE: a removed follower exits by itself (code 0); the others keep serving writes and reads.
4. LEARNER: a started learner answers serializable reads, and refuses linearizable reads, put,
   delete, txn, compaction and a lease grant with etcd 3.4's "etcdserver: rpc not supported for
   learner"; once caught up it is promoted and serves linearizable reads.
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, log  # noqa: E402

SNAPSHOT_FLAGS = ["--snapshot-count", "20", "--snapshot-catch-up-entries", "5"]
JOIN_KEYS = 150


class Normaliser:
    """Maps one cluster's member ids and URLs to stable tokens (node index, extra URL index)."""

    def __init__(self, cluster, extra_urls):
        self.urls = {}
        for i, n in enumerate(cluster.nodes):
            self.urls[n.peer_url] = "<peer%d>" % i
            self.urls[n.endpoint] = "<client%d>" % i
        self.names = {n.name: "<name%d>" % i for i, n in enumerate(cluster.nodes)}
        for i, url in enumerate(extra_urls):
            self.urls[url] = "<extra%d>" % i
        self.ids = {}

    def name(self, name):
        return self.names.get(name, name)

    def learn_ids(self, members):
        for m in members:
            key = self.name(m.get("name")) or self.url(m.get("peerURLs", ["?"])[0])
            self.ids["%x" % int(m["ID"])] = "<id:%s>" % key

    def url(self, url):
        return self.urls.get(url, url)

    def text(self, text):
        for url in sorted(self.urls, key=len, reverse=True):
            text = text.replace(url, self.urls[url])
        for hex_id, token in self.ids.items():
            text = re.sub(r"\b%s\b" % hex_id, token, text)
        for name, token in self.names.items():
            text = re.sub(r"\b%s\b" % re.escape(name), token, text)
        # etcdctl prints ids with %16x: shorter ids are padded with spaces.
        text = re.sub(r"Member +", "Member ", text)
        # Cluster ids in member add/update/remove messages.
        text = re.sub(r"cluster +[0-9a-f]+", "cluster <cluster>", text)
        # Members come in id order, and ids differ between clusters: compare them as sets.
        text = re.sub(r'ETCD_INITIAL_CLUSTER="([^"]*)"',
                      lambda m: 'ETCD_INITIAL_CLUSTER="%s"' % ",".join(sorted(m.group(1).split(","))),
                      text)
        # etcdctl's retry warnings carry a timestamp and a client id.
        return "\n".join(line for line in text.splitlines() if not line.startswith('{"level"'))


def ctl_runner(h, tool):
    """etcdctl, or synodctl with etcdctl's flags and environment."""
    if tool == "etcdctl":
        return h.etcdctl
    binary = os.path.join(h.args.bin_dir, "synodctl")
    harness.require_executable(binary, "synodctl")

    def synodctl(endpoints, *args, timeout=harness.ETCDCTL_PROCESS_TIMEOUT_SECONDS):
        argv = [binary, "--endpoints=" + ",".join(endpoints),
                "--dial-timeout=" + harness.ETCDCTL_DIAL_TIMEOUT,
                "--command-timeout=" + harness.ETCDCTL_COMMAND_TIMEOUT] + list(args)
        return harness.run(argv, timeout=timeout)
    return synodctl


def member_list(h, cluster, index=0):
    r = h.etcdctl([cluster.nodes[index].endpoint], "member", "list", "-w", "json")
    check(r.ok, "member list failed: %r" % r)
    return json.loads(r.stdout)


def shape(listing, norm):
    """The member list with ids and URLs normalised, in name order."""
    check(set(listing["header"]) >= {"cluster_id", "member_id", "raft_term"},
          "header fields: %r" % listing["header"])
    members = []
    for m in listing["members"]:
        members.append({
            "ID": norm.ids.get("%x" % int(m["ID"]), "?"),
            "name": norm.name(m.get("name", "")),
            "peerURLs": [norm.url(u) for u in m.get("peerURLs", [])],
            "clientURLs": [norm.url(u) for u in m.get("clientURLs", [])],
            "isLearner": m.get("isLearner", False),
        })
    return sorted(members, key=lambda m: (m["name"], m["peerURLs"]))


def wait_for(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise harness.TestFailure("timed out waiting for " + what)


def run_script(h, cluster, extra_urls, tool="etcdctl"):
    """The member commands of phase 1 on one cluster with `tool`; returns normalised outputs."""
    norm = Normaliser(cluster, extra_urls)
    ep = [cluster.nodes[0].endpoint]
    transcript = []
    ctl = ctl_runner(h, tool)

    class Tool:
        @staticmethod
        def etcdctl(endpoints, *args, **kwargs):
            return ctl(endpoints, *args, **kwargs)
    h = Tool if tool != "etcdctl" else h

    def record(step, r):
        norm.learn_ids(member_list(h, cluster)["members"])
        transcript.append((step, r.returncode, norm.text(r.stdout).strip(), norm.text(r.stderr).strip()))

    def listing(step):
        answer = member_list(h, cluster)
        # etcd's Cluster headers carry no revision: -w json leaves it out.
        transcript.append((step, sorted(answer["header"]), shape(answer, norm)))

    def new_id(stdout):
        found = re.search(r"Member +([0-9a-f]+) added", stdout)
        check(found is not None, "no member id in %r" % stdout)
        return found.group(1).strip()

    norm.learn_ids(member_list(h, cluster)["members"])
    listing("list")
    r = h.etcdctl(ep, "member", "list")
    transcript.append(("list simple", r.returncode, sorted(norm.text(r.stdout).splitlines())))

    r = h.etcdctl(ep, "member", "add", "bad", "--peer-urls=not-a-url")
    record("add with an invalid peer URL", r)

    r = h.etcdctl(ep, "member", "add", "again", "--peer-urls=" + cluster.nodes[1].peer_url)
    record("add a peer URL in use", r)

    r = h.etcdctl(ep, "member", "add", "learner5", "--learner", "--peer-urls=" + extra_urls[2])
    record("add learner", r)
    check(r.ok, "member add --learner: %r" % r)
    learner = new_id(r.stdout)
    listing("list with learner")

    r = h.etcdctl(ep, "member", "add", "learner6", "--learner", "--peer-urls=" + extra_urls[3])
    record("second learner", r)

    r = h.etcdctl(ep, "member", "promote", learner)
    record("promote unstarted learner", r)

    r = h.etcdctl(ep, "member", "remove", learner)
    record("remove learner", r)

    r = h.etcdctl(ep, "member", "add", "voter4", "--peer-urls=" + extra_urls[0])
    record("add voter", r)
    check(r.ok, "member add: %r" % r)
    voter = new_id(r.stdout)
    listing("list after add")

    r = h.etcdctl(ep, "member", "add", "voter5", "--peer-urls=" + extra_urls[3])
    record("add a voter while one is down", r)

    # (A voter: etcd 3.4's MemberUpdate of a learner shows it as a voter afterwards.)
    r = h.etcdctl(ep, "member", "update", voter, "--peer-urls=" + extra_urls[1])
    record("update", r)
    listing("list after update")

    r = h.etcdctl(ep, "member", "remove", voter)
    record("remove voter", r)
    listing("list after remove")

    r = h.etcdctl(ep, "member", "remove", "1234abcd")
    record("remove unknown", r)
    r = h.etcdctl(ep, "member", "promote", "1234abcd")
    record("promote unknown", r)
    listing("final list")
    return transcript


def compare_transcripts(got, want, what):
    mismatches = [(g, w) for g, w in zip(got, want) if g != w]
    for g, w in mismatches:
        log("MISMATCH (%s)\n  got:  %r\n  want: %r" % (what, g, w))
    check(len(got) == len(want) and not mismatches, "%s: %d member command(s) differ" % (what, len(mismatches)))


def compare_shapes(h, synod, etcd):
    extra = ["http://127.0.0.1:%d" % p for p in harness.free_ports(8)]
    want = run_script(h, etcd, extra[:4])
    compare_transcripts(run_script(h, synod, extra[:4]), want, "etcdctl on synod vs etcd")
    # Removed ids never come back on synod (they derive from the peer URLs): fresh URLs.
    compare_transcripts(run_script(h, synod, extra[4:], tool="synodctl"), want, "synodctl on synod vs etcdctl on etcd")
    log("phase 1: %d member commands answer as etcd 3.4's, with etcdctl and synodctl" % len(want))
    synodctl = ctl_runner(h, "synodctl")
    for fmt in ("simple", "json", "table", "fields", "protobuf"):
        for cluster in (synod, etcd):
            ep = [cluster.nodes[1].endpoint]
            a = h.etcdctl(ep, "member", "list", "-w", fmt)
            b = synodctl(ep, "member", "list", "-w", fmt)
            check((a.returncode, a.stdout) == (b.returncode, b.stdout),
                  "member list -w %s on %s: etcdctl %r, synodctl %r" % (fmt, cluster.name, a, b))
    log("phase 1: synodctl member list prints what etcdctl prints in every format")
    ep = [synod.nodes[0].endpoint]
    for args in (["add"], ["add", "x"], ["add", "x", "http://127.0.0.1:1"], ["remove"],
                 ["remove", "zz"], ["update", "abc"], ["promote"], ["promote", "1x"],
                 ["add", "x", "--peer-urls=127.0.0.1:1"], ["add", "x", "--peer-urls=http://127.0.0.1"],
                 ["add", "x", "--peer-urls=http://127.0.0.1:1/p"], ["update", "12", "--peer-urls=ftp://a:1"],
                 ["add", "x", "--peer-urls=:1"], ["add", "x", "--peer-urls=http:1"]):
        a = h.etcdctl(ep, "member", *args)
        b = synodctl(ep, "member", *args)
        check((a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr),
              "member %s: etcdctl %r, synodctl %r" % (" ".join(args), a, b))
    log("phase 1: synodctl refuses bad member arguments as etcdctl does")


def add_and_start(h, cluster, name, learner=False):
    """`member add` (--learner) of a new synod member, started as etcdctl's output says."""
    client_port, peer_port = harness.free_ports(2)
    newcomer = harness.Node(h, "synod", h.synod_binary(), name,
                            os.path.join(h.dir, name + ".data"), client_port, peer_port)
    running = [n.endpoint for n in cluster.nodes if n.running()]
    r = h.etcdctl(running, "member", "add", newcomer.name, "--peer-urls=" + newcomer.peer_url,
                  *(["--learner"] if learner else []))
    check(r.ok, "member add: %r" % r)
    initial_cluster = re.search(r'ETCD_INITIAL_CLUSTER="([^"]+)"', r.stdout).group(1)
    state = re.search(r'ETCD_INITIAL_CLUSTER_STATE="([^"]+)"', r.stdout).group(1)
    check(state == "existing", "member add printed state %r" % state)
    newcomer.flags = [
        "--name", newcomer.name, "--data-dir", newcomer.data_dir,
        "--listen-client-urls", newcomer.endpoint, "--advertise-client-urls", newcomer.endpoint,
        "--listen-peer-urls", newcomer.peer_url, "--initial-advertise-peer-urls", newcomer.peer_url,
        "--initial-cluster", initial_cluster, "--initial-cluster-state", state,
        "--initial-cluster-token", "e2e-" + cluster.name,
        "--heartbeat-interval", "100", "--election-timeout", "1000",
    ] + SNAPSHOT_FLAGS
    newcomer.start()
    return newcomer, re.search(r"Member +([0-9a-f]+) added", r.stdout).group(1)


def join_by_snapshot(h, cluster):
    ep = cluster.endpoints()
    for i in range(JOIN_KEYS):
        r = h.etcdctl(ep, "put", "key%03d" % i, "value%d" % i)
        check(r.ok, "put: %r" % r)
    newcomer, _ = add_and_start(h, cluster, "joiner")
    cluster.nodes.append(newcomer)

    def holds_every_key():
        r = h.etcdctl([newcomer.endpoint], "get", "key", "--prefix", "--keys-only",
                      "--consistency=s", "-w", "json", timeout=8)
        return r.ok and len(json.loads(r.stdout).get("kvs", [])) == JOIN_KEYS

    wait_for("the new member to hold every key", holds_every_key, 60)
    check("applied a snapshot from the leader" in newcomer.log_text(),
          "the new member caught up without a snapshot")
    r = h.etcdctl([newcomer.endpoint], "get", "key149")
    check(r.ok and r.stdout.split() == ["key149", "value149"], "linearizable get: %r" % r)

    def published():
        for m in member_list(h, cluster)["members"]:
            if m.get("name") == newcomer.name and m.get("clientURLs") == [newcomer.endpoint]:
                return True
        return False

    wait_for("the new member's name and client URL in member list", published, 30)

    # A restart with the same flags (state "existing", now with data) learns the cluster id again.
    check(newcomer.terminate() == 0, "the new member did not stop cleanly")
    newcomer.start()
    r = h.etcdctl(ep, "put", "after-restart", "yes")
    check(r.ok, "put: %r" % r)
    wait_for("the restarted member to catch up",
             lambda: h.etcdctl([newcomer.endpoint], "get", "after-restart", "--print-value-only",
                               timeout=8).stdout.strip() == "yes", 30)
    log("phase 2: the fourth member joined by snapshot and holds all %d keys" % JOIN_KEYS)


def remove_follower(h, cluster):
    leader = cluster.leader_index()
    victim_index = next(i for i, n in enumerate(cluster.nodes) if i != leader and n.running())
    victim = cluster.nodes[victim_index]
    victim_id = "%x" % cluster.status(victim_index)["header"]["member_id"]
    r = h.etcdctl([cluster.nodes[leader].endpoint], "member", "remove", victim_id)
    check(r.ok and "removed from cluster" in r.stdout, "member remove: %r" % r)
    code = victim.wait_exit(30)
    check(code == 0, "the removed member exited with %r" % code)
    rest = [n.endpoint for n in cluster.nodes if n.running()]
    r = h.etcdctl(rest, "put", "after-remove", "ok")
    check(r.ok, "put after remove: %r" % r)
    for endpoint in rest:
        r = h.etcdctl([endpoint], "get", "after-remove", "--print-value-only")
        check(r.ok and r.stdout.strip() == "ok", "get after remove on %s: %r" % (endpoint, r))
    names = sorted(m.get("name") for m in member_list(h, cluster, leader)["members"])
    check(victim.name not in names and len(names) == len(rest), "member list after remove: %r" % names)
    log("phase 3: the removed member exited; %d members keep serving" % len(rest))


def learner(h, cluster):
    """A started learner serves serializable reads only, as etcd 3.4's; promoted, it serves all."""
    node, member_id = add_and_start(h, cluster, "learner", learner=True)
    wait_for("the learner's serializable read", lambda: h.etcdctl(
        [node.endpoint], "get", "after-remove", "--print-value-only", "--consistency=s").stdout == "ok\n", 30)
    # Until it applies its own AddLearner entry, the newcomer does not know it is a learner.
    wait_for("the learner to know it is one", lambda: ", false, true, " in h.etcdctl(
        [node.endpoint], "endpoint", "status").stdout, 30)  # is leader, is learner
    for args in (["get", "after-remove"], ["put", "k", "v"], ["del", "k"], ["txn"], ["compaction", "1"],
                 ["lease", "grant", "10"]):
        r = h.etcdctl([node.endpoint], *args, input="\n\n\n" if args == ["txn"] else None)
        last_line = r.stderr.splitlines()[-1] if r.stderr else ""
        # etcdctl words it "Error: failed to grant lease (<error>)" for a lease grant.
        check(r.returncode == 1 and last_line.startswith("Error: ") and
              "etcdserver: rpc not supported for learner" in last_line,
              "%s on a learner: %r" % (" ".join(args), r))
    r = h.etcdctl([n.endpoint for n in cluster.nodes if n.running() and n is not node],
                  "member", "promote", member_id)
    check(r.ok and "promoted" in r.stdout, "promote of a caught-up learner: %r" % r)
    wait_for("the promoted member's read", lambda: h.etcdctl(
        [node.endpoint], "get", "after-remove", "--print-value-only").stdout == "ok\n", 20)
    log("phase 4: a learner refused linearizable reads and writes; promoted, it serves them")


def body(h):
    synod = h.cluster("synod", 3, extra_flags=SNAPSHOT_FLAGS)
    etcd = h.cluster("etcd", 3)
    synod.start()
    etcd.start()
    # etcd adds a voter only once it has heard from every voter for 5 s (HealthInterval).
    time.sleep(6)
    compare_shapes(h, synod, etcd)
    etcd.stop()
    join_by_snapshot(h, synod)
    remove_follower(h, synod)
    learner(h, synod)


if __name__ == "__main__":
    harness.main("membership", body, deadline_seconds=240)

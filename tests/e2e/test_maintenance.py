#!/usr/bin/env python3
"""etcd's Maintenance service against Synod as against etcd 3.4, with etcdctl and synodctl:

  * endpoint hashkv: equal on every member of a three-node Synod once they applied the same log
    (also at a past revision), and different after a write; etcd's error for a future revision;
  * defrag: the same output as etcd's for every member;
  * move-leader: leadership moves to the chosen follower; a non-member target and an endpoint list
    without the leader fail with etcd's messages;
  * alarm list / disarm: nothing raised, the same (empty) output as etcd's; then, with a 64 KiB
    --quota-backend-bytes, puts until "database space exceeded": every member of a three-node
    synod lists the NOSPACE alarm, puts are refused, reads and deletes served, Status lists it,
    `alarm disarm` clears it — each output the same as a one-node etcd's (member ids aside);
  * snapshot: `etcdctl snapshot save` writes the file; `synodctl snapshot status` reads its
    revision and key count; `synodctl snapshot restore` builds a data directory from which a new
    one-node synod serves the keys at their revisions and lists itself by name with its peer and
    client URLs; a truncated file is refused by name.
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, log  # noqa: E402


def synodctl(h, endpoints, *args):
    path = os.path.join(h.args.bin_dir, "synodctl")
    harness.require_executable(path, "synodctl")
    argv = [path] + (["--endpoints=" + ",".join(endpoints)] if endpoints else [])
    argv += ["--dial-timeout=2s", "--command-timeout=5s"] + list(args)
    return harness.run(argv)


def hashes(h, cluster, *extra):
    r = h.etcdctl(cluster.endpoints(), "endpoint", "hashkv", *extra)
    check(r.ok, "endpoint hashkv: %r" % r)
    rows = [line.split(", ") for line in r.stdout.splitlines()]
    check(len(rows) == 3 and all(len(row) == 2 for row in rows), "hashkv rows: %r" % r.stdout)
    return [row[1] for row in rows]


def agreed_hash(h, cluster, *extra):
    """The hash once every member reports the same one (followers apply a moment later)."""
    deadline = time.monotonic() + 10
    while True:
        values = hashes(h, cluster, *extra)
        if len(set(values)) == 1:
            return values[0]
        check(time.monotonic() < deadline, "members never agreed on hashkv: %r" % values)
        time.sleep(0.2)


def member_ids(h, cluster):
    ids = []
    for i in range(len(cluster.nodes)):
        st = cluster.status(i)
        check(st is not None, "no status from member %d" % i)
        ids.append(st["header"]["member_id"])
    return ids


def normalise(text, endpoints_by_kind):
    for endpoint, placeholder in endpoints_by_kind:
        text = text.replace(endpoint, placeholder)
    return text


def check_hashkv(h, synod):
    for i in range(10):
        check(h.etcdctl(synod.endpoints(), "put", "key%d" % i, "value%d" % i).ok, "put")
    first = agreed_hash(h, synod)
    at_5 = agreed_hash(h, synod, "--rev=5")
    check(h.etcdctl(synod.endpoints(), "put", "key0", "changed").ok, "put")
    second = agreed_hash(h, synod)
    check(first != second, "a write left hashkv unchanged")
    check(agreed_hash(h, synod, "--rev=5") == at_5, "the hash at revision 5 changed")
    r = synodctl(h, synod.endpoints(), "endpoint", "hashkv")
    check(r.ok and all(line.endswith(", " + second) for line in r.stdout.splitlines()),
          "synodctl endpoint hashkv: %r" % r)
    s = json.loads(h.etcdctl(synod.endpoints(), "endpoint", "hashkv", "-w", "json").stdout)
    r = synodctl(h, synod.endpoints(), "endpoint", "hashkv", "-w", "json")
    check(r.ok and json.loads(r.stdout) == s, "synodctl hashkv -w json: %r vs %r" % (r, s))
    check([sorted(x) for x in s] == [["Endpoint", "HashKV"]] * 3 and
          sorted(s[0]["HashKV"]) == ["compact_revision", "hash", "header"], "hashkv json: %r" % s)
    r = h.etcdctl(synod.endpoints()[:1], "endpoint", "hashkv", "--rev=100000")
    check("required revision is a future revision" in r.stderr, "future revision: %r" % r)
    log("hashkv equal on three members: %s" % second)


def without_client_logs(text):
    """etcdctl's clientv3 logs its retries as JSON lines on stderr; the Error: line is the output."""
    return "".join(line for line in text.splitlines(True) if not line.startswith("{"))


def check_same_output(h, synod, etcd, *args, member=0):
    """The command against one synod member and one etcd member: same exit code and text."""
    endpoint = synod.endpoints()[member]
    s = h.etcdctl([endpoint], *args)
    e = h.etcdctl(etcd.endpoints()[:1], *args)
    pairs = [(endpoint, "<endpoint>"), (etcd.endpoints()[0], "<endpoint>")]
    got = (s.returncode, normalise(s.stdout, pairs), normalise(without_client_logs(s.stderr), pairs))
    want = (e.returncode, normalise(e.stdout, pairs),
            normalise(without_client_logs(e.stderr), pairs))
    check(got == want, "%s: synod %r, etcd %r" % (" ".join(args), got, want))
    return s


def check_defrag_and_alarms(h, synod, etcd):
    r = h.etcdctl(synod.endpoints(), "defrag")
    check(r.ok and r.stdout.splitlines() == ["Finished defragmenting etcd member[%s]" % e
                                             for e in synod.endpoints()], "defrag: %r" % r)
    check_same_output(h, synod, etcd, "defrag")
    check_same_output(h, synod, etcd, "alarm", "list")
    check_same_output(h, synod, etcd, "alarm", "disarm")
    r = synodctl(h, synod.endpoints(), "defrag")
    check(r.ok and r.stdout.count("Finished defragmenting") == 3, "synodctl defrag: %r" % r)


def check_move_leader(h, synod, etcd):
    ids = member_ids(h, synod)
    leader = synod.leader_index()
    target = (leader + 1) % 3
    r = h.etcdctl(synod.endpoints(), "move-leader", "%x" % ids[target])
    check(r.ok and r.stdout == "Leadership transferred from %x to %x\n" % (ids[leader], ids[target]),
          "move-leader: %r" % r)
    check(synod.leader_index() == target, "leadership did not move to member %d" % target)
    # synodctl moves it back.
    r = synodctl(h, synod.endpoints(), "move-leader", "%x" % ids[leader])
    check(r.ok and "Leadership transferred from %x to %x" % (ids[target], ids[leader]) in r.stdout,
          "synodctl move-leader: %r" % r)
    check(synod.leader_index() == leader, "leadership did not move back")
    # A target that is no member; etcd (one member, the leader) says the same.
    check_same_output(h, synod, etcd, "move-leader", "abc", member=leader)
    r = h.etcdctl(synod.endpoints(), "move-leader", "abc")
    check(r.returncode == 1 and "etcdserver: bad leader transferee" in r.stderr, "bad target: %r" % r)
    # Endpoints without the leader: etcdctl finds no leader to ask.
    followers = [synod.endpoints()[i] for i in range(3) if i != leader]
    r = h.etcdctl(followers, "move-leader", "%x" % ids[leader])
    check(r.returncode != 0 and "no leader endpoint given at" in r.stderr, "no leader: %r" % r)
    log("move-leader moved leadership to %x and back" % ids[target])


def check_snapshot(h, synod):
    path = os.path.join(h.dir, "saved.db")
    r = h.etcdctl(synod.endpoints()[:1], "snapshot", "save", path)
    check(r.ok and r.stdout == "Snapshot saved at %s\n" % path, "snapshot save: %r" % r)
    check(os.path.getsize(path) > 32, "empty snapshot file")
    revision = int(h.etcdctl(synod.endpoints()[:1], "get", "key0", "-w", "json").stdout
                   .split('"revision":')[1].split(",")[0])
    r = synodctl(h, [], "snapshot", "status", path)
    check(r.ok, "snapshot status: %r" % r)
    fields = r.stdout.strip().split(", ")
    check(len(fields) == 4 and re.fullmatch(r"[0-9a-f]+", fields[0]) and
          int(fields[1]) == revision and int(fields[2]) >= 10 and fields[3].endswith("B"),
          "snapshot status fields: %r (revision %d)" % (r.stdout, revision))
    # synodctl save against the member itself gives an identical state.
    r = synodctl(h, synod.endpoints()[:1], "snapshot", "save", os.path.join(h.dir, "copy.db"))
    check(r.ok and r.stdout.startswith("Snapshot saved at"), "synodctl snapshot save: %r" % r)

    truncated = os.path.join(h.dir, "truncated.db")
    with open(path, "rb") as f, open(truncated, "wb") as out:
        out.write(f.read()[:-10])
    r = synodctl(h, [], "snapshot", "status", truncated)
    check(r.returncode == 1 and truncated in r.stderr, "truncated status: %r" % r)
    missing = os.path.join(h.dir, "missing.db")
    s = synodctl(h, [], "snapshot", "status", missing)
    e = h.etcdctl([], "snapshot", "status", missing)
    check((s.returncode, s.stdout, s.stderr) == (e.returncode, e.stdout, e.stderr),
          "status of a missing file: synod %r, etcd %r" % (s, e))

    # Restore into a new one-member cluster and serve the keys.
    ports = harness.free_ports(2)
    peer = "http://127.0.0.1:%d" % ports[1]
    client = "http://127.0.0.1:%d" % ports[0]
    data_dir = os.path.join(h.dir, "restored.data")
    restore = ["snapshot", "restore", path, "--name", "restored", "--data-dir", data_dir,
               "--initial-cluster", "restored=" + peer, "--initial-cluster-token", "restore-1",
               "--initial-advertise-peer-urls", peer]
    r = synodctl(h, [], *restore[:2] + [truncated] + restore[3:])
    check(r.returncode != 0 and truncated in r.stderr and not os.path.exists(data_dir),
          "restore of a truncated file: %r" % r)
    r = synodctl(h, [], *restore)
    check(r.ok, "snapshot restore: %r" % r)
    node = harness.Node(h, "synod", h.synod_binary(), "restored", data_dir, ports[0], ports[1])
    node.flags = ["--name", "restored", "--data-dir", data_dir, "--listen-client-urls", client,
                  "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                  "--initial-cluster", "restored=" + peer, "--initial-cluster-token", "restore-1"]
    node.start()
    deadline = time.monotonic() + 20
    while True:
        r = h.etcdctl([client], "get", "key", "--prefix")
        if r.ok and r.stdout:
            break
        check(time.monotonic() < deadline, "the restored member never served: %r" % r)
        time.sleep(0.2)
    original = h.etcdctl(synod.endpoints()[:1], "get", "key", "--prefix", "-w", "json")
    restored = h.etcdctl([client], "get", "key", "--prefix", "-w", "json")
    kvs = lambda text: text.split('"kvs":')[1]  # noqa: E731  (the header differs)
    check(kvs(restored.stdout) == kvs(original.stdout),
          "restored keys differ: %r vs %r" % (restored.stdout, original.stdout))
    check(h.etcdctl([client], "put", "after", "restore").ok, "a write after restore")
    # The restored member is named, with its peer URL and (once published) its client URL.
    deadline = time.monotonic() + 10
    while True:
        r = h.etcdctl([client], "member", "list")
        if r.ok and r.stdout.endswith(", started, restored, %s, %s, false\n" % (peer, client)):
            break
        check(time.monotonic() < deadline, "member list after restore: %r" % r)
        time.sleep(0.2)
    node.terminate()
    log("snapshot saved at revision %d, restored and served" % revision)


def normalise_ids(text):
    return re.sub(r"memberID:[0-9]+", "memberID:<id>", text)


def fill_until_refused(h, endpoints):
    value = "v" * 8192
    for i in range(200):
        r = h.etcdctl(endpoints, "put", "fill%d" % i, value)
        if not r.ok:
            return r
    raise harness.TestFailure("200 puts of 8 KiB never passed the quota")


def check_nospace_alarm(h):
    quota = ["--quota-backend-bytes", "65536"]
    synod = h.cluster("synod", 3, name="quota", extra_flags=quota)
    synod.start()
    etcd = h.cluster("etcd", 1, name="etcdquota", extra_flags=quota)
    etcd.start()
    for cluster in (synod, etcd):
        r = fill_until_refused(h, cluster.endpoints()[:1])
        check(r.returncode == 1 and without_client_logs(r.stderr) ==
              "Error: etcdserver: mvcc: database space exceeded\n", "%s fill: %r" % (cluster.kind, r))
    # Raised through the log: every synod member lists the alarm of the member that refused.
    raiser = member_ids(h, synod)[0]
    want = "memberID:%d alarm:NOSPACE \n" % raiser
    for i in range(3):
        deadline = time.monotonic() + 10
        while True:
            r = h.etcdctl(synod.endpoints([i]), "alarm", "list")
            if r.ok and r.stdout == want:
                break
            check(time.monotonic() < deadline, "member %d alarm list: %r" % (i, r))
            time.sleep(0.2)
        st = synod.status(i)
        check(st is not None and st.get("errors") == [want[:-1]], "member %d status: %r" % (i, st))

    def same(*args):
        s = h.etcdctl(synod.endpoints([1]), *args)  # a member that did not raise it
        e = h.etcdctl(etcd.endpoints(), *args)
        got = (s.returncode, normalise_ids(s.stdout), normalise_ids(without_client_logs(s.stderr)))
        wanted = (e.returncode, normalise_ids(e.stdout), normalise_ids(without_client_logs(e.stderr)))
        check(got == wanted, "%s: synod %r, etcd %r" % (" ".join(args), got, wanted))
        return s
    same("alarm", "list")
    # -w json: the same structure as etcd's, member ids and headers aside.
    s = json.loads(h.etcdctl(synod.endpoints([1]), "alarm", "list", "-w", "json").stdout)
    e = json.loads(h.etcdctl(etcd.endpoints(), "alarm", "list", "-w", "json").stdout)
    shape = lambda r: (sorted(r),  # noqa: E731
                       [sorted(a.items()) for a in r["alarms"] for a in [dict(a, memberID=0)]])
    check(shape(s) == shape(e), "alarm list -w json: synod %r, etcd %r" % (s, e))
    r = synodctl(h, synod.endpoints([1]), "alarm", "list", "-w", "json")
    check(r.ok and shape(json.loads(r.stdout)) == shape(e), "synodctl alarm list -w json: %r" % r)
    check(not same("put", "small", "v").ok, "a put while NOSPACE is active")
    check(same("get", "fill0", "--print-value-only").stdout.startswith("vvv"), "a read")
    check(same("del", "fill0").stdout == "1\n", "a delete")
    check(same("alarm", "disarm").stdout == want, "alarm disarm")
    check(same("alarm", "list").stdout == "", "alarm list after disarm")
    r = synodctl(h, synod.endpoints([2]), "alarm", "list")
    check(r.ok and r.stdout == "", "synodctl alarm list: %r" % r)
    log("NOSPACE raised on every member, writes refused, reads and deletes served, disarmed")


def body(h):
    synod = h.cluster("synod", 3)
    synod.start()
    etcd = h.cluster("etcd", 1)
    etcd.start()
    check_hashkv(h, synod)
    check_defrag_and_alarms(h, synod, etcd)
    check_move_leader(h, synod, etcd)
    check_snapshot(h, synod)
    synod.stop()
    etcd.stop()
    check_nospace_alarm(h)


if __name__ == "__main__":
    harness.main("maintenance", body, deadline_seconds=240, description=__doc__)

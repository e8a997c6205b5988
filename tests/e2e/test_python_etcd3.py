#!/usr/bin/python3
"""python3-etcd3 (Debian's, from /usr/bin/python3) against a three-node Synod, each result asserted:
put / get (value and metadata), get_prefix (order and values), delete (existing and missing),
transaction (compare on value, version and create revision; success and failure branches with
their responses), watch (a live put and delete, a replay from a past revision, cancel), lease
(put with a lease, refresh, remaining TTL, keys, revoke removes the key) and lock (etcd3.Lock:
acquire, a second client on another member blocked until the first releases, a timed-out
acquire returning False, the context manager; see try_acquire for the library's defect). Clients talk to different members, so followers
serve half the calls.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, log  # noqa: E402


def kv_calls(client, other):
    revision = client.put("k", "v").header.revision
    value, meta = other.get("k")
    check(value == b"v", "get k: %r" % value)
    check(meta.key == b"k" and meta.version == 1 and meta.create_revision == revision
          and meta.mod_revision == revision, "metadata of k: %r" % meta)
    client.put("k", "v2")
    value, meta = other.get("k")
    check(value == b"v2" and meta.version == 2 and meta.create_revision == revision,
          "second put: %r %r" % (value, meta))
    check(other.get("missing") == (None, None), "a missing key reads as (None, None)")

    for key, value in (("p/2", "two"), ("p/1", "one"), ("p/3", "three"), ("q", "outside")):
        client.put(key, value)
    listed = [(meta.key, value) for value, meta in other.get_prefix("p/")]
    check(listed == [(b"p/1", b"one"), (b"p/2", b"two"), (b"p/3", b"three")],
          "get_prefix p/: %r" % listed)
    newest_first = [meta.key for _, meta in other.get_prefix("p/", sort_order="descend",
                                                              sort_target="key")]
    check(newest_first == [b"p/3", b"p/2", b"p/1"], "descending get_prefix: %r" % newest_first)

    check(client.delete("p/2") is True, "delete of an existing key answers True")
    check(client.delete("p/2") is False, "delete of a missing key answers False")
    check([meta.key for _, meta in other.get_prefix("p/")] == [b"p/1", b"p/3"], "p/2 survived")
    log("python3-etcd3: put, get, get_prefix, delete")


def transactions(client):
    t = client.transactions
    succeeded, responses = client.transaction(
        compare=[t.value("k") == "v2", t.version("k") == 2],
        success=[t.put("k", "from-success"), t.get("q")],
        failure=[t.put("k", "from-failure")])
    check(succeeded is True, "the compare held")
    check(responses[1][0][0] == b"outside", "success branch's get: %r" % responses)
    check(client.get("k")[0] == b"from-success", "success branch's put")

    succeeded, responses = client.transaction(
        compare=[t.value("k") == "nope"],
        success=[t.put("k", "wrong")],
        failure=[t.get("k"), t.delete("q")])
    check(succeeded is False, "the compare failed")
    check(responses[0][0][0] == b"from-success", "failure branch's get: %r" % responses)
    check(client.get("q") == (None, None), "failure branch's delete")

    succeeded, _ = client.transaction(compare=[t.create("fresh") == 0],
                                      success=[t.put("fresh", "1")], failure=[])
    check(succeeded and client.get("fresh")[0] == b"1", "create == 0 on a new key")
    succeeded, _ = client.transaction(compare=[t.create("fresh") == 0],
                                      success=[t.put("fresh", "2")], failure=[])
    check(not succeeded and client.get("fresh")[0] == b"1", "create == 0 on an existing key")
    log("python3-etcd3: transactions, both branches")


def watches(client, other):
    import etcd3
    start = client.put("w/0", "before").header.revision
    events, cancel = other.watch_prefix("w/")
    received = []

    def collect():
        for event in events:
            received.append(event)
            if len(received) == 2:
                break

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    time.sleep(0.5)  # let the watch be created before the writes it must see
    client.put("w/1", "live")
    client.delete("w/1")
    reader.join(timeout=20)
    cancel()
    check(len(received) == 2, "watch events: %r" % received)
    check(isinstance(received[0], etcd3.events.PutEvent) and received[0].key == b"w/1"
          and received[0].value == b"live", "first event: %r" % received[0])
    check(isinstance(received[1], etcd3.events.DeleteEvent) and received[1].key == b"w/1",
          "second event: %r" % received[1])

    replay, cancel = other.watch_prefix("w/", start_revision=start)
    first = next(iter(replay))
    cancel()
    check(first.key == b"w/0" and first.value == b"before" and first.mod_revision == start,
          "replay from revision %d: %r" % (start, first))
    log("python3-etcd3: watch (live put and delete, replay, cancel)")


def leases(client, other):
    lease = client.lease(30)
    check(lease.id > 0 and lease.ttl == 30, "lease(): %r %r" % (lease.id, lease.ttl))
    client.put("leased", "x", lease=lease)
    lease.refresh()
    check(lease.granted_ttl == 30 and 25 <= lease.remaining_ttl <= 30,
          "granted %r remaining %r" % (lease.granted_ttl, lease.remaining_ttl))
    check(lease.keys == [b"leased"], "keys %r" % lease.keys)
    check(other.get("leased")[1].lease_id == lease.id, "the key's lease id")
    lease.revoke()
    check(other.get("leased") == (None, None), "the key survived its lease")
    log("python3-etcd3: lease, put with a lease, refresh, remaining TTL, keys, revoke")


def try_acquire(lock):
    """Lock.acquire(timeout=0): one attempt. Debian's python3-etcd3 0.12.0 passes tenacity 8 an
    old-style wait callback, so a contended acquire with a positive timeout dies with a TypeError
    inside the library whatever the server; with timeout 0 tenacity stops before calling it."""
    return lock.acquire(timeout=0)


def acquire_within(lock, seconds):
    deadline = time.monotonic() + seconds
    while not try_acquire(lock):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def locks(client, other):
    first = client.lock("job", ttl=10)
    check(first.acquire(timeout=5) is True and first.is_acquired(), "first acquire")
    value, meta = other.get("/locks/job")
    check(value == first.uuid and meta.lease_id == first.lease.id,
          "the lock's key holds its uuid under its lease: %r %r" % (value, meta))

    second = other.lock("job", ttl=10)
    check(try_acquire(second) is False, "a held lock was acquired by another client")
    check(acquire_within(second, 1) is False, "a held lock was acquired within a timeout")

    outcome = {}

    def wait_for_lock():
        outcome["acquired"] = acquire_within(second, 20)
        outcome["at"] = time.monotonic()

    waiter = threading.Thread(target=wait_for_lock, daemon=True)
    waiter.start()
    time.sleep(0.5)
    check("acquired" not in outcome, "the second client did not wait for the first")
    released_at = time.monotonic()
    check(first.release() is True, "release of a held lock")
    waiter.join(timeout=30)
    check(outcome.get("acquired") is True and outcome["at"] >= released_at,
          "the second client after the release: %r" % outcome)
    check(second.is_acquired() and not first.is_acquired(), "lock ownership after hand-over")
    check(second.release() is True, "second release")
    check(first.release() is False, "releasing a lock not held answers False")

    with client.lock("ctx", ttl=10) as held:
        check(held.is_acquired(), "context manager holds the lock")
        check(try_acquire(other.lock("ctx", ttl=10)) is False, "context lock not exclusive")
    check(try_acquire(other.lock("ctx", ttl=10)) is True, "context manager released the lock")
    log("python3-etcd3: lock (acquire, blocked second client, timeout, release, context manager)")


def body(h):
    try:
        import etcd3
    except ImportError:
        harness.skip("python3-etcd3 is not importable")
    synod = h.cluster("synod", 3)
    synod.start()
    clients = [etcd3.client(host=harness.HOST, port=node.client_port, timeout=10)
               for node in synod.nodes]
    leader = synod.leader_index()
    follower = (leader + 1) % 3
    client, other = clients[leader], clients[follower]
    kv_calls(client, other)
    transactions(other)
    watches(client, other)
    leases(other, client)
    locks(client, other)
    # The clients stay open: closing one stops its channel under the library's watch thread,
    # which then prints a traceback.


if __name__ == "__main__":
    harness.main("python_etcd3", body, deadline_seconds=180, description=__doc__)

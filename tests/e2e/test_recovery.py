#!/usr/bin/python3
"""Recovery of one synod node from damaged or full storage (docs/storage.md).

A one-node synod writes keys through etcdctl and is killed (kill -9) or stopped (SIGTERM); its
data directory is then damaged on purpose and the node restarted with the same flags:

  (a) torn WAL tail: (a1) the last record of the last segment cut short; (a3) the file cut in the
      middle of its last entry; (a2) garbage bytes after the last record. The node must start,
      log the repair ("truncated torn tail of <file> at offset <X>"), keep every acknowledged
      write (in a1 and a3 all but possibly the last one) and stay writable; a second restart must
      find nothing left to repair.
  (b) one bit flipped in an earlier WAL record ((b1) in an entry's payload, (b2) in the checksum
      field of an early record): the node must refuse to start (non-zero exit, within a timeout),
      the error must name the segment file and the record's offset, and nothing on disk changes.
  (c) with --snapshot-count small, one bit flipped in the snapshot file that the WAL's newest
      snapshot marker names: refused, naming the file; once the file is restored the node starts
      and every write is there (snapshot + WAL replay).
  (d) a full disk, as a file-size limit (RLIMIT_FSIZE; SIGXFSZ ignored so that writes fail with
      EFBIG instead of killing the process): (d0) a limit below the WAL's preallocated segment
      size (64 MiB, not configurable from the command line): the node refuses to start, saying
      why; (d1) the limit lowered (prlimit) on a running node just past the end of its WAL
      records: writes must fail with an error in bounded time, never report success after the
      first failure, serializable reads keep working; restarted without the limit, every
      acknowledged write is there.
"""

import base64
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, log  # noqa: E402

RECORD_HEADER_BYTES = 13
TYPE_NAMES = {1: "segment header", 2: "entry", 3: "hard state", 4: "snapshot marker"}
REFUSE_WITHIN_SECONDS = 20
SEGMENT_BYTES = 64 << 20  # the default segment size; synod has no flag to change it


# --- the WAL's on-disk format (docs/storage.md), read-only helpers ---------------------------------

def wal_dir(node):
    return os.path.join(node.data_dir, "wal")


def snap_dir(node):
    return os.path.join(node.data_dir, "snap")


def segments(node):
    names = sorted(n for n in os.listdir(wal_dir(node)) if re.fullmatch(r"wal-[0-9a-f]{16}-[0-9a-f]{16}\.log", n))
    check(names, "no WAL segment in %s" % wal_dir(node))
    return [os.path.join(wal_dir(node), n) for n in names]


def records(path):
    """[(offset, type, payload)] by the framing alone (the checksum is XXH3, not in Python)."""
    with open(path, "rb") as f:
        data = f.read()
    out = []
    offset = 0
    while offset + RECORD_HEADER_BYTES <= len(data):
        length, kind = struct.unpack_from("<IB", data, offset)
        if kind not in TYPE_NAMES or offset + RECORD_HEADER_BYTES + length > len(data):
            break
        out.append((offset, kind, data[offset + RECORD_HEADER_BYTES:offset + RECORD_HEADER_BYTES + length]))
        offset += RECORD_HEADER_BYTES + length
    return out


def records_end(path):
    recs = records(path)
    check(recs, "no record in %s" % path)
    offset, _, payload = recs[-1]
    return offset + RECORD_HEADER_BYTES + len(payload)


def newest_snapshot_marker(node):
    """(index, term) of the last snapshot marker in the WAL, or None."""
    newest = None
    for path in segments(node):
        for _, kind, payload in records(path):
            if kind == 4:
                index, term = struct.unpack_from("<QQ", payload, 0)
                newest = (index, term)
    return newest


def flip_bit(path, offset, bit=0):
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ (1 << bit)]))


def tree_digest(directory):
    digest = {}
    for root, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                digest[os.path.relpath(path, directory)] = hashlib.sha256(f.read()).hexdigest()
    return digest


# --- node helpers ------------------------------------------------------------------------------------

def put(h, node, key, value, timeout=15):
    return h.etcdctl([node.endpoint], "put", key, value, timeout=timeout)


def write_keys(h, node, prefix, count, value_bytes=0):
    acked = {}
    for i in range(count):
        key = "%s/%04d" % (prefix, i)
        value = ("v%d-" % i) + "x" * value_bytes
        r = put(h, node, key, value)
        check(r.ok and r.stdout.strip() == "OK", "put %s failed: %r" % (key, r))
        acked[key] = value
    return acked


def read_all(h, node, serializable=False):
    args = ["get", "", "--from-key", "-w", "json"] + (["--consistency=s"] if serializable else [])
    r = h.etcdctl([node.endpoint], *args, timeout=20)
    check(r.ok, "reading %s failed: %r" % (node.name, r))
    doc = json.loads(r.stdout)
    return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv.get("value", "")).decode()
            for kv in doc.get("kvs", [])}


def check_present(h, node, acked, may_miss=(), uncertain=None, what=""):
    contents = read_all(h, node)
    missing = [k for k in acked if k not in contents and k not in may_miss]
    wrong = [k for k, v in acked.items() if k in contents and contents[k] != v]
    bad = [k for k, v in (uncertain or {}).items() if k in contents and contents[k] != v]
    check(not missing and not wrong and not bad,
          "%s: acknowledged writes missing %s, wrong values %s, unknown-outcome writes with a wrong "
          "value %s" % (what, sorted(missing)[:10], sorted(wrong)[:10], sorted(bad)[:10]))
    log("%s: all %d acknowledged writes present%s" % (
        what, len(acked) - sum(1 for k in may_miss if k not in contents),
        "" if not may_miss else " (%d of the %d allowed losses lost)" % (
            sum(1 for k in may_miss if k not in contents), len(may_miss))))
    return contents


def stop_cleanly(node):
    code = node.terminate()
    check(code == 0, "%s exited with %s after SIGTERM" % (node.name, code))


def expect_refusal(node, names, what):
    """Starts the node on damaged storage: it must exit non-zero, its output naming `names`."""
    before = tree_digest(node.data_dir)
    node.start()
    code = node.wait_exit(REFUSE_WITHIN_SECONDS)
    output = node.log_text()
    if code is None:
        node.kill9()
        raise harness.TestFailure("%s: the node did not refuse to start (still running after %d s)"
                                  % (what, REFUSE_WITHIN_SECONDS))
    check(code != 0, "%s: the node exited with 0" % what)
    lines = [l for l in output.splitlines() if any(n in l for n in names)]
    for n in names:
        check(n in output, "%s: the error does not name %r; output:\n%s" % (what, n, output[-3000:]))
    log("%s: refused with exit code %d: %s" % (what, code, (lines or ["?"])[0][:400]))
    after = tree_digest(node.data_dir)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    check(not changed, "%s: the refused start changed %s" % (what, changed))


class DataDir:
    """A pristine copy of a node's data directory, restored before each damage."""

    def __init__(self, h, node, label):
        self.node = node
        self.copy = os.path.join(h.dir, "%s.pristine" % label)
        shutil.copytree(node.data_dir, self.copy)

    def restore(self):
        shutil.rmtree(self.node.data_dir)
        shutil.copytree(self.copy, self.node.data_dir)


# --- the cases -----------------------------------------------------------------------------------

def torn_tail_cases(h, node, pristine, acked):
    last_key = max(acked)

    # (a1) the last record of the last segment cut short
    pristine.restore()
    path = segments(node)[-1]
    offset, kind, payload = records(path)[-1]
    cut = min(3, RECORD_HEADER_BYTES + len(payload) - 1)
    new_size = offset + RECORD_HEADER_BYTES + len(payload) - cut
    log("a1: cutting %d bytes off the last record (%s at offset %d, %d bytes) of %s" % (
        cut, TYPE_NAMES[kind], offset, RECORD_HEADER_BYTES + len(payload), os.path.basename(path)))
    os.truncate(path, new_size)
    repaired_start(h, node, path, offset, acked, may_miss=(last_key,), what="a1")

    # (a3) a crash in the middle of writing the last entry: cut inside it, drop all after it
    pristine.restore()
    path = segments(node)[-1]
    offset, _, payload = [r for r in records(path) if r[1] == 2][-1]
    new_size = offset + RECORD_HEADER_BYTES + len(payload) // 2
    log("a3: truncating %s at %d, inside the last entry (offset %d, %d bytes)" % (
        os.path.basename(path), new_size, offset, RECORD_HEADER_BYTES + len(payload)))
    os.truncate(path, new_size)
    repaired_start(h, node, path, offset, acked, may_miss=(last_key,), what="a3")

    # (a2) garbage after the last record (inside the preallocated zeros)
    pristine.restore()
    path = segments(node)[-1]
    end = records_end(path)
    garbage = bytes((i * 37 + 11) % 255 + 1 for i in range(100))  # nonzero, not a record
    log("a2: writing %d garbage bytes at offset %d of %s" % (len(garbage), end, os.path.basename(path)))
    with open(path, "r+b") as f:
        f.seek(end)
        f.write(garbage)
    repaired_start(h, node, path, end, acked, may_miss=(), what="a2",
                   dropped=len(garbage))


def repaired_start(h, node, path, offset, acked, may_miss, what, dropped=None):
    node.start()
    wait_node_ready(h, node)
    output = node.log_text()
    name = os.path.basename(path)
    repair = [l for l in output.splitlines() if "torn tail" in l]
    check(repair, "%s: no torn-tail repair logged; output:\n%s" % (what, output[-3000:]))
    check(any(name in l and ("offset %d" % offset) in l for l in repair),
          "%s: the repair line does not name %s at offset %d: %s" % (what, name, offset, repair))
    if dropped is not None:
        check(any(("dropped %d bytes" % dropped) in l for l in repair),
              "%s: the repair line does not say %d bytes were dropped: %s" % (what, dropped, repair))
    log("%s: repair logged: %s" % (what, repair[0][:300]))
    check_present(h, node, acked, may_miss=may_miss, what=what + " after the repair")
    more = {"%s-after/%d" % (what, i): "after-%d" % i for i in range(3)}
    for k, v in more.items():
        r = put(h, node, k, v)
        check(r.ok, "%s: put after the repair failed: %r" % (what, r))
    stop_cleanly(node)
    node.start()
    wait_node_ready(h, node)
    check("torn tail" not in node.log_text(),
          "%s: a second restart repaired again: %s" % (what, node.log_text()[-2000:]))
    contents = check_present(h, node, dict(acked, **more), may_miss=may_miss,
                             what=what + " after a second restart")
    check(all(contents.get(k) == v for k, v in more.items()), "%s: writes after the repair lost" % what)
    stop_cleanly(node)


def wait_node_ready(h, node, timeout=20):
    for c in h.clusters:
        if node in c.nodes:
            c.wait_ready([c.nodes.index(node)], timeout=timeout)
            return
    raise harness.TestFailure("node of no cluster")


def bit_flip_cases(h, node, pristine):
    # (b1) a bit in the payload of an entry well before the end of the last segment
    pristine.restore()
    path = segments(node)[-1]
    recs = records(path)
    entries = [r for r in recs[:-4] if r[1] == 2]
    check(len(entries) >= 3, "too few entries in %s to damage an earlier one" % path)
    offset, _, payload = entries[len(entries) // 2]
    where = offset + RECORD_HEADER_BYTES + len(payload) // 2
    log("b1: flipping bit 3 of byte %d (in the entry record at offset %d) of %s" % (
        where, offset, os.path.basename(path)))
    flip_bit(path, where, 3)
    expect_refusal(node, [os.path.basename(path), "offset %d" % offset], "b1")

    # (b2) a bit in the checksum field of the third record (early in the segment)
    pristine.restore()
    path = segments(node)[0]
    offset = records(path)[2][0]
    log("b2: flipping bit 0 of the checksum of the record at offset %d of %s" % (
        offset, os.path.basename(path)))
    flip_bit(path, offset + 5, 0)
    expect_refusal(node, [os.path.basename(path), "offset %d" % offset], "b2")


def snapshot_case(h):
    cluster = h.cluster("synod", 1, name="snap", extra_flags=["--snapshot-count", "8"])
    node = cluster.nodes[0]
    cluster.start()
    acked = write_keys(h, node, "s", 50)
    stop_cleanly(node)
    files = sorted(f for f in os.listdir(snap_dir(node)) if f.endswith(".snap"))
    check(files, "--snapshot-count 8 and 50 writes left no snapshot file in %s: %s" % (
        snap_dir(node), os.listdir(snap_dir(node))))
    marker = newest_snapshot_marker(node)
    check(marker is not None, "snapshot files %s but no snapshot marker in the WAL" % files)
    name = "snap-%016x-%016x.snap" % (marker[1], marker[0])
    check(name in files, "the WAL's newest snapshot marker names %s, not among %s" % (name, files))
    path = os.path.join(snap_dir(node), name)
    size = os.path.getsize(path)
    log("c: snapshot files %s; the WAL names %s (%d bytes)" % (files, name, size))
    with open(path, "rb") as f:
        original = f.read()
    flip_bit(path, size // 2, 5)
    expect_refusal(node, [name], "c")
    with open(path, "wb") as f:
        f.write(original)
    node.start()
    wait_node_ready(h, node)
    check_present(h, node, acked, what="c with the snapshot restored")
    stop_cleanly(node)


def full_disk_cases(h):
    def ignore_sigxfsz():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def small_limit():
        ignore_sigxfsz()
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

    # (d0) a limit below the preallocated segment: refused at start, saying why
    cluster = h.cluster("synod", 1, name="nospace0")
    node = cluster.nodes[0]
    node.start(preexec=small_limit)
    code = node.wait_exit(REFUSE_WITHIN_SECONDS)
    if code is None:
        node.kill9()
        raise harness.TestFailure("d0: with RLIMIT_FSIZE 1 MiB (< the 64 MiB segment) the node "
                                  "did not exit within %d s" % REFUSE_WITHIN_SECONDS)
    output = node.log_text()
    check(code != 0, "d0: exit code 0 with RLIMIT_FSIZE below the segment size")
    check("File too large" in output, "d0: the error does not say 'File too large':\n%s" % output[-3000:])
    log("d0: refused with exit code %d: %s" % (code, [l for l in output.splitlines()
                                                       if "File too large" in l][0][:300]))

    # (d1) the limit lowered on a running node
    cluster = h.cluster("synod", 1, name="nospace")
    node = cluster.nodes[0]
    node.start(preexec=ignore_sigxfsz)
    cluster.wait_ready()
    acked = write_keys(h, node, "d", 20, value_bytes=100)
    path = segments(node)[-1]
    end = records_end(path)
    limit = end + 32 * 1024
    resource.prlimit(node.proc.pid, resource.RLIMIT_FSIZE, (limit, limit))
    log("d1: RLIMIT_FSIZE of pid %d lowered to %d (%s ends at %d)" % (
        node.proc.pid, limit, os.path.basename(path), end))
    uncertain = {}
    first_failure = None
    failures = []
    for i in range(400):
        key, value = "full/%04d" % i, "f%d-" % i + "y" * 1000
        started = time.monotonic()
        r = put(h, node, key, value, timeout=30)
        elapsed = time.monotonic() - started
        check(r.returncode is not None, "d1: put %s did not return within 30 s" % key)
        check(elapsed < 12, "d1: put %s took %.1f s" % (key, elapsed))
        if r.ok and r.stdout.strip() == "OK":
            check(first_failure is None, "d1: put %s succeeded after put %s had failed (%s)" % (
                key, first_failure, failures[0] if failures else ""))
            acked[key] = value
            continue
        uncertain[key] = value
        failures.append("%s after %.2f s: %s" % (key, elapsed, (r.stderr.strip().splitlines() or ["?"])[-1]))
        if first_failure is None:
            first_failure = key
        if len(failures) >= 5:
            break
    check(first_failure is not None, "d1: 400 puts of 1 KB past a %d-byte file limit all succeeded" % limit)
    log("d1: %d puts acknowledged before the first failure; failures:\n    %s" % (
        sum(1 for k in acked if k.startswith("full/")), "\n    ".join(failures)))
    check(node.running(), "d1: the node died on the full disk (exit %s)" % node.proc.returncode)
    some = max(k for k in acked)
    r = h.etcdctl([node.endpoint], "get", some, "--consistency=s", "--print-value-only")
    check(r.ok and r.stdout.strip() == acked[some],
          "d1: serializable read after the storage failure: %r" % r)
    code = node.terminate()
    log("d1: exit code %s after SIGTERM" % code)
    node.start()  # without the limit
    wait_node_ready(h, node)
    check_present(h, node, acked, uncertain=uncertain, what="d1 after a restart without the limit")
    stop_cleanly(node)


def body(h):
    h.synod_binary()
    cluster = h.cluster("synod", 1, name="wal")
    node = cluster.nodes[0]
    cluster.start()
    acked = write_keys(h, node, "k", 40)
    node.kill9()
    log("WAL after 40 writes: %s" % ", ".join(
        "%s (%d records, %d bytes used)" % (os.path.basename(p), len(records(p)), records_end(p))
        for p in segments(node)))
    pristine = DataDir(h, node, "wal")

    torn_tail_cases(h, node, pristine, acked)
    bit_flip_cases(h, node, pristine)
    snapshot_case(h)
    full_disk_cases(h)


if __name__ == "__main__":
    harness.main("recovery", body, deadline_seconds=240)

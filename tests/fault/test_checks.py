#!/usr/bin/python3
"""The fault run's end checks catch what they are for (fabricated inputs, no cluster):
  * final values: an acknowledged write missing or overwritten by an older value on a node is a
    lost write; values that some linearization allows (the last acknowledged write, a later or
    concurrent write of unknown outcome, a concurrent acknowledged write) are not;
  * `run --verify` on a history with a stale read reports linearizability_violations=1, on a
    node missing an acknowledged key lost_writes=1, and exits 1; on a clean pair it exits 0;
  * the torn WAL tail written by the nemesis is a partial record right after the last one.

    /usr/bin/python3 tests/fault/test_checks.py --bin-dir build/bin
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
import checks  # noqa: E402
import wal_tail  # noqa: E402


def op(events, process, f, key, value, start, end, outcome="ok", result=None):
    events.append({"process": process, "type": "invoke", "f": f, "key": key,
                   "value": None if f == "read" else value, "time": start})
    if outcome is not None:
        events.append({"process": process, "type": outcome, "f": f, "key": key,
                       "value": result if f == "read" else value, "time": end})


def expect(condition, message):
    if not condition:
        print("FAIL: " + message)
        sys.exit(1)


def test_final_values():
    events = []
    op(events, 0, "write", "x", "a", 0, 10)
    op(events, 0, "write", "x", "b", 20, 30)
    op(events, 1, "write", "x", "c", 25, None, outcome="info")   # unknown, concurrent with b
    op(events, 2, "cas", "y", ["q", "r"], 0, 5, outcome="fail")  # did not write
    op(events, 3, "write", "z", "m", 0, 50)
    op(events, 4, "write", "z", "n", 10, 40)                   # concurrent with m
    good = {"n0": {"x": "b", "y": None, "z": "m"}, "n1": {"x": "c", "y": None, "z": "n"}}
    problems = checks.lost_writes(events, ["x", "y", "z"], good)
    expect(problems == [], "allowed final values reported: %s" % problems)
    bad = {"n0": {"x": "a", "y": None, "z": "m"},   # the older acknowledged value
           "n1": {"x": None, "y": "r", "z": "n"}}   # missing; a failed cas's value
    problems = checks.lost_writes(events, ["x", "y", "z"], bad)
    expect(len(problems) == 3, "expected 3 lost writes, got %s" % problems)
    print("ok final values: %d problems found in the bad case" % len(problems))


def run_verify(run, bin_dir, events, values):
    with tempfile.TemporaryDirectory() as d:
        history, final = os.path.join(d, "h.jsonl"), os.path.join(d, "v.json")
        with open(history, "w") as f:
            f.writelines(json.dumps(e) + "\n" for e in events)
        with open(final, "w") as f:
            json.dump(values, f)
        r = subprocess.run([sys.executable, run, "--bin-dir", bin_dir, "--verify", history, final],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    return r.returncode, r.stdout.strip().splitlines()[-1]


def test_verify(run, bin_dir):
    events = []
    op(events, 0, "write", "x", "1", 0, 10)
    op(events, 0, "write", "x", "2", 20, 30)
    op(events, 1, "read", "x", None, 40, 50, result="2")
    rc, last = run_verify(run, bin_dir, events, {"n0": {"x": "2"}, "n1": {"x": "2"}})
    expect(rc == 0 and last.endswith("lost_writes=0 linearizability_violations=0 "
                                     "unexpected_crashes=0"), "clean case: rc %s, %s" % (rc, last))
    stale = events[:-1] + [dict(events[-1], value="1")]
    rc, last = run_verify(run, bin_dir, stale, {"n0": {"x": "2"}})
    expect(rc == 1 and "linearizability_violations=1" in last, "stale read: rc %s, %s" % (rc, last))
    rc, last = run_verify(run, bin_dir, events, {"n0": {"x": "2"}, "n1": {}})
    expect(rc == 1 and "lost_writes=1" in last, "missing key: rc %s, %s" % (rc, last))
    print("ok --verify: " + last)


def test_torn_tail():
    rng = random.Random(5)
    records = b""
    for payload in (b"header-payload", b"entry-1", b"entry-22"):
        records += wal_tail.HEADER.pack(len(payload), 2, 7) + payload
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "wal"))
        for name in ("wal-0000000000000000-0000000000000001.log",
                     "wal-0000000000000001-0000000000000005.log"):
            with open(os.path.join(d, "wal", name), "wb") as f:
                f.write(records + bytes(4096))
        path, offset, length = wal_tail.tear_tail(d, rng)
        with open(path, "rb") as f:
            data = f.read()
    expect(path.endswith("0000000000000005.log"), "not the last segment: " + path)
    expect(offset == len(records) and data[:offset] == records, "records changed or wrong offset")
    promised, kind, _ = wal_tail.HEADER.unpack_from(data, offset)
    expect(kind != 0 and promised > length - wal_tail.HEADER.size, "not a partial record")
    expect(data[offset + length:] == bytes(len(data) - offset - length), "garbage past the tear")
    print("ok torn tail: %d bytes at %d promise a %d-byte payload" % (length, offset, promised))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", default="")
    args = parser.parse_args()
    lincheck = os.path.join(args.bin_dir, "synod-lincheck")
    if not os.access(lincheck, os.X_OK):
        print("SKIP: synod-lincheck not found in %r" % args.bin_dir)
        sys.exit(77)
    test_final_values()
    test_verify(os.path.join(HERE, "run"), os.path.abspath(args.bin_dir))
    test_torn_tail()
    print("PASS")


if __name__ == "__main__":
    main()

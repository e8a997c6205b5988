#!/usr/bin/python3
"""bench-smoke: synod-bench against a one-node synod on a free port.

`put` (--sequential-keys: then exactly 1,000 keys exist) and `range` (linearizable), 1,000
operations each over 4 connections and 20 clients, with
--json: the output must be one JSON object with every operation answered and none failed, ops/s
positive and the latency figures ordered (min <= p50 <= p99 <= max). Then a bad flag must exit 2
with one line on stderr. Reuses the end-to-end harness (ports, temporary directory, watchdog).
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import harness  # noqa: E402
from harness import check, log  # noqa: E402

OPS = 1000


def run_bench(h, *args):
    path = os.path.join(h.args.bin_dir, "synod-bench")
    harness.require_executable(path, "synod-bench")
    argv = [path] + list(args)
    log("$ " + " ".join(argv))
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def check_result(result, workload):
    check(result.returncode == 0, "%s exited %d: %s" % (workload, result.returncode, result.stderr))
    check(result.stderr == "", "no progress line off a terminal, got %r" % result.stderr)
    report = json.loads(result.stdout)
    log("%s: %.0f ops/s, p99 %.3f ms" % (workload, report["ops_per_second"],
                                          report["latency_ms"]["p99"]))
    check(report["workload"] == workload, "workload %r" % report["workload"])
    check(report["operations"] == OPS and report["succeeded"] == OPS,
          "%s: %d operations, %d succeeded" % (workload, report["operations"], report["succeeded"]))
    check(report["failed"] == 0 and report["errors"] == [], "%s errors: %s" % (workload, report["errors"]))
    check(report["ops_per_second"] > 0, "ops/s %r" % report["ops_per_second"])
    latency = report["latency_ms"]
    check(latency["samples"] == OPS, "latency samples %d" % latency["samples"])
    check(0 < latency["min"] <= latency["p50"] <= latency["p99"] <= latency["p99.9"] <= latency["max"],
          "latency figures out of order: %s" % latency)


def body(h):
    cluster = h.cluster("synod", 1)
    cluster.start()
    endpoint = "--endpoints=" + cluster.endpoints()[0]
    common = [endpoint, "--total=%d" % OPS, "--conns=4", "--clients=20", "--key-space-size=%d" % OPS,
              "--key-size=8", "--val-size=64", "--json"]
    check_result(run_bench(h, "put", "--sequential-keys", *common), "put")
    # --sequential-keys wrote each key of the space once: exactly OPS keys, of 64 bytes each.
    counted = h.etcdctl(cluster.endpoints(), "get", "", "--from-key", "--keys-only", "-w", "json")
    check(counted.ok and json.loads(counted.stdout)["count"] == OPS, "key count: %s" % counted.output)
    last = h.etcdctl(cluster.endpoints(), "get", "%08d" % (OPS - 1), "--print-value-only")
    check(last.ok and last.stdout.strip() == "v" * 64, "last key: %s" % last.output)
    check_result(run_bench(h, "range", "--consistency=l", *common), "range")

    bad = run_bench(h, "put", endpoint, "--clients=0")
    check(bad.returncode == 2, "bad flag exit code %d" % bad.returncode)
    check(bad.stdout == "" and bad.stderr.count("\n") == 1 and "--clients" in bad.stderr,
          "bad flag output %r / %r" % (bad.stdout, bad.stderr))


if __name__ == "__main__":
    harness.main("bench-smoke", body, deadline_seconds=90)

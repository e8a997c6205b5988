"""What a fault run checks once the cluster is healed, and the verdict line.

The final value of a register is exactly checkable: in every linearization the last write is
some write W (ok, or of unknown outcome) that no acknowledged write follows in real time. If an
acknowledged write X was invoked after W completed, X comes after W in every order, so W's value
cannot be final. Hence the final value read on every node must be the value of a write (or
successful cas) W such that no acknowledged write or cas was invoked after W completed; a write
of unknown outcome never completes, so it always qualifies. With no acknowledged write of a key,
the key may also be absent. Anything else (an older acknowledged value, an unknown value, a
missing key) is a lost write.
"""

import subprocess

INFINITY = float("inf")


def writes_by_key(events):
    """key -> list of (value, invoke time, completion time or inf, acknowledged) of every
    write and cas that may have set the register."""
    open_ops = {}
    result = {}
    for e in events:
        if e["f"] not in ("write", "cas"):
            continue
        if e["type"] == "invoke":
            open_ops[e["process"]] = e
            continue
        start = open_ops.pop(e["process"], None)
        if start is None:
            continue
        written = e["value"] if e["f"] == "write" else e["value"][1]
        if e["type"] == "ok":
            result.setdefault(e["key"], []).append((written, start["time"], e["time"], True))
        elif e["type"] == "info":
            result.setdefault(e["key"], []).append((written, start["time"], INFINITY, False))
    for start in open_ops.values():  # never completed: unknown outcome
        written = start["value"] if start["f"] == "write" else start["value"][1]
        result.setdefault(start["key"], []).append((written, start["time"], INFINITY, False))
    return result


def allowed_final_values(writes):
    """The values a register may hold after the history ends (None: absent)."""
    last_acked_invoke = max((invoke for _, invoke, _, acked in writes if acked), default=None)
    allowed = set()
    if last_acked_invoke is None:
        allowed.add(None)
    for value, _, completed, _ in writes:
        if last_acked_invoke is None or not (last_acked_invoke > completed):
            allowed.add(value)
    return allowed


def lost_writes(events, keys, node_values):
    """node_values: node name -> {key: value or None}. Returns a list of problem texts, one per
    (node, key) whose value no linearization allows."""
    writes = writes_by_key(events)
    problems = []
    for key in keys:
        allowed = allowed_final_values(writes.get(key, []))
        for node, values in sorted(node_values.items()):
            if values.get(key) not in allowed:
                acked = [w[0] for w in writes.get(key, []) if w[3]]
                problems.append("%s: key %r holds %r; allowed final values %s (last acknowledged "
                                "write %r)" % (node, key, values.get(key),
                                               sorted(allowed, key=str), acked[-1] if acked else None))
    return problems


def run_lincheck(lincheck, history_path, timeout=600):
    """(violations, output): 1 when synod-lincheck finds no linearization (exit 1); a malformed
    history or an exhausted search (exit 2, 3) is reported by raising."""
    r = subprocess.run([lincheck, "--stats", history_path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    output = (r.stdout + r.stderr).strip()
    if r.returncode == 0:
        return 0, output
    if r.returncode == 1:
        return 1, output
    raise RuntimeError("synod-lincheck exited %d: %s" % (r.returncode, output[-2000:]))


class Totals:
    def __init__(self):
        self.runs = self.ops = self.faults = 0
        self.lost_writes = self.linearizability_violations = self.unexpected_crashes = 0
        self.other_failures = 0  # recovery that never came, divergent raft indexes: also fatal

    def line(self):
        return ("runs=%d ops=%d faults=%d lost_writes=%d linearizability_violations=%d "
                "unexpected_crashes=%d" % (self.runs, self.ops, self.faults, self.lost_writes,
                                           self.linearizability_violations,
                                           self.unexpected_crashes))

    def exit_code(self):
        bad = (self.lost_writes + self.linearizability_violations + self.unexpected_crashes +
               self.other_failures)
        return 0 if bad == 0 else 1

#!/usr/bin/python3
"""etcdctl lock / elect against a three-node Synod as against etcd 3.4, and synodctl's the same.

For each view (etcdctl on a one-node etcd: the reference; etcdctl on a three-node synod;
synodctl on the same synod, whose lock and elect go through the v3lock and v3election
services), with the contenders on different members of the synod:
1. `lock L` prints its key and holds; a second `lock L` prints nothing while the first holds
   (its key is in the store, so it really waits), and prints its own key once the first is
   interrupted (SIGINT: unlock, exit 0).
2. Three `lock M -- sh -c ...` at once: the commands run one at a time (their start/end lines in
   a shared file never interleave), each sees ETCD_LOCK_KEY and a numeric ETCD_LOCK_REV.
3. `elect -l E` observes; `elect E p1` leads at once; `elect E p2` waits until the first is
   interrupted (resign); the observer prints both leaders in turn.
4. `lock --ttl 6 X` whose lease is revoked (etcdctl lease revoke) ends with "session expired".
5. Argument errors give the same exit code and message.
Every transcript (exit codes, stdout, "Error:" lines) is compared with the reference after the
lease ids in the keys are replaced by their order of appearance.
"""

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, log  # noqa: E402

WAIT_SECONDS = 20


def tool_env():
    env = dict(os.environ)
    env["ETCDCTL_API"] = "3"
    for var in ("ETCDCTL_ENDPOINTS", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
                "ALL_PROXY", "all_proxy"):
        env.pop(var, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


class Background:
    """A long-running etcdctl/synodctl: its stdout lines as they come, then SIGINT."""

    def __init__(self, argv):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=tool_env(), text=True)
        harness._register(self.proc)
        self.lines = queue.Queue()
        self.stdout = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def read_lines(self, count):
        for _ in range(count):
            try:
                self.stdout.append(self.lines.get(timeout=WAIT_SECONDS))
            except queue.Empty:
                raise harness.TestFailure("%s printed only %r" % (" ".join(self.argv), self.stdout))
        return "".join(self.stdout[-count:])

    def printed_nothing_more(self):
        return self.lines.empty()

    def interrupt(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise harness.TestFailure("%s ignored SIGINT" % " ".join(self.argv))
        while not self.lines.empty():
            self.stdout.append(self.lines.get())
        return "rc=%s\n%s%s" % (self.proc.returncode, "".join(self.stdout), self.proc.stderr.read())


class Ids:
    """Replaces the lease ids in `<name>/<hex id>` keys by ID<n> in order of appearance."""

    def __init__(self):
        self.names = {}

    def __call__(self, text):
        def name(m):
            self.names.setdefault(m.group(2), "ID%d" % (len(self.names) + 1))
            return m.group(1) + self.names[m.group(2)]
        return re.sub(r"(\b[A-Za-z]+/)([0-9a-f]{1,16})\b", name, text)


class View:
    def __init__(self, name, tool, endpoints_for, key_count, cluster_endpoints):
        self.name = name
        self.cluster_endpoints = cluster_endpoints
        self.tool = tool                    # argv prefix
        self.endpoints_for = endpoints_for  # contender index -> --endpoints value
        self.key_count = key_count          # prefix -> keys in the store
        self.ids = Ids()
        self.transcript = []

    def argv(self, contender, *args):
        return self.tool + ["--endpoints=" + self.endpoints_for(contender)] + list(args)

    def record(self, step, text):
        self.transcript.append("%s: %s" % (step, self.ids(text)))

    def await_keys(self, prefix, count):
        deadline = time.monotonic() + WAIT_SECONDS
        while self.key_count(prefix) != count:
            check(time.monotonic() < deadline, "%s: never %d keys under %s" % (self.name, count, prefix))
            time.sleep(0.05)


def lock_passes(view):
    first = Background(view.argv(0, "lock", "L"))
    view.record("first lock", first.read_lines(2))
    second = Background(view.argv(1, "lock", "L"))
    view.await_keys("L/", 2)
    check(second.printed_nothing_more(), "%s: the second lock did not wait" % view.name)
    view.record("first ends", first.interrupt())
    view.record("second lock", second.read_lines(2))
    view.record("second ends", second.interrupt())
    view.await_keys("L/", 0)


def lock_command_excludes(view, work_dir):
    trace = os.path.join(work_dir, "%s-trace" % view.name)
    script = ('echo "start $ETCD_LOCK_KEY" >> %s; sleep 0.3; echo "end $ETCD_LOCK_KEY" >> %s; '
              'case "$ETCD_LOCK_REV" in ""|*[!0-9]*) echo "bad rev $ETCD_LOCK_REV";; esac; '
              'echo "held"' % (trace, trace))
    runs = [Background(view.argv(i, "lock", "M", "--", "sh", "-c", script)) for i in range(3)]
    outputs = sorted(wait_exit(run) for run in runs)
    for output in outputs:
        view.record("command", output)
    with open(trace) as f:
        lines = f.read().split("\n")[:-1]
    check(len(lines) == 6, "%s: trace %r" % (view.name, lines))
    for i in range(0, 6, 2):
        start, end = lines[i].split(" ", 1), lines[i + 1].split(" ", 1)
        check(start[0] == "start" and end[0] == "end" and start[1] == end[1],
              "%s: commands overlapped: %r" % (view.name, lines))
    check(len({lines[i].split(" ", 1)[1] for i in range(0, 6, 2)}) == 3,
          "%s: three locks should have three keys: %r" % (view.name, lines))


def wait_exit(run):
    try:
        run.proc.wait(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        raise harness.TestFailure("%s never finished" % " ".join(run.argv))
    while not run.lines.empty():
        run.stdout.append(run.lines.get())
    return "rc=%s\n%s%s" % (run.proc.returncode, "".join(run.stdout), run.proc.stderr.read())


def election_runs(view):
    observer = Background(view.argv(2, "elect", "-l", "E"))
    first = Background(view.argv(0, "elect", "E", "p1"))
    view.record("first leads", first.read_lines(2))
    view.record("observer sees first", observer.read_lines(2))
    second = Background(view.argv(1, "elect", "E", "p2"))
    view.await_keys("E/", 2)
    check(second.printed_nothing_more(), "%s: the second campaign did not wait" % view.name)
    view.record("first resigns", first.interrupt())
    view.record("second leads", second.read_lines(2))
    view.record("observer sees second", observer.read_lines(2))
    view.record("second resigns", second.interrupt())
    # The resign wakes the observer's watch and it reads the prefix again; interrupted during
    # that read, etcdctl prints a client-side "retrying of unary invoker failed" warning. Let
    # the read finish so that the transcript is the same whoever answers faster.
    time.sleep(1)
    view.record("observer ends", observer.interrupt())


def session_expires(view, h, endpoints):
    held = Background(view.argv(0, "lock", "--ttl", "6", "X"))
    printed = held.read_lines(2)
    view.record("held", printed)
    lease = printed.split("\n")[0].split("/", 1)[1]
    r = h.etcdctl(endpoints, "lease", "revoke", lease)
    check(r.ok, "revoke: %r" % r)
    view.record("lease revoked", wait_exit(held))


def argument_errors(view):
    for args in (["lock"], ["elect"], ["elect", "E"], ["elect", "-l", "E", "p"]):
        r = harness.run(view.argv(0, *args), env=tool_env())
        view.record(" ".join(args), "rc=%s\n%s%s" % (r.returncode, r.stdout, r.stderr))


def key_counter(h, endpoints):
    def count(prefix):
        r = h.etcdctl(endpoints, "get", "--prefix", "--keys-only", prefix)
        check(r.ok, "get --prefix %s: %r" % (prefix, r))
        return len([line for line in r.stdout.split("\n") if line])
    return count


def body(h):
    synodctl = os.path.join(os.path.dirname(h.synod_binary()), "synodctl")
    harness.require_executable(synodctl, "synodctl")
    etcd = h.cluster("etcd", 1)
    synod = h.cluster("synod", 3)
    etcd.start()
    synod.start()
    etcdctl = [h.args.etcdctl, "--dial-timeout=2s"]
    views = [
        View("etcd", etcdctl, lambda i: etcd.endpoints()[0], key_counter(h, etcd.endpoints()),
             etcd.endpoints()),
        View("synod-etcdctl", etcdctl, lambda i: synod.endpoints()[i],
             key_counter(h, synod.endpoints()), synod.endpoints()),
        View("synod-synodctl", [synodctl, "--dial-timeout=2s"], lambda i: synod.endpoints()[i],
             key_counter(h, synod.endpoints()), synod.endpoints()),
    ]
    for view in views:
        start = time.monotonic()
        lock_passes(view)
        lock_command_excludes(view, h.dir)
        election_runs(view)
        session_expires(view, h, view.cluster_endpoints)
        argument_errors(view)
        log("%s: lock, lock with a command, elect and errors done in %.1f s"
            % (view.name, time.monotonic() - start))
    reference = views[0].transcript
    log("etcd transcript:\n" + "\n".join(reference))
    for view in views[1:]:
        for expected, got in zip(reference, view.transcript):
            check(expected == got, "%s differs from etcd:\n--- etcd\n%s\n--- %s\n%s"
                  % (view.name, expected, view.name, got))
        check(len(reference) == len(view.transcript), "%s: transcript length" % view.name)
    log("etcdctl and synodctl lock / elect print on synod what etcdctl prints on etcd")


if __name__ == "__main__":
    harness.main("election_lock", body, deadline_seconds=240, description=__doc__)

"""Register clients over etcd's v3 gRPC API, recording a history for synod-lincheck.

Each client thread is one history `process` (docs/history-format.md) until an operation's outcome
is unknown: then the operation stays `info` and the thread continues under a new process id, as
Jepsen does. Operations on a few keys:
  read  linearizable Range               ok(value or null) | fail (error: did not happen)
  write Put                              ok | info (error or timeout: may have happened)
  cas   Txn(value == expected → Put new) ok (succeeded) | fail (compare false) | info (error)
Every written value is unique ("<process>.<counter>"), which keeps the checker fast.
"""

import itertools
import json
import random
import threading
import time

OPERATION_TIMEOUT_SECONDS = 1.5
THINK_SECONDS = 0.005  # between operations: the test shares a small machine
GRPC_OPTIONS = [("grpc.enable_http_proxy", 0), ("grpc.initial_reconnect_backoff_ms", 100),
                ("grpc.max_reconnect_backoff_ms", 500)]


def grpc_modules():
    import grpc
    from etcd3.etcdrpc import rpc_pb2, rpc_pb2_grpc
    return grpc, rpc_pb2, rpc_pb2_grpc


class History:
    """Thread-safe list of history events, written out as JSON lines."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []
        self._process_ids = itertools.count()

    def new_process(self):
        with self.lock:
            return next(self._process_ids)

    def add(self, process, kind, f, key, value):
        event = {"process": process, "type": kind, "f": f, "key": key, "value": value,
                 "time": time.monotonic_ns()}
        with self.lock:
            self.events.append(event)

    def write(self, path):
        with self.lock:
            events = list(self.events)
        with open(path, "w") as out:
            for e in events:
                out.write(json.dumps(e, separators=(",", ":")) + "\n")
        return len(events)

    def completed_operations(self):
        with self.lock:
            return sum(1 for e in self.events if e["type"] != "invoke")


class Stubs:
    """One channel per node, shared by every client thread (gRPC channels are thread-safe)."""

    def __init__(self, targets):
        grpc, pb, pb_grpc = grpc_modules()
        self.grpc, self.pb = grpc, pb
        self.channels = [grpc.insecure_channel(t, options=GRPC_OPTIONS) for t in targets]
        self.kv = [pb_grpc.KVStub(ch) for ch in self.channels]
        self.maintenance = [pb_grpc.MaintenanceStub(ch) for ch in self.channels]

    def close(self):
        for ch in self.channels:
            ch.close()

    def read(self, node, key, serializable=False, timeout=OPERATION_TIMEOUT_SECONDS):
        """(value or None, revision) from one node."""
        r = self.kv[node].Range(self.pb.RangeRequest(key=key.encode(), serializable=serializable),
                                timeout=timeout)
        value = r.kvs[0].value.decode() if r.kvs else None
        return value, r.header.revision

    def put(self, node, key, value, timeout=OPERATION_TIMEOUT_SECONDS):
        self.kv[node].Put(self.pb.PutRequest(key=key.encode(), value=value.encode()),
                          timeout=timeout)

    def cas(self, node, key, expected, new, timeout=OPERATION_TIMEOUT_SECONDS):
        pb = self.pb
        compare = pb.Compare(result=pb.Compare.EQUAL, target=pb.Compare.VALUE, key=key.encode(),
                             value=expected.encode())
        put = pb.RequestOp(request_put=pb.PutRequest(key=key.encode(), value=new.encode()))
        r = self.kv[node].Txn(pb.TxnRequest(compare=[compare], success=[put]), timeout=timeout)
        return r.succeeded

    def status(self, node, timeout=OPERATION_TIMEOUT_SECONDS):
        return self.maintenance[node].Status(self.pb.StatusRequest(), timeout=timeout)

    def hash_kv(self, node, revision, timeout=5.0):
        return self.maintenance[node].HashKV(self.pb.HashKVRequest(revision=revision),
                                             timeout=timeout)


class RegisterClient(threading.Thread):
    def __init__(self, stubs, history, keys, node_count, seed, stop, stale_reads=False):
        super().__init__(daemon=True, name="register-client-%d" % seed)
        self.stubs, self.history, self.keys = stubs, history, keys
        self.node_count = node_count
        self.rng = random.Random(seed)
        self.stop = stop
        self.process = history.new_process()
        self.node = self.rng.randrange(node_count)
        self.counter = 0
        self.seen = {}  # key -> a value this client read or wrote last
        self.stale_reads = stale_reads  # a deliberate client bug: serializable "linearizable" reads

    def run(self):
        try:
            self.loop()
        except ValueError:  # the channels were closed under us: the run is ending
            pass

    def loop(self):
        while not self.stop.is_set():
            key = self.rng.choice(self.keys)
            roll = self.rng.random()
            if roll < 0.4:
                self.read(key)
            elif roll < 0.7 or key not in self.seen:
                self.write(key)
            else:
                self.cas(key)
            time.sleep(THINK_SECONDS)

    def fresh_value(self):
        self.counter += 1
        return "%d.%d" % (self.process, self.counter)

    def failed_over(self):
        """After an error: try another node next, and back off a little."""
        self.node = self.rng.randrange(self.node_count)
        time.sleep(0.05)

    def read(self, key):
        h = self.history
        h.add(self.process, "invoke", "read", key, None)
        try:
            value, _ = self.stubs.read(self.node, key, serializable=self.stale_reads)
        except self.stubs.grpc.RpcError:
            h.add(self.process, "fail", "read", key, None)
            self.failed_over()
            return
        h.add(self.process, "ok", "read", key, value)
        if value is not None:
            self.seen[key] = value

    def write(self, key):
        h, value = self.history, self.fresh_value()
        h.add(self.process, "invoke", "write", key, value)
        try:
            self.stubs.put(self.node, key, value)
        except self.stubs.grpc.RpcError:
            self.indeterminate("write", key, value)
            return
        h.add(self.process, "ok", "write", key, value)
        self.seen[key] = value

    def cas(self, key):
        h, pair = self.history, [self.seen[key], self.fresh_value()]
        h.add(self.process, "invoke", "cas", key, pair)
        try:
            succeeded = self.stubs.cas(self.node, key, pair[0], pair[1])
        except self.stubs.grpc.RpcError:
            self.indeterminate("cas", key, pair)
            return
        h.add(self.process, "ok" if succeeded else "fail", "cas", key, pair)
        if succeeded:
            self.seen[key] = pair[1]
        else:
            del self.seen[key]

    def indeterminate(self, f, key, value):
        self.history.add(self.process, "info", f, key, value)
        self.process = self.history.new_process()
        self.seen.pop(key, None)
        self.failed_over()

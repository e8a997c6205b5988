"""A synod cluster for the fault test: harness.Node processes on per-node addresses.

With a NamespaceNetwork every node runs under `ip netns exec` (which execs synod, so the pid is
synod's own) on 10.77.x.i:2379/2380; without one, on 127.0.0.(10+i) with free ports. A node
knows whether it is down on purpose (`expected_down`): one that exits otherwise has crashed.
"""

import os
import subprocess
import time

import harness
from clients import Stubs

SEGMENT_BYTES = 65536     # small WAL segments: rollovers, releases and a disk that can fill
SNAPSHOT_COUNT = 2000     # frequent snapshots, so the WAL is released and the tmpfs never fills
TMPFS_BYTES = 16 << 20


class FaultNode(harness.Node):
    def __init__(self, h, name, data_dir, address, client_port, peer_port, exec_prefix):
        super().__init__(h, "synod", h.synod_binary(), name, data_dir, client_port, peer_port)
        self.address = address
        self.exec_prefix = exec_prefix
        self.expected_down = False
        self.paused = False
        self.crashes = 0  # exits the nemesis did not cause
        self.tmpfs = None  # mount point of the small disk, when this node has one

    @property
    def endpoint(self):
        return "http://%s:%d" % (self.address, self.client_port)

    @property
    def peer_url(self):
        return "http://%s:%d" % (self.address, self.peer_port)

    @property
    def grpc_target(self):
        return "%s:%d" % (self.address, self.client_port)

    def argv(self):
        return list(self.exec_prefix) + [self.binary] + self.flags

    def log_tail(self, lines=30):
        return "\n".join(self.log_text().splitlines()[-lines:])


def mount_tmpfs(path, size_bytes):
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d,mode=0700" % size_bytes,
                        "synod-fault", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return None if r.returncode == 0 else (r.stderr.strip() or "mount failed")


def unmount(path):
    subprocess.run(["umount", "-l", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class FaultCluster:
    def __init__(self, h, size, round_index, network, disk_node, say):
        self.h, self.say = h, say
        self.network = network
        if network is not None:
            addresses = [network.address(i) for i in range(size)]
            ports = [2379, 2380] * size
            prefixes = [network.exec_prefix(i) for i in range(size)]
        else:
            addresses = ["127.0.0.%d" % (10 + i) for i in range(size)]
            ports = harness.free_ports(2 * size)
            prefixes = [[] for _ in range(size)]
        self.nodes = []
        for i in range(size):
            name = "r%d-n%d" % (round_index, i)
            self.nodes.append(FaultNode(h, name, os.path.join(h.dir, name + ".data"), addresses[i],
                                        ports[2 * i], ports[2 * i + 1], prefixes[i]))
        cluster = ",".join("%s=%s" % (n.name, n.peer_url) for n in self.nodes)
        for n in self.nodes:
            n.flags = ["--name", n.name, "--data-dir", n.data_dir,
                       "--listen-client-urls", n.endpoint, "--advertise-client-urls", n.endpoint,
                       "--listen-peer-urls", n.peer_url, "--initial-advertise-peer-urls", n.peer_url,
                       "--initial-cluster", cluster, "--initial-cluster-state", "new",
                       "--initial-cluster-token", "fault-r%d" % round_index,
                       "--heartbeat-interval", "100", "--election-timeout", "1000",
                       "--wal-segment-bytes", str(SEGMENT_BYTES),
                       "--snapshot-count", str(SNAPSHOT_COUNT)]
        self.disk_node = None
        if disk_node is not None:
            node = self.nodes[disk_node]
            error = mount_tmpfs(node.data_dir, TMPFS_BYTES)
            if error:
                say("tmpfs unavailable (%s), skipping full disk" % error)
            else:
                node.tmpfs = node.data_dir
                self.disk_node = disk_node
        self.stubs = Stubs([n.grpc_target for n in self.nodes])

    def start(self):
        for n in self.nodes:
            n.start()

    def restart(self, i):
        node = self.nodes[i]
        node.start()
        node.expected_down = False

    def kill9(self, i):
        node = self.nodes[i]
        node.expected_down = True
        if node.paused:
            self.resume(i)
        node.kill9()

    def pause(self, i):
        node = self.nodes[i]
        if node.running():
            node.proc.send_signal(19)  # SIGSTOP
            node.paused = True

    def resume(self, i):
        node = self.nodes[i]
        if node.paused and node.running():
            node.proc.send_signal(18)  # SIGCONT
        node.paused = False

    def healthy(self, i):
        try:
            self.stubs.read(i, "health-check", timeout=2.0)
            return True
        except self.stubs.grpc.RpcError:
            return False

    def leader(self):
        """Index of the node that the answering nodes agree leads, or None."""
        ids, leaders = {}, set()
        for i, n in enumerate(self.nodes):
            if not n.running() or n.paused:
                continue
            try:
                st = self.stubs.status(i, timeout=1.0)
            except self.stubs.grpc.RpcError:
                continue
            ids[st.header.member_id] = i
            leaders.add(st.leader)
        if len(leaders) == 1:
            return ids.get(leaders.pop())
        return None

    def raft_indexes(self):
        result = []
        for i in range(len(self.nodes)):
            try:
                result.append(self.stubs.status(i, timeout=2.0).raftIndex)
            except self.stubs.grpc.RpcError:
                result.append(None)
        return result

    def wait_recovered(self, timeout, on_poll):
        """Every node answers a linearizable read and reports the same raft index. `on_poll`
        runs between attempts (it notices nodes that exited)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            on_poll()
            if all(self.healthy(i) for i in range(len(self.nodes))):
                indexes = self.raft_indexes()
                if None not in indexes and len(set(indexes)) == 1:
                    return True, indexes
            time.sleep(0.3)
        return False, self.raft_indexes()

    def stop(self):
        for i, n in enumerate(self.nodes):
            self.resume(i)
            n.expected_down = True
            if n.running():
                n.proc.kill()
                n.proc.wait(timeout=10)
        self.stubs.close()

    def unmount_all(self):
        for n in self.nodes:
            if n.tmpfs:
                unmount(n.tmpfs)
                n.tmpfs = None

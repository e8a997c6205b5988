"""The nemesis: one fault at a time, chosen and timed by a seeded generator, then healed.

Faults (docs/fault-injection.md): kill -9 and restart; SIGSTOP/SIGCONT; partitions made of
blackhole routes (majority/minority, bridge, isolated leader, one-way) and a node's link set down
(namespaces only); a full disk (the node on a tmpfs); a restart on a torn WAL tail.
"""

import os
import time

import wal_tail

FILLER_NAME = "fault-filler"


class Nemesis:
    all_kinds = ["kill", "kill-leader", "pause", "torn-wal", "partition-majority",
                 "partition-bridge", "isolate-leader", "one-way", "link-down", "full-disk"]

    def __init__(self, cluster, rng, say, partitions):
        self.cluster, self.rng, self.say = cluster, rng, say
        self.net = cluster.network if partitions else None
        self.kinds = ["kill", "kill-leader", "pause", "torn-wal"]
        if self.net is not None:
            self.kinds += ["partition-majority", "partition-bridge", "isolate-leader", "one-way",
                           "link-down"]
        if cluster.disk_node is not None:
            self.kinds += ["full-disk"]
        self.heal_actions = []
        self.deck = []
        self.faults = 0
        self.torn_tails = []  # (node index, start number) whose log must report the repair

    @property
    def size(self):
        return len(self.cluster.nodes)

    def others(self, i):
        return [j for j in range(self.size) if j != i]

    def random_node(self):
        return self.rng.randrange(self.size)

    def leader_or_random(self):
        leader = self.cluster.leader()
        return self.random_node() if leader is None else leader

    def inject(self):
        # dealt from a shuffled deck, so that a short run still meets every kind of fault
        if not self.deck:
            self.deck = list(self.kinds)
            self.rng.shuffle(self.deck)
        kind = self.deck.pop()
        description = getattr(self, "_" + kind.replace("-", "_"))()
        self.faults += 1
        self.say("fault %d: %s" % (self.faults, description))

    def heal(self):
        while self.heal_actions:
            self.heal_actions.pop()()

    # --- processes ----------------------------------------------------------------------------

    def _kill(self, target=None):
        i = self.random_node() if target is None else target
        self.cluster.kill9(i)
        self.heal_actions.append(lambda: self.cluster.restart(i))
        return "kill -9 %s (restart at heal)" % self.cluster.nodes[i].name

    def _kill_leader(self):
        return self._kill(self.leader_or_random()) + " [leader]"

    def _pause(self):
        i = self.leader_or_random() if self.rng.random() < 0.5 else self.random_node()
        self.cluster.pause(i)
        self.heal_actions.append(lambda: self.cluster.resume(i))
        return "SIGSTOP %s (SIGCONT at heal)" % self.cluster.nodes[i].name

    def _torn_wal(self):
        i = self.random_node()
        node = self.cluster.nodes[i]
        self.cluster.kill9(i)
        path, offset, length = wal_tail.tear_tail(node.data_dir, self.rng)
        self.cluster.restart(i)
        self.torn_tails.append((i, node.starts))
        return "kill -9 %s, %d torn bytes at offset %d of %s, restarted" % (
            node.name, length, offset, os.path.basename(path))

    # --- network ------------------------------------------------------------------------------

    def _cut_groups(self, a, b):
        for i in a:
            for j in b:
                self.net.cut_both_ways(i, j)
        self.heal_actions.append(self.net.heal)

    def names(self, indices):
        return ",".join(self.cluster.nodes[i].name for i in indices)

    def _partition_majority(self):
        order = list(range(self.size))
        self.rng.shuffle(order)
        minority, majority = order[:self.size // 2], order[self.size // 2:]
        self._cut_groups(minority, majority)
        return "partition %s | %s" % (self.names(minority), self.names(majority))

    def _partition_bridge(self):
        order = list(range(self.size))
        self.rng.shuffle(order)
        bridge, rest = order[0], order[1:]
        left, right = rest[:len(rest) // 2], rest[len(rest) // 2:]
        self._cut_groups(left, right)
        return "bridge: %s sees both %s and %s" % (self.names([bridge]), self.names(left),
                                                   self.names(right))

    def _isolate_leader(self):
        leader = self.leader_or_random()
        self._cut_groups([leader], self.others(leader))
        return "isolate leader %s from its peers" % self.cluster.nodes[leader].name

    def _one_way(self):
        src = self.leader_or_random() if self.rng.random() < 0.5 else self.random_node()
        dst = self.rng.choice(self.others(src))
        self.net.cut_one_way(src, dst)
        self.heal_actions.append(self.net.heal)
        return "one-way: packets %s -> %s dropped" % (self.cluster.nodes[src].name,
                                                     self.cluster.nodes[dst].name)

    def _link_down(self):
        i = self.random_node()
        self.net.link_down(i)
        self.heal_actions.append(self.net.heal)
        return "link of %s down (peers and clients)" % self.cluster.nodes[i].name

    # --- disk ---------------------------------------------------------------------------------

    def _full_disk(self):
        i = self.cluster.disk_node
        node = self.cluster.nodes[i]
        filler = os.path.join(node.tmpfs, FILLER_NAME)
        written = fill(filler)
        self.heal_actions.append(lambda: self._empty_disk(i, filler))
        return "disk of %s full (%d KiB filler)" % (node.name, written >> 10)

    def _empty_disk(self, i, filler):
        os.remove(filler)
        node = self.cluster.nodes[i]
        if node.running() and "stopped serving writes" in node.log_text():
            # a storage failure stops a node's writes for good (docs/storage.md): restart it
            self.say("%s stopped serving writes on the full disk: restarting it" % node.name)
            self.cluster.kill9(i)
            self.cluster.restart(i)


def fill(path):
    """Writes zeros to `path` until the file system is full; returns the bytes written."""
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for chunk in (b"\0" * 65536, b"\0" * 512):  # the last bytes in small pieces
            while True:
                try:
                    n = os.write(fd, chunk)
                except OSError:
                    break
                if n == 0:
                    break
                written += n
    finally:
        os.close(fd)
    return written

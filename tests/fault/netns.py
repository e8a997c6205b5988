"""The fault test's network: one namespace per node, joined by veth pairs to a bridge.

Each node i runs in namespace `<prefix>n<i>` with address 10.77.<subnet>.<i+1>/24 on a veth whose
other end is a port of the bridge `<prefix>br` in the root namespace; the bridge holds .254, so
the test's clients reach every node from the root namespace. A partition is a blackhole route
inside a node's namespace (it drops that node's packets *to* one address: a one-way cut) or a
host-side veth set down (the node loses everyone, clients too). iptables is not used.

Every name starts with `sf<pid>`, the runner's pid, so that leftovers of a run that died are
recognised (their pid is gone) and removed while a concurrent run's network is left alone.
Interface names stay within Linux's 15 characters.
"""

import os
import re
import subprocess

NAME_PATTERN = re.compile(r"^sf(\d+)[nhvb]")


def ip(*args, check=True, timeout=10):
    r = subprocess.run(["ip"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError("ip %s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _owner_dead(name):
    m = NAME_PATTERN.match(name)
    return m is not None and not pid_alive(int(m.group(1)))


def remove_leftovers(say):
    """Deletes namespaces and links of earlier runs whose runner process no longer exists."""
    try:
        spaces = ip("netns", "list", check=False).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return
    for name in spaces:
        if _owner_dead(name):
            say("removing leftover namespace %s" % name)
            ip("netns", "del", name, check=False)
    links = ip("-o", "link", "show", check=False).stdout.splitlines()
    for line in links:
        parts = line.split(":")
        if len(parts) < 2:
            continue
        name = parts[1].strip().split("@")[0]
        if _owner_dead(name):
            say("removing leftover link %s" % name)
            ip("link", "del", name, check=False)


def probe():
    """None when namespaces, veth pairs and a bridge work here; otherwise the reason."""
    if os.geteuid() != 0:
        return "not running as root"
    prefix = "sf%d" % os.getpid()
    name = prefix + "nprobe"
    try:
        r = ip("netns", "add", name, check=False)
        if r.returncode != 0:
            return "ip netns add failed: " + r.stderr.strip()
        r = ip("link", "add", prefix + "vp", "type", "veth", "peer", "name",
               prefix + "hp", check=False)
        if r.returncode != 0:
            return "veth pairs unavailable: " + r.stderr.strip()
        r = ip("link", "add", prefix + "bp", "type", "bridge", check=False)
        if r.returncode != 0:
            return "bridges unavailable: " + r.stderr.strip()
        return None
    except (OSError, subprocess.SubprocessError) as e:
        return "ip unusable: %s" % e
    finally:
        ip("link", "del", prefix + "vp", check=False)
        ip("link", "del", prefix + "bp", check=False)
        ip("netns", "del", name, check=False)


def netem_works(device):
    r = subprocess.run(["tc", "qdisc", "add", "dev", device, "root", "netem", "delay", "1ms"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode == 0:
        subprocess.run(["tc", "qdisc", "del", "dev", device, "root"], stderr=subprocess.DEVNULL)
        return True
    return False


def free_subnet():
    """A 10.77.x.0/24 that no route of the root namespace uses yet."""
    routes = ip("-4", "route", "show", check=False).stdout
    for x in range(256):
        if ("10.77.%d." % x) not in routes:
            return x
    raise RuntimeError("no free 10.77.x.0/24 subnet")


class NamespaceNetwork:
    def __init__(self, size, say):
        self.size = size
        self.say = say
        self.prefix = "sf%d" % os.getpid()
        self.subnet = None
        self.bridge = self.prefix + "br"
        self.cuts = set()        # (from, to) node indices with a blackhole route
        self.links_down = set()  # node indices whose veth is down
        self.created = False

    def namespace(self, i):
        return "%sn%d" % (self.prefix, i)

    def host_link(self, i):
        return "%sh%d" % (self.prefix, i)

    def address(self, i):
        return "10.77.%d.%d" % (self.subnet, i + 1)

    def setup(self):
        self.subnet = free_subnet()
        self.created = True
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", "10.77.%d.254/24" % self.subnet, "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for i in range(self.size):
            ns, host, inner = self.namespace(i), self.host_link(i), "%sv%d" % (self.prefix, i)
            ip("netns", "add", ns)
            ip("link", "add", host, "type", "veth", "peer", "name", inner)
            ip("link", "set", inner, "netns", ns)
            ip("link", "set", host, "master", self.bridge)
            ip("link", "set", host, "up")
            ip("-n", ns, "addr", "add", self.address(i) + "/24", "dev", inner)
            ip("-n", ns, "link", "set", inner, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        self.say("network namespaces %sn0..%d, bridge %s, addresses 10.77.%d.1-%d" %
                 (self.prefix, self.size - 1, self.bridge, self.subnet, self.size))

    def teardown(self):
        if not self.created:
            return
        self.created = False
        for i in range(self.size):
            ip("link", "del", self.host_link(i), check=False)
            ip("netns", "del", self.namespace(i), check=False)
        ip("link", "del", self.bridge, check=False)

    def exec_prefix(self, i):
        return ["ip", "netns", "exec", self.namespace(i)]

    # --- faults -----------------------------------------------------------------------------

    def cut_one_way(self, src, dst):
        """Packets from node src to node dst are dropped (dst's to src still flow)."""
        if (src, dst) not in self.cuts:
            ip("-n", self.namespace(src), "route", "add", "blackhole", self.address(dst) + "/32")
            self.cuts.add((src, dst))

    def cut_both_ways(self, a, b):
        self.cut_one_way(a, b)
        self.cut_one_way(b, a)

    def link_down(self, i):
        ip("link", "set", self.host_link(i), "down")
        self.links_down.add(i)

    def heal(self):
        for src, dst in sorted(self.cuts):
            ip("-n", self.namespace(src), "route", "del", "blackhole", self.address(dst) + "/32",
               check=False)
        self.cuts.clear()
        for i in sorted(self.links_down):
            ip("link", "set", self.host_link(i), "up", check=False)
        self.links_down.clear()

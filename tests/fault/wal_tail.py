"""Tears the tail of a stopped node's WAL: a partial last record (docs/storage.md).

A record is a 13-byte header (u32 length, u8 type, u64 checksum, little-endian) and a payload;
a zero header marks the end of the records in a preallocated segment. The torn record written
here starts where the records end: a header promising more payload than follows, and a wrong
checksum, as a crash in the middle of a write leaves it. Nothing acknowledged is cut (every
record already in the file may have been fsynced and acknowledged; destroying one is a disk
fault outside Raft's model), and nothing is flipped in the middle (that must be refused).
"""

import os
import struct

HEADER = struct.Struct("<IBQ")
ENTRY_TYPE = 2


def last_segment(data_dir):
    wal_dir = os.path.join(data_dir, "wal")
    names = sorted(n for n in os.listdir(wal_dir) if n.startswith("wal-") and n.endswith(".log"))
    if not names:
        raise RuntimeError("no WAL segment in %s" % wal_dir)
    return os.path.join(wal_dir, names[-1])


def records_end(data):
    """The offset just past the last complete record (framing only, checksums not verified)."""
    offset = 0
    while offset + HEADER.size <= len(data):
        length, kind, _ = HEADER.unpack_from(data, offset)
        if length == 0 and kind == 0:
            break
        if offset + HEADER.size + length > len(data):
            break
        offset += HEADER.size + length
    return offset


def torn_record(rng, room):
    """Bytes of a record cut short: at most `room` bytes, at least one of them nonzero."""
    promised = rng.randint(64, 512)
    header = HEADER.pack(promised, ENTRY_TYPE, rng.getrandbits(64) | 1)
    body = bytes(rng.getrandbits(8) | 1 for _ in range(rng.randint(1, promised - 1)))
    torn = header + body
    if len(torn) > room:  # no room for a header and some payload: a partial header instead
        torn = header[:max(1, min(room, HEADER.size - 1))]
    return torn


def tear_tail(data_dir, rng):
    """Writes a torn record after the last segment's records. Returns (file, offset, bytes)."""
    path = last_segment(data_dir)
    with open(path, "r+b") as f:
        data = f.read()
        end = records_end(data)
        room = max(len(data) - end, 1)
        torn = torn_record(rng, room)
        f.seek(end)
        f.write(torn)
        f.flush()
        os.fsync(f.fileno())
    return path, end, len(torn)

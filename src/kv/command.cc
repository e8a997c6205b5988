#include "kv/command.h"

#include "core/codec.h"

namespace synod::kv {
namespace {

constexpr uint8_t kCommandFormatVersion = 1;

// ---- encoding ----

void write_int(ByteWriter& writer, int64_t value) {
  uint64_t raw = static_cast<uint64_t>(value);
  writer.varint((raw << 1) ^ (value < 0 ? ~uint64_t{0} : 0));
}
void write_bool(ByteWriter& writer, bool value) { writer.u8(value ? 1 : 0); }

void write(ByteWriter& writer, const RangeRequest& request) {
  writer.bytes(request.key);
  writer.bytes(request.range_end);
  write_int(writer, request.limit);
  write_int(writer, request.revision);
  writer.u8(static_cast<uint8_t>(request.sort_order));
  writer.u8(static_cast<uint8_t>(request.sort_target));
  write_bool(writer, request.serializable);
  write_bool(writer, request.keys_only);
  write_bool(writer, request.count_only);
  write_int(writer, request.min_mod_revision);
  write_int(writer, request.max_mod_revision);
  write_int(writer, request.min_create_revision);
  write_int(writer, request.max_create_revision);
}

void write(ByteWriter& writer, const PutRequest& request) {
  writer.bytes(request.key);
  writer.bytes(request.value);
  write_int(writer, request.lease);
  write_bool(writer, request.prev_kv);
  write_bool(writer, request.ignore_value);
  write_bool(writer, request.ignore_lease);
}

void write(ByteWriter& writer, const DeleteRangeRequest& request) {
  writer.bytes(request.key);
  writer.bytes(request.range_end);
  write_bool(writer, request.prev_kv);
}

void write(ByteWriter& writer, const Compare& compare) {
  writer.u8(static_cast<uint8_t>(compare.result));
  writer.u8(static_cast<uint8_t>(compare.target));
  writer.bytes(compare.key);
  writer.bytes(compare.range_end);
  write_int(writer, compare.version);
  write_int(writer, compare.create_revision);
  write_int(writer, compare.mod_revision);
  writer.bytes(compare.value);
  write_int(writer, compare.lease);
}

void write(ByteWriter& writer, const TxnRequest& request);

void write_ops(ByteWriter& writer, const std::vector<RequestOp>& ops) {
  writer.varint(ops.size());
  for (const RequestOp& op : ops) {
    writer.u8(static_cast<uint8_t>(op.request.index()));
    std::visit([&writer](const auto& request) { write(writer, request); }, op.request);
  }
}

void write(ByteWriter& writer, const TxnRequest& request) {
  writer.varint(request.compare.size());
  for (const Compare& compare : request.compare) write(writer, compare);
  write_ops(writer, request.success);
  write_ops(writer, request.failure);
}

void write(ByteWriter& writer, const CompactionRequest& request) {
  write_int(writer, request.revision);
  write_bool(writer, request.physical);
}

void write(ByteWriter& writer, const LeaseRevokeRequest& request) { write_int(writer, request.id); }

void write(ByteWriter& writer, const LeaseGrantRequest& request) {
  write_int(writer, request.id);
  write_int(writer, request.ttl);
}

void write(ByteWriter& writer, const LeaseCheckpointRequest& request) {
  writer.varint(request.checkpoints.size());
  for (const LeaseCheckpoint& checkpoint : request.checkpoints) {
    write_int(writer, checkpoint.id);
    write_int(writer, checkpoint.remaining_ttl);
  }
}

void write(ByteWriter& writer, const LeaseKeepAliveRequest& request) { write_int(writer, request.id); }

void write(ByteWriter& writer, const LeaseTimeToLiveRequest& request) {
  write_int(writer, request.id);
  write_bool(writer, request.keys);
}

void write(ByteWriter&, const LeaseLeasesRequest&) {}

// ---- decoding: every reader returns false on malformed input ----

bool read_int(ByteReader& reader, int64_t& value) {
  uint64_t raw;
  if (!reader.varint(raw)) return false;
  value = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  return true;
}

bool read_bool(ByteReader& reader, bool& value) {
  uint8_t byte;
  if (!reader.u8(byte) || byte > 1) return false;
  value = byte == 1;
  return true;
}

template <typename Enum>
bool read_enum(ByteReader& reader, Enum& value, uint8_t max_value) {
  uint8_t byte;
  if (!reader.u8(byte) || byte > max_value) return false;
  value = static_cast<Enum>(byte);
  return true;
}

// A list count no larger than the bytes left (every item takes at least one byte).
bool read_count(ByteReader& reader, uint64_t& count) {
  return reader.varint(count) && count <= reader.remaining();
}

bool read(ByteReader& reader, RangeRequest& request, int) {
  return reader.bytes(request.key) && reader.bytes(request.range_end) &&
         read_int(reader, request.limit) && read_int(reader, request.revision) &&
         read_enum(reader, request.sort_order, 2) && read_enum(reader, request.sort_target, 4) &&
         read_bool(reader, request.serializable) && read_bool(reader, request.keys_only) &&
         read_bool(reader, request.count_only) && read_int(reader, request.min_mod_revision) &&
         read_int(reader, request.max_mod_revision) &&
         read_int(reader, request.min_create_revision) &&
         read_int(reader, request.max_create_revision);
}

bool read(ByteReader& reader, PutRequest& request, int) {
  return reader.bytes(request.key) && reader.bytes(request.value) &&
         read_int(reader, request.lease) && read_bool(reader, request.prev_kv) &&
         read_bool(reader, request.ignore_value) && read_bool(reader, request.ignore_lease);
}

bool read(ByteReader& reader, DeleteRangeRequest& request, int) {
  return reader.bytes(request.key) && reader.bytes(request.range_end) &&
         read_bool(reader, request.prev_kv);
}

bool read(ByteReader& reader, Compare& compare) {
  return read_enum(reader, compare.result, 3) && read_enum(reader, compare.target, 4) &&
         reader.bytes(compare.key) && reader.bytes(compare.range_end) &&
         read_int(reader, compare.version) && read_int(reader, compare.create_revision) &&
         read_int(reader, compare.mod_revision) && reader.bytes(compare.value) &&
         read_int(reader, compare.lease);
}

bool read(ByteReader& reader, TxnRequest& request, int depth);

bool read_ops(ByteReader& reader, std::vector<RequestOp>& ops, int depth) {
  uint64_t count;
  if (!read_count(reader, count)) return false;
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t kind;
    if (!reader.u8(kind)) return false;
    RequestOp& op = ops.emplace_back();
    bool ok = false;
    switch (kind) {
      case 0: ok = read(reader, op.request.emplace<RangeRequest>(), depth); break;
      case 1: ok = read(reader, op.request.emplace<PutRequest>(), depth); break;
      case 2: ok = read(reader, op.request.emplace<DeleteRangeRequest>(), depth); break;
      case 3: ok = read(reader, op.request.emplace<TxnRequest>(), depth + 1); break;
      default: return false;
    }
    if (!ok) return false;
  }
  return true;
}

bool read(ByteReader& reader, TxnRequest& request, int depth) {
  if (depth > kMaxTxnDepth) return false;
  uint64_t count;
  if (!read_count(reader, count)) return false;
  for (uint64_t i = 0; i < count; ++i) {
    if (!read(reader, request.compare.emplace_back())) return false;
  }
  return read_ops(reader, request.success, depth) && read_ops(reader, request.failure, depth);
}

bool read(ByteReader& reader, CompactionRequest& request, int) {
  return read_int(reader, request.revision) && read_bool(reader, request.physical);
}

bool read(ByteReader& reader, LeaseRevokeRequest& request, int) { return read_int(reader, request.id); }

bool read(ByteReader& reader, LeaseGrantRequest& request, int) {
  return read_int(reader, request.id) && read_int(reader, request.ttl);
}

bool read(ByteReader& reader, LeaseCheckpointRequest& request, int) {
  uint64_t count;
  if (!read_count(reader, count)) return false;
  for (uint64_t i = 0; i < count; ++i) {
    LeaseCheckpoint& checkpoint = request.checkpoints.emplace_back();
    if (!read_int(reader, checkpoint.id) || !read_int(reader, checkpoint.remaining_ttl)) return false;
  }
  return true;
}

bool read(ByteReader& reader, LeaseKeepAliveRequest& request, int) { return read_int(reader, request.id); }

bool read(ByteReader& reader, LeaseTimeToLiveRequest& request, int) {
  return read_int(reader, request.id) && read_bool(reader, request.keys);
}

bool read(ByteReader&, LeaseLeasesRequest&, int) { return true; }

}  // namespace

std::string encode_command(const Command& command) {
  ByteWriter writer;
  writer.u8(kCommandFormatVersion);
  writer.u8(static_cast<uint8_t>(command.index()));
  std::visit([&writer](const auto& request) { write(writer, request); }, command);
  return writer.take();
}

Status decode_command(std::string_view bytes, Command& command) {
  ByteReader reader(bytes);
  uint8_t version, kind;
  bool ok = reader.u8(version) && version == kCommandFormatVersion && reader.u8(kind);
  if (ok) {
    switch (kind) {
      case 0: ok = read(reader, command.emplace<RangeRequest>(), 1); break;
      case 1: ok = read(reader, command.emplace<PutRequest>(), 1); break;
      case 2: ok = read(reader, command.emplace<DeleteRangeRequest>(), 1); break;
      case 3: ok = read(reader, command.emplace<TxnRequest>(), 1); break;
      case 4: ok = read(reader, command.emplace<CompactionRequest>(), 1); break;
      case 5: ok = read(reader, command.emplace<LeaseRevokeRequest>(), 1); break;
      case 6: ok = read(reader, command.emplace<LeaseGrantRequest>(), 1); break;
      case 7: ok = read(reader, command.emplace<LeaseCheckpointRequest>(), 1); break;
      case 8: ok = read(reader, command.emplace<LeaseKeepAliveRequest>(), 1); break;
      case 9: ok = read(reader, command.emplace<LeaseTimeToLiveRequest>(), 1); break;
      case 10: ok = read(reader, command.emplace<LeaseLeasesRequest>(), 1); break;
      default: ok = false;
    }
  }
  if (!ok || !reader.at_end()) return Status(StatusCode::kInvalidArgument, "kv: malformed command");
  return Status::Ok();
}

}  // namespace synod::kv

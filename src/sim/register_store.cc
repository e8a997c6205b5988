#include "sim/register_store.h"

#include "core/check.h"
#include "core/codec.h"

namespace synod::sim {
namespace {
constexpr uint64_t kMaxFieldBytes = 1 << 16;

void write_optional(ByteWriter& writer, const std::optional<std::string>& value) {
  writer.u8(value ? 1 : 0);
  if (value) writer.bytes(*value);
}

bool read_optional(ByteReader& reader, std::optional<std::string>& value) {
  uint8_t present;
  if (!reader.u8(present) || present > 1) return false;
  if (!present) {
    value.reset();
    return true;
  }
  std::string bytes;
  if (!reader.bytes(bytes, kMaxFieldBytes)) return false;
  value = std::move(bytes);
  return true;
}
}  // namespace

std::string encode_command(const RegisterCommand& command) {
  ByteWriter writer;
  writer.u64(command.request_id);
  writer.u8(static_cast<uint8_t>(command.op));
  writer.bytes(command.key);
  write_optional(writer, command.value);
  write_optional(writer, command.expected);
  return writer.take();
}

bool decode_command(std::string_view bytes, RegisterCommand& command) {
  ByteReader reader(bytes);
  uint8_t op;
  if (!reader.u64(command.request_id) || !reader.u8(op) ||
      op > static_cast<uint8_t>(RegisterOp::kCas) || !reader.bytes(command.key, kMaxFieldBytes) ||
      !read_optional(reader, command.value) || !read_optional(reader, command.expected))
    return false;
  command.op = static_cast<RegisterOp>(op);
  if (command.op != RegisterOp::kRead && !command.value) return false;
  if (command.op == RegisterOp::kCas && !command.expected) return false;
  return reader.at_end();
}

RegisterResult RegisterStore::apply(uint64_t index, const RegisterCommand& command) {
  skip(index);
  RegisterResult result;
  switch (command.op) {
    case RegisterOp::kRead:
      result.value = get(command.key);
      break;
    case RegisterOp::kWrite:
      registers_[command.key] = *command.value;
      break;
    case RegisterOp::kCas: {
      auto it = registers_.find(command.key);
      result.ok = it != registers_.end() && it->second == *command.expected;
      if (result.ok) it->second = *command.value;
      break;
    }
  }
  return result;
}

void RegisterStore::skip(uint64_t index) {
  SYNOD_CHECK(index == applied_index_ + 1, "register store applies indexes in order");
  applied_index_ = index;
}

std::optional<std::string> RegisterStore::get(const std::string& key) const {
  auto it = registers_.find(key);
  if (it == registers_.end()) return std::nullopt;
  return it->second;
}

std::string RegisterStore::snapshot() const {
  ByteWriter writer;
  writer.u64(applied_index_);
  writer.varint(registers_.size());
  for (const auto& [key, value] : registers_) {
    writer.bytes(key);
    writer.bytes(value);
  }
  return writer.take();
}

Status RegisterStore::restore(std::string_view bytes) {
  ByteReader reader(bytes);
  uint64_t applied_index, count;
  if (!reader.u64(applied_index) || !reader.varint(count) || count > reader.remaining())
    return {StatusCode::kCorruption, "register snapshot header is malformed"};
  std::map<std::string, std::string> registers;
  std::string previous_key;
  for (uint64_t i = 0; i < count; ++i) {
    std::string key, value;
    if (!reader.bytes(key, kMaxFieldBytes) || !reader.bytes(value, kMaxFieldBytes))
      return {StatusCode::kCorruption, "register snapshot entry is malformed"};
    if (i > 0 && key <= previous_key)
      return {StatusCode::kCorruption, "register snapshot keys are not sorted and unique"};
    previous_key = key;
    registers.emplace(std::move(key), std::move(value));
  }
  if (!reader.at_end()) return {StatusCode::kCorruption, "register snapshot has trailing bytes"};
  registers_ = std::move(registers);
  applied_index_ = applied_index;
  return Status::Ok();
}

}  // namespace synod::sim

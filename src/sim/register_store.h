#pragma once
// The replicated state machine of the simulator: a map of registers (key → value) driven by
// commands that carry a client request id, so the node can match an applied entry to the client
// waiting for it. Reads normally bypass the log (ReadIndex) and use get(); the command form of a
// read exists for completeness and tests.
//
// Command encoding (core/codec): u64 request id, u8 op, bytes key, u8 has_value, [bytes value],
// u8 has_expected, [bytes expected].
// Snapshot encoding: u64 applied index, varint count, then count × (bytes key, bytes value) in key
// order.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace synod::sim {

enum class RegisterOp : uint8_t { kRead = 0, kWrite = 1, kCas = 2 };

struct RegisterCommand {
  uint64_t request_id = 0;
  RegisterOp op = RegisterOp::kRead;
  std::string key;
  std::optional<std::string> value;     // write: the value; cas: the new value
  std::optional<std::string> expected;  // cas only

  bool operator==(const RegisterCommand&) const = default;
};

std::string encode_command(const RegisterCommand& command);
bool decode_command(std::string_view bytes, RegisterCommand& command);

struct RegisterResult {
  bool ok = true;                      // false: a cas whose compare failed
  std::optional<std::string> value;    // read: the value, or nullopt when absent
};

class RegisterStore {
 public:
  // Applies the command committed at `index`; indexes must rise by one (or jump after restore).
  RegisterResult apply(uint64_t index, const RegisterCommand& command);
  // Advances the applied index over an entry with nothing to apply (no-op, membership).
  void skip(uint64_t index);
  std::optional<std::string> get(const std::string& key) const;

  uint64_t applied_index() const { return applied_index_; }
  std::string snapshot() const;
  // Replaces the whole state; refuses malformed bytes and leaves the state unchanged then.
  Status restore(std::string_view bytes);

  const std::map<std::string, std::string>& registers() const { return registers_; }

 private:
  std::map<std::string, std::string> registers_;  // ordered: the snapshot bytes are deterministic
  uint64_t applied_index_ = 0;
};

}  // namespace synod::sim

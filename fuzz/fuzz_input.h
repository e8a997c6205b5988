#pragma once
// FuzzInput: turns the fuzzer's bytes into choices, never failing: once the bytes run out every
// read returns zeros or empty strings (libFuzzer's FuzzedDataProvider is clang-only; the replay
// build is gcc).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace synod::fuzz {

class FuzzInput {
 public:
  explicit FuzzInput(std::string_view bytes) : bytes_(bytes) {}

  bool empty() const { return bytes_.empty(); }
  size_t remaining() const { return bytes_.size(); }

  uint8_t u8() {
    if (bytes_.empty()) return 0;
    uint8_t value = static_cast<uint8_t>(bytes_.front());
    bytes_.remove_prefix(1);
    return value;
  }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint64_t u64() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 8) value |= uint64_t{u8()} << shift;
    return value;
  }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  bool flag() { return (u8() & 1) != 0; }
  // Up to `max_length` bytes, the length chosen by the input.
  std::string bytes(size_t max_length) { return take(u8() % (max_length + 1)); }
  std::string take(size_t length) {
    length = std::min(length, bytes_.size());
    std::string value(bytes_.substr(0, length));
    bytes_.remove_prefix(length);
    return value;
  }
  std::string rest() { return take(bytes_.size()); }

 private:
  std::string_view bytes_;
};

}  // namespace synod::fuzz

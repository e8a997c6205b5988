#pragma once
// Little-endian binary encoding with bounds-checked decoding.
// Every byte from the network or disk goes through a ByteReader: a short or malformed buffer makes
// the reader fail (ok() == false) instead of reading past the end.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace synod {

class ByteWriter {
 public:
  void u8(uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u32(uint32_t value);
  void u64(uint64_t value);
  void varint(uint64_t value);
  // Length-prefixed (varint) bytes.
  void bytes(std::string_view value);
  // A count, then each value as a varint (node ids, for instance).
  void varint_list(const std::vector<uint64_t>& values);

  const std::string& data() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view input) : input_(input) {}

  bool u8(uint8_t& value);
  bool u32(uint32_t& value);
  bool u64(uint64_t& value);
  bool varint(uint64_t& value);
  // Length-prefixed bytes; fails if the length exceeds max_length or the remaining input.
  bool bytes(std::string& value, uint64_t max_length = UINT32_MAX);
  // Reads what varint_list wrote; the count is checked against the remaining input (each value
  // takes at least one byte) before anything is allocated.
  bool varint_list(std::vector<uint64_t>& values);

  bool ok() const { return ok_; }
  bool at_end() const { return ok_ && position_ == input_.size(); }
  size_t remaining() const { return input_.size() - position_; }

 private:
  bool fail() { ok_ = false; return false; }
  std::string_view input_;
  size_t position_ = 0;
  bool ok_ = true;
};

}  // namespace synod

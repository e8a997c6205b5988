#include "core/codec.h"

namespace synod {

void ByteWriter::u32(uint32_t value) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void ByteWriter::u64(uint64_t value) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void ByteWriter::varint(uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

void ByteWriter::bytes(std::string_view value) {
  varint(value.size());
  out_.append(value);
}

void ByteWriter::varint_list(const std::vector<uint64_t>& values) {
  varint(values.size());
  for (uint64_t value : values) varint(value);
}

bool ByteReader::u8(uint8_t& value) {
  if (!ok_ || remaining() < 1) return fail();
  value = static_cast<uint8_t>(input_[position_++]);
  return true;
}

bool ByteReader::u32(uint32_t& value) {
  if (!ok_ || remaining() < 4) return fail();
  value = 0;
  for (int i = 0; i < 4; ++i)
    value |= static_cast<uint32_t>(static_cast<uint8_t>(input_[position_ + i])) << (8 * i);
  position_ += 4;
  return true;
}

bool ByteReader::u64(uint64_t& value) {
  if (!ok_ || remaining() < 8) return fail();
  value = 0;
  for (int i = 0; i < 8; ++i)
    value |= static_cast<uint64_t>(static_cast<uint8_t>(input_[position_ + i])) << (8 * i);
  position_ += 8;
  return true;
}

bool ByteReader::varint(uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t byte;
    if (!u8(byte)) return false;
    if (shift == 63 && byte > 1) return fail();  // would overflow 64 bits
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return fail();
}

bool ByteReader::bytes(std::string& value, uint64_t max_length) {
  uint64_t length;
  if (!varint(length)) return false;
  if (length > max_length || length > remaining()) return fail();
  value.assign(input_.substr(position_, length));
  position_ += length;
  return true;
}

bool ByteReader::varint_list(std::vector<uint64_t>& values) {
  uint64_t count;
  if (!varint(count)) return false;
  if (count > remaining()) return fail();
  values.resize(count);
  for (uint64_t& value : values)
    if (!varint(value)) return false;
  return true;
}

}  // namespace synod

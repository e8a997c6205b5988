#pragma once
// StoredValue: a value as the store keeps it, one per revision. One allocation holds the length
// and the bytes, so a record spends 8 bytes on its value instead of std::string's 32 (the store
// keeps a record per revision until compaction: this is memory per revision, not per key).
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "core/check.h"

namespace synod::kv {

class StoredValue {
 public:
  StoredValue() = default;
  explicit StoredValue(std::string_view bytes) {
    if (bytes.empty()) return;
    SYNOD_CHECK(bytes.size() <= UINT32_MAX, "a stored value is below 4 GiB");
    const auto size = static_cast<uint32_t>(bytes.size());
    block_ = std::make_unique_for_overwrite<char[]>(sizeof(size) + bytes.size());
    std::memcpy(block_.get(), &size, sizeof(size));
    std::memcpy(block_.get() + sizeof(size), bytes.data(), bytes.size());
  }
  StoredValue(const StoredValue& other) : StoredValue(other.view()) {}
  StoredValue& operator=(const StoredValue& other) {
    if (this != &other) *this = StoredValue(other.view());
    return *this;
  }
  StoredValue(StoredValue&&) noexcept = default;
  StoredValue& operator=(StoredValue&&) noexcept = default;

  bool empty() const { return block_ == nullptr; }
  size_t size() const {
    if (!block_) return 0;
    uint32_t size;
    std::memcpy(&size, block_.get(), sizeof(size));
    return size;
  }
  std::string_view view() const {
    return block_ ? std::string_view(block_.get() + sizeof(uint32_t), size()) : std::string_view();
  }
  std::string str() const { return std::string(view()); }

  friend bool operator==(const StoredValue& a, const StoredValue& b) { return a.view() == b.view(); }

 private:
  std::unique_ptr<char[]> block_;  // uint32_t length, then the bytes; null when empty
};

}  // namespace synod::kv

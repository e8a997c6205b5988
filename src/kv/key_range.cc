#include "kv/key_range.h"

namespace synod::kv {

KeyRange::KeyRange(std::string_view key, std::string_view range_end) : begin_(key) {
  if (range_end.empty()) {
    kind_ = Kind::kSingle;
  } else if (range_end == std::string_view("\0", 1)) {
    kind_ = Kind::kFromKey;
  } else {
    kind_ = Kind::kHalfOpen;
    end_ = range_end;
  }
}

bool KeyRange::contains(std::string_view key) const {
  switch (kind_) {
    case Kind::kSingle: return key == begin_;
    case Kind::kFromKey: return key >= begin_;
    case Kind::kHalfOpen: return key >= begin_ && key < end_;
  }
  return false;
}

bool KeyRange::is_past_end(std::string_view key) const {
  switch (kind_) {
    case Kind::kSingle: return key > begin_;
    case Kind::kFromKey: return false;
    case Kind::kHalfOpen: return key >= end_;
  }
  return true;
}

}  // namespace synod::kv

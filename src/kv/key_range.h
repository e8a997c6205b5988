#pragma once
// etcd's (key, range_end) convention as an interval over byte strings:
//   range_end empty      -> the single key `key`
//   range_end == "\0"    -> every key >= key ("from key"); with key "\0" that is every key
//   otherwise            -> [key, range_end), empty when range_end <= key
#include <string>
#include <string_view>

namespace synod::kv {

class KeyRange {
 public:
  KeyRange(std::string_view key, std::string_view range_end);

  const std::string& begin() const { return begin_; }
  bool contains(std::string_view key) const;
  // True if `key` is past the range's upper end (iteration in key order can stop there).
  bool is_past_end(std::string_view key) const;

 private:
  enum class Kind { kSingle, kFromKey, kHalfOpen };
  Kind kind_;
  std::string begin_;
  std::string end_;  // kHalfOpen only
};

}  // namespace synod::kv

// etcdctl's getPutOp, getGetOp and getDelOp, and the requests clientv3 makes from their options.
#include "ctl/kv_requests.h"

#include <algorithm>
#include <cctype>

#include "ctl/go_text.h"

namespace synod::ctl {
namespace {

constexpr char kNeedsPutArguments[] =
    "put command needs 1 argument and input from stdin or 2 arguments";
constexpr char kNeedsRangeArguments[] =
    "needs one argument as key and an optional argument as range_end";
constexpr char kPrefixAndFromKey[] =
    "`--prefix` and `--from-key` cannot be set at the same time, choose one";
constexpr char kTooManyForPrefix[] =
    "too many arguments, only accept one argument when `--prefix` or `--from-key` is set";

// clientv3.WithFromKey: from `key` (or from the first key when empty) to the end of the keys.
void set_from_key(std::string& key, std::string& range_end) {
  if (key.empty()) key = std::string(1, '\0');
  range_end = std::string(1, '\0');
}

// etcdctl's --prefix: an empty prefix means every key, which clientv3 spells as from-key "\0".
void set_prefix(std::string& key, std::string& range_end) {
  if (key.empty()) {
    set_from_key(key, range_end);
  } else {
    range_end = prefix_range_end(key);
  }
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

Outcome<etcdserverpb::RangeRequest::SortOrder> parse_sort_order(const std::string& order) {
  const std::string name = upper(order);
  if (name.empty()) return etcdserverpb::RangeRequest::NONE;
  if (name == "ASCEND") return etcdserverpb::RangeRequest::ASCEND;
  if (name == "DESCEND") return etcdserverpb::RangeRequest::DESCEND;
  return bad_feature("bad sort order " + order);
}

Outcome<etcdserverpb::RangeRequest::SortTarget> parse_sort_target(const std::string& target) {
  const std::string name = upper(target);
  if (name.empty() || name == "KEY") return etcdserverpb::RangeRequest::KEY;
  if (name == "CREATE") return etcdserverpb::RangeRequest::CREATE;
  if (name == "MODIFY") return etcdserverpb::RangeRequest::MOD;
  if (name == "VALUE") return etcdserverpb::RangeRequest::VALUE;
  if (name == "VERSION") return etcdserverpb::RangeRequest::VERSION;
  return bad_feature("bad sort target " + target);
}

MaybeError parse_flag_int64(const std::string& value, const std::string& flag_name,
                            std::int64_t& out) {
  const Outcome<std::int64_t> parsed = go::parse_int64(value, 0);
  if (!parsed.ok()) {
    return general_error(invalid_flag_value(value, flag_name, parsed.error().message));
  }
  out = parsed.value();
  return std::nullopt;
}

}  // namespace

std::string prefix_range_end(const std::string& prefix) {
  std::string end = prefix;
  for (std::size_t i = end.size(); i-- > 0;) {
    if (static_cast<unsigned char>(end[i]) < 0xFF) {
      end[i] = static_cast<char>(static_cast<unsigned char>(end[i]) + 1);
      end.resize(i + 1);
      return end;
    }
  }
  return std::string(1, '\0');  // all 0xff: no key after the prefix, so to the end
}

std::string invalid_flag_value(const std::string& value, const std::string& flag_name,
                               const std::string& reason) {
  return "invalid argument " + go::quote(value) + " for " + go::quote(flag_name) +
         " flag: " + reason;
}

Outcome<etcdserverpb::PutRequest> build_put_request(const PutFlags& flags,
                                                    const StdinReader& read_stdin) {
  if (flags.arguments.empty()) return bad_args(kNeedsPutArguments);
  if (flags.ignore_value && flags.arguments.size() > 1) {
    return bad_args("put command needs only 1 argument when 'ignore-value' is set");
  }
  etcdserverpb::PutRequest request;
  request.set_key(flags.arguments[0]);
  if (!flags.ignore_value) {
    std::string value = flags.arguments.size() > 1 ? flags.arguments[1] : read_stdin();
    if (flags.arguments.size() == 1 && value.empty()) return bad_args(kNeedsPutArguments);
    request.set_value(std::move(value));
  }
  const Outcome<std::int64_t> lease = go::parse_int64(flags.lease, 16);
  if (!lease.ok())
    return bad_args("bad lease ID (" + lease.error().message + "), expecting ID in Hex");
  request.set_lease(lease.value());
  request.set_prev_kv(flags.prev_kv);
  request.set_ignore_value(flags.ignore_value);
  request.set_ignore_lease(flags.ignore_lease);
  return request;
}

Outcome<GetNumbers> parse_get_numbers(const GetFlags& flags) {
  struct NumericFlag {
    const std::string& text;
    const char* name;
    std::int64_t& target;
  };
  GetNumbers numbers;
  const NumericFlag numeric_flags[] = {
      {flags.limit, "--limit", numbers.limit},
      {flags.revision, "--rev", numbers.revision},
      {flags.min_mod_revision, "--min-mod-rev", numbers.min_mod_revision},
      {flags.max_mod_revision, "--max-mod-rev", numbers.max_mod_revision},
      {flags.min_create_revision, "--min-create-rev", numbers.min_create_revision},
      {flags.max_create_revision, "--max-create-rev", numbers.max_create_revision},
  };
  for (const NumericFlag& flag : numeric_flags) {
    if (MaybeError error = parse_flag_int64(flag.text, flag.name, flag.target)) return *error;
  }
  return numbers;
}

Outcome<etcdserverpb::RangeRequest> build_range_request(const GetFlags& flags,
                                                        const GetNumbers& numbers) {
  if (flags.arguments.empty()) return bad_args(std::string("get command ") + kNeedsRangeArguments);
  if (flags.prefix && flags.from_key) return bad_args(kPrefixAndFromKey);
  etcdserverpb::RangeRequest request;
  if (flags.consistency == "s") {
    request.set_serializable(true);
  } else if (flags.consistency != "l") {
    return bad_feature("unknown consistency flag " + go::quote(flags.consistency));
  }
  std::string key = flags.arguments[0];
  std::string range_end;
  if (flags.arguments.size() > 1) {
    if (flags.prefix || flags.from_key) return bad_args(kTooManyForPrefix);
    range_end = flags.arguments[1];
  }
  request.set_limit(numbers.limit);
  if (numbers.revision > 0) request.set_revision(numbers.revision);
  const Outcome<etcdserverpb::RangeRequest::SortOrder> order = parse_sort_order(flags.order);
  if (!order.ok()) return order.error();
  const Outcome<etcdserverpb::RangeRequest::SortTarget> target = parse_sort_target(flags.sort_by);
  if (!target.ok()) return target.error();
  // clientv3.WithSort: ascending by key is the server's natural order, sent as NONE.
  const bool natural_order = target.value() == etcdserverpb::RangeRequest::KEY &&
                             order.value() == etcdserverpb::RangeRequest::ASCEND;
  request.set_sort_order(natural_order ? etcdserverpb::RangeRequest::NONE : order.value());
  request.set_sort_target(target.value());
  if (flags.prefix) set_prefix(key, range_end);
  if (flags.from_key) set_from_key(key, range_end);
  request.set_key(std::move(key));
  request.set_range_end(std::move(range_end));
  request.set_keys_only(flags.keys_only);
  request.set_count_only(flags.count_only);
  request.set_min_mod_revision(numbers.min_mod_revision);
  request.set_max_mod_revision(numbers.max_mod_revision);
  request.set_min_create_revision(numbers.min_create_revision);
  request.set_max_create_revision(numbers.max_create_revision);
  return request;
}

Outcome<etcdserverpb::DeleteRangeRequest> build_delete_request(const DeleteFlags& flags) {
  if (flags.arguments.empty() || flags.arguments.size() > 2) {
    return bad_args(std::string("del command ") + kNeedsRangeArguments);
  }
  if (flags.prefix && flags.from_key) return bad_args(kPrefixAndFromKey);
  std::string key = flags.arguments[0];
  std::string range_end;
  if (flags.arguments.size() > 1) {
    if (flags.prefix || flags.from_key) return bad_args(kTooManyForPrefix);
    range_end = flags.arguments[1];
  }
  if (flags.prefix) set_prefix(key, range_end);
  if (flags.from_key) set_from_key(key, range_end);
  etcdserverpb::DeleteRangeRequest request;
  request.set_key(std::move(key));
  request.set_range_end(std::move(range_end));
  request.set_prev_kv(flags.prev_kv);
  return request;
}

}  // namespace synod::ctl

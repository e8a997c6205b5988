#pragma once
// put, get and del: their flags as typed, and the etcd requests they make. The same code serves
// the top-level commands and the request lines of `txn`, as in etcdctl (getPutOp, getGetOp,
// getDelOp), with etcdctl's checks, messages and exit codes in etcdctl's order.
//
// Numeric flags are kept as text and read as pflag reads them (strconv.ParseInt base 0), so a
// bad value fails with pflag's message: `invalid argument "x" for "--limit" flag: ...`.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ctl/ctl_error.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"

namespace CLI {
class App;
}

namespace synod::ctl {

struct PutFlags {
  std::vector<std::string> arguments;  // <key> [value]
  std::string lease = "0";             // hexadecimal lease ID
  bool prev_kv = false;
  bool ignore_value = false;
  bool ignore_lease = false;
};

struct GetFlags {
  std::vector<std::string> arguments;  // <key> [range_end]
  std::string consistency = "l";
  std::string order;
  std::string sort_by;
  std::string limit = "0";
  std::string revision = "0";
  // synodctl's additions (clientv3 options that etcdctl 3.4 does not expose)
  std::string min_mod_revision = "0";
  std::string max_mod_revision = "0";
  std::string min_create_revision = "0";
  std::string max_create_revision = "0";
  bool prefix = false;
  bool from_key = false;
  bool keys_only = false;
  bool count_only = false;
  bool print_value_only = false;
};

struct DeleteFlags {
  std::vector<std::string> arguments;  // <key> [range_end]
  bool prefix = false;
  bool prev_kv = false;
  bool from_key = false;
};

void add_put_flags(CLI::App& command, PutFlags& flags);
void add_get_flags(CLI::App& command, GetFlags& flags);
void add_delete_flags(CLI::App& command, DeleteFlags& flags);

// Reads the rest of standard input for `put <key>` without a value.
using StdinReader = std::function<std::string()>;

Outcome<etcdserverpb::PutRequest> build_put_request(const PutFlags& flags,
                                                    const StdinReader& read_stdin);
// Two kinds of failure, told apart because `txn` reports them differently: a numeric flag that
// does not parse (pflag's error; `txn` says "invalid txn request") comes back from
// parse_get_numbers, a bad combination from build_range_request.
struct GetNumbers {
  std::int64_t limit = 0;
  std::int64_t revision = 0;
  std::int64_t min_mod_revision = 0;
  std::int64_t max_mod_revision = 0;
  std::int64_t min_create_revision = 0;
  std::int64_t max_create_revision = 0;
};
Outcome<GetNumbers> parse_get_numbers(const GetFlags& flags);
Outcome<etcdserverpb::RangeRequest> build_range_request(const GetFlags& flags,
                                                        const GetNumbers& numbers);
Outcome<etcdserverpb::DeleteRangeRequest> build_delete_request(const DeleteFlags& flags);

// clientv3.GetPrefixRangeEnd: the first key after every key with this prefix ("\0" if none).
std::string prefix_range_end(const std::string& prefix);
// pflag's message for a flag value that does not parse.
std::string invalid_flag_value(const std::string& value, const std::string& flag_name,
                               const std::string& reason);

}  // namespace synod::ctl

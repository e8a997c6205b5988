#pragma once
// The simulator's workload on the kv store: Jepsen's cas registers, one key each, as kv commands,
// and the kv results mapped back to register outcomes for the client history (whose format,
// docs/history-format.md, knows registers only):
//   read  k        a linearizable RangeRequest of k: its value, or absent
//   write k v      a PutRequest
//   cas   k e v    a TxnRequest: compare VALUE(k) == e, on success Put(k, v). `succeeded` false
//                  is the history's cas `fail` (the compare ran and failed). An absent key fails a
//                  value compare, as an absent register differs from every value. (The history
//                  cannot express a cas expecting absence, so `version == 0` compares are unused.)
// A request error means one of two things (replica/replica.h): "never proposed" (no leader,
// leader changed, too many requests, a dropped proposal), after which the client may send the
// same operation again, or "unknown" (timeout, stopped, storage failure, anything else).
#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "kv/command.h"
#include "kv/mvcc_store.h"

namespace synod::sim {

enum class RegisterOp : uint8_t { kRead = 0, kWrite = 1, kCas = 2 };
const char* register_op_name(RegisterOp op);

struct RegisterOperation {
  RegisterOp op = RegisterOp::kRead;
  std::string key;
  std::optional<std::string> value;     // write: the value; cas: the new value
  std::optional<std::string> expected;  // cas only
};

kv::Command to_command(const RegisterOperation& operation);

struct RegisterOutcome {
  enum class Kind : uint8_t {
    kOk,       // took effect; a read carries what it read
    kFail,     // a cas whose compare failed: it happened and changed nothing
    kRefused,  // certainly did not take effect: the client may send it again
    kUnknown,  // may or may not have taken effect
  };
  Kind kind = Kind::kUnknown;
  std::optional<std::string> value;  // read: the value, or absent
  std::string error;                 // the request error, for traces
};

RegisterOutcome to_outcome(const RegisterOperation& operation, const kv::ApplyResult& result);
// True for the errors after which the request was certainly never proposed.
bool refused_without_effect(const Status& status);

}  // namespace synod::sim

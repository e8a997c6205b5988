#include "sim/workload.h"

#include <variant>

#include "replica/request_errors.h"

namespace synod::sim {

const char* register_op_name(RegisterOp op) {
  switch (op) {
    case RegisterOp::kRead: return "read";
    case RegisterOp::kWrite: return "write";
    case RegisterOp::kCas: return "cas";
  }
  return "?";
}

kv::Command to_command(const RegisterOperation& operation) {
  switch (operation.op) {
    case RegisterOp::kRead: {
      kv::RangeRequest range;
      range.key = operation.key;
      return range;
    }
    case RegisterOp::kWrite: {
      kv::PutRequest put;
      put.key = operation.key;
      put.value = operation.value.value_or("");
      return put;
    }
    case RegisterOp::kCas: {
      kv::Compare compare;
      compare.result = kv::CompareResult::kEqual;
      compare.target = kv::CompareTarget::kValue;
      compare.key = operation.key;
      compare.value = operation.expected.value_or("");
      kv::PutRequest put;
      put.key = operation.key;
      put.value = operation.value.value_or("");
      kv::TxnRequest txn;
      txn.compare.push_back(std::move(compare));
      txn.success.push_back(kv::RequestOp{std::move(put)});
      return txn;
    }
  }
  return kv::RangeRequest{};
}

bool refused_without_effect(const Status& status) {
  // The engine's own refusal to append (a transfer in progress) keeps its code when the origin
  // proposed; forwarded, it arrives as text only and counts as unknown.
  if (status.code() == StatusCode::kProposalDropped || status.code() == StatusCode::kNotLeader)
    return true;
  const std::string& text = status.message();
  return text == replica::error_no_leader().message() ||
         text == replica::error_leader_changed().message() ||
         text == replica::error_too_many_requests().message();
}

RegisterOutcome to_outcome(const RegisterOperation& operation, const kv::ApplyResult& result) {
  RegisterOutcome outcome;
  if (!result.status.ok()) {
    outcome.kind = refused_without_effect(result.status) ? RegisterOutcome::Kind::kRefused
                                                         : RegisterOutcome::Kind::kUnknown;
    outcome.error = result.status.message();
    return outcome;
  }
  switch (operation.op) {
    case RegisterOp::kRead:
      if (const auto* range = std::get_if<kv::RangeResponse>(&result.response)) {
        outcome.kind = RegisterOutcome::Kind::kOk;
        if (!range->kvs.empty()) outcome.value = range->kvs.front().value;
        return outcome;
      }
      break;
    case RegisterOp::kWrite:
      if (std::holds_alternative<kv::PutResponse>(result.response)) {
        outcome.kind = RegisterOutcome::Kind::kOk;
        return outcome;
      }
      break;
    case RegisterOp::kCas:
      if (const auto* txn = std::get_if<kv::TxnResponse>(&result.response)) {
        outcome.kind = txn->succeeded ? RegisterOutcome::Kind::kOk : RegisterOutcome::Kind::kFail;
        return outcome;
      }
      break;
  }
  outcome.error = "a response of another kind";  // cannot happen; unknown is the safe reading
  return outcome;
}

}  // namespace synod::sim

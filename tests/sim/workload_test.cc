// Register operations as kv commands, and kv results as register outcomes.
#include <gtest/gtest.h>

#include "kv/mvcc_store.h"
#include "replica/request_errors.h"
#include "sim/workload.h"

namespace synod::sim {
namespace {

using Kind = RegisterOutcome::Kind;

RegisterOperation read(std::string key) { return {RegisterOp::kRead, std::move(key), {}, {}}; }
RegisterOperation write(std::string key, std::string value) {
  return {RegisterOp::kWrite, std::move(key), std::move(value), {}};
}
RegisterOperation cas(std::string key, std::string expected, std::string value) {
  return {RegisterOp::kCas, std::move(key), std::move(value), std::move(expected)};
}

RegisterOutcome run(kv::MvccStore& store, const RegisterOperation& operation) {
  return to_outcome(operation, store.apply(kv::encode_command(to_command(operation))));
}

TEST(Workload, RegistersBehaveAsCasRegistersOnTheStore) {
  kv::MvccStore store;
  RegisterOutcome outcome = run(store, read("k0"));
  EXPECT_EQ(outcome.kind, Kind::kOk);
  EXPECT_EQ(outcome.value, std::nullopt);
  EXPECT_EQ(run(store, cas("k0", "a", "b")).kind, Kind::kFail) << "an absent register is not \"a\"";
  EXPECT_EQ(run(store, write("k0", "a")).kind, Kind::kOk);
  EXPECT_EQ(run(store, read("k0")).value, "a");
  EXPECT_EQ(run(store, cas("k0", "x", "b")).kind, Kind::kFail);
  EXPECT_EQ(run(store, read("k0")).value, "a") << "a failed cas changes nothing";
  EXPECT_EQ(run(store, cas("k0", "a", "b")).kind, Kind::kOk);
  EXPECT_EQ(run(store, read("k0")).value, "b");
  EXPECT_EQ(run(store, read("k1")).value, std::nullopt) << "keys are independent";
  EXPECT_TRUE(store.check_invariants().ok());
}

TEST(Workload, RequestErrorsAreRefusalsOrUnknown) {
  kv::ApplyResult result;
  for (const Status& refusal : {replica::error_no_leader(), replica::error_leader_changed(),
                                replica::error_too_many_requests(),
                                Status(StatusCode::kProposalDropped, "leadership transfer in progress")}) {
    result.status = refusal;
    EXPECT_EQ(to_outcome(write("k0", "a"), result).kind, Kind::kRefused) << refusal.message();
  }
  for (const Status& unknown : {replica::error_timeout(), replica::error_leader_failed(), replica::error_stopped(),
                                Status(StatusCode::kUnavailable, "fdatasync /data/wal/x: I/O error")}) {
    result.status = unknown;
    const RegisterOutcome outcome = to_outcome(cas("k0", "a", "b"), result);
    EXPECT_EQ(outcome.kind, Kind::kUnknown) << unknown.message();
    EXPECT_EQ(outcome.error, unknown.message());
  }
}

}  // namespace
}  // namespace synod::sim

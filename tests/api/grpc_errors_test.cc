// Statuses as etcd's server sends them: etcd's code AND its exact text for every error the store
// and the request path produce; other statuses by StatusCode with their text unchanged.
#include "api/etcd/grpc_errors.h"

#include <gtest/gtest.h>

#include "kv/errors.h"
#include "replica/request_errors.h"

namespace synod::api::etcd {
namespace {

struct Case {
  Status status;
  grpc::StatusCode code;
  const char* message;
};

TEST(GrpcErrors, TheStoresAndTheRequestPathsErrorsGetEtcdsCodeAndText) {
  const Case cases[] = {
      {kv::error_compacted(), grpc::StatusCode::OUT_OF_RANGE,
       "etcdserver: mvcc: required revision has been compacted"},
      // kv gives this one kInvalidArgument; etcd's code is OUT_OF_RANGE.
      {kv::error_future_revision(), grpc::StatusCode::OUT_OF_RANGE,
       "etcdserver: mvcc: required revision is a future revision"},
      {kv::error_key_not_found(), grpc::StatusCode::INVALID_ARGUMENT, "etcdserver: key not found"},
      {kv::error_empty_key(), grpc::StatusCode::INVALID_ARGUMENT,
       "etcdserver: key is not provided"},
      {kv::error_value_provided(), grpc::StatusCode::INVALID_ARGUMENT,
       "etcdserver: value is provided"},
      {kv::error_lease_provided(), grpc::StatusCode::INVALID_ARGUMENT,
       "etcdserver: lease is provided"},
      {kv::error_duplicate_key(), grpc::StatusCode::INVALID_ARGUMENT,
       "etcdserver: duplicate key given in txn request"},
      {kv::error_too_many_ops(), grpc::StatusCode::INVALID_ARGUMENT,
       "etcdserver: too many operations in txn request"},
      {replica::error_request_too_large(), grpc::StatusCode::INVALID_ARGUMENT,
       "etcdserver: request is too large"},
      {replica::error_no_space(), grpc::StatusCode::RESOURCE_EXHAUSTED,
       "etcdserver: mvcc: database space exceeded"},
      {replica::error_too_many_requests(), grpc::StatusCode::RESOURCE_EXHAUSTED,
       "etcdserver: too many requests"},
      {replica::error_no_leader(), grpc::StatusCode::UNAVAILABLE, "etcdserver: no leader"},
      {replica::error_leader_changed(), grpc::StatusCode::UNAVAILABLE,
       "etcdserver: leader changed"},
      {replica::error_timeout(), grpc::StatusCode::UNAVAILABLE, "etcdserver: request timed out"},
      {replica::error_stopped(), grpc::StatusCode::UNAVAILABLE, "etcdserver: server stopped"},
      {replica::error_leader_failed(), grpc::StatusCode::UNAVAILABLE,
       "etcdserver: request timed out, possibly due to previous leader failure"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    grpc::Status out = to_grpc_status(c.status);
    EXPECT_EQ(out.error_code(), c.code);
    EXPECT_EQ(out.error_message(), c.message);
  }
}

TEST(GrpcErrors, TheCodeFollowsTheTextNotTheStatusCode) {
  // Whatever StatusCode a layer chose, etcd's text decides: clients match on it.
  grpc::Status out = to_grpc_status(Status(StatusCode::kBusy, "etcdserver: no leader"));
  EXPECT_EQ(out.error_code(), grpc::StatusCode::UNAVAILABLE);
  out = to_grpc_status(Status(StatusCode::kUnavailable, "etcdserver: not leader"));
  EXPECT_EQ(out.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  out = to_grpc_status(Status(StatusCode::kInvalidArgument, "etcdserver: requested lease not found"));
  EXPECT_EQ(out.error_code(), grpc::StatusCode::NOT_FOUND);
  out = to_grpc_status(Status(StatusCode::kInvalidArgument, "etcdserver: corrupt cluster"));
  EXPECT_EQ(out.error_code(), grpc::StatusCode::DATA_LOSS);
}

TEST(GrpcErrors, OtherTextsKeepTheirTextAndMapByStatusCode) {
  const std::pair<StatusCode, grpc::StatusCode> codes[] = {
      {StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
      {StatusCode::kCompacted, grpc::StatusCode::OUT_OF_RANGE},
      {StatusCode::kBusy, grpc::StatusCode::RESOURCE_EXHAUSTED},
      {StatusCode::kCorruption, grpc::StatusCode::DATA_LOSS},
      {StatusCode::kNotLeader, grpc::StatusCode::UNAVAILABLE},
      {StatusCode::kProposalDropped, grpc::StatusCode::UNAVAILABLE},
      {StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
  };
  for (auto [code, expected] : codes) {
    SCOPED_TRACE(status_code_name(code));
    // e.g. a storage failure: "fdatasync <path>: Input/output error".
    grpc::Status out = to_grpc_status(Status(code, "fdatasync /d/wal: Input/output error"));
    EXPECT_EQ(out.error_code(), expected);
    EXPECT_EQ(out.error_message(), "fdatasync /d/wal: Input/output error");
  }
}

TEST(GrpcErrors, OnlyAnExactTextIsEtcds) {
  grpc::Status out =
      to_grpc_status(Status(StatusCode::kInvalidArgument, "etcdserver: no leader (for now)"));
  EXPECT_EQ(out.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(out.error_message(), "etcdserver: no leader (for now)");
}

TEST(GrpcErrors, OkStaysOk) { EXPECT_TRUE(to_grpc_status(Status::Ok()).ok()); }

}  // namespace
}  // namespace synod::api::etcd

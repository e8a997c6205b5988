#include "api/etcd/grpc_errors.h"

#include <string_view>

namespace synod::api::etcd {
namespace {

struct EtcdError {
  std::string_view message;
  grpc::StatusCode code;
};

// etcd 3.4's server-side errors (etcdserver/api/v3rpc/rpctypes/error.go), by code. The texts are
// the protocol: a client compares them byte for byte.
constexpr EtcdError kEtcdErrors[] = {
    // Requests refused for their content.
    {"etcdserver: key is not provided", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: key not found", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: value is provided", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: lease is provided", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: too many operations in txn request", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: duplicate key given in txn request", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: request is too large", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: given member URLs are invalid", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: user name is empty", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: role name is empty", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: authentication failed, invalid user ID or password",
     grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: invalid auth management", grpc::StatusCode::INVALID_ARGUMENT},
    {"etcdserver: revision of auth store is old", grpc::StatusCode::INVALID_ARGUMENT},
    // Revisions and TTLs outside what the store holds.
    {"etcdserver: mvcc: required revision has been compacted", grpc::StatusCode::OUT_OF_RANGE},
    {"etcdserver: mvcc: required revision is a future revision", grpc::StatusCode::OUT_OF_RANGE},
    {"etcdserver: too large lease TTL", grpc::StatusCode::OUT_OF_RANGE},
    // Quotas.
    {"etcdserver: mvcc: database space exceeded", grpc::StatusCode::RESOURCE_EXHAUSTED},
    // etcd 3.4 actually sends this one as UNKNOWN (its error map holds the client-side value by
    // mistake); rpctypes declares RESOURCE_EXHAUSTED, and clients match the text either way.
    {"etcdserver: too many requests", grpc::StatusCode::RESOURCE_EXHAUSTED},
    // Missing objects.
    {"etcdserver: requested lease not found", grpc::StatusCode::NOT_FOUND},
    {"etcdserver: member not found", grpc::StatusCode::NOT_FOUND},
    // Requests that conflict with the cluster's state.
    {"etcdserver: lease already exists", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: member ID already exist", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: Peer URLs already exists", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: re-configuration failed due to not enough started members",
     grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: can only promote a learner member", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: can only promote a learner member which is in sync with leader",
     grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: too many learner members in cluster", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: root user does not exist", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: root user does not have root role", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: user name already exists", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: user name not found", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: role name already exists", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: role name not found", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: role is not granted to the user", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: permission is not granted to the role", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: authentication is not enabled", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: not leader", grpc::StatusCode::FAILED_PRECONDITION},
    {"etcdserver: bad leader transferee", grpc::StatusCode::FAILED_PRECONDITION},
    // Authorisation.
    {"etcdserver: permission denied", grpc::StatusCode::PERMISSION_DENIED},
    {"etcdserver: invalid auth token", grpc::StatusCode::UNAUTHENTICATED},
    // Transient: clients retry these (clientv3 retries UNAVAILABLE on another endpoint).
    {"etcdserver: no leader", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: leader changed", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: not capable", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: server stopped", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: request timed out", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: request timed out, possibly due to previous leader failure",
     grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: request timed out, possibly due to connection lost",
     grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: request timed out, waiting for the applied index took too long",
     grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: unhealthy cluster", grpc::StatusCode::UNAVAILABLE},
    {"etcdserver: rpc not supported for learner", grpc::StatusCode::UNAVAILABLE},
    // Broken replicas.
    {"etcdserver: corrupt cluster", grpc::StatusCode::DATA_LOSS},
    {"etcdserver: watch canceled", grpc::StatusCode::CANCELLED},
};

}  // namespace

grpc::StatusCode grpc_code_for(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return grpc::StatusCode::OK;
    case StatusCode::kInvalidArgument: return grpc::StatusCode::INVALID_ARGUMENT;
    case StatusCode::kCompacted: return grpc::StatusCode::OUT_OF_RANGE;
    case StatusCode::kBusy: return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case StatusCode::kCorruption: return grpc::StatusCode::DATA_LOSS;
    // Conditions that pass, so another attempt (here or at another member) may succeed:
    // UNAVAILABLE is the code etcd's clients retry. (etcd's own "not leader" is for leader-only
    // admin calls; a KV request never gets it, as followers forward writes.)
    case StatusCode::kNotLeader:
    case StatusCode::kProposalDropped:
    case StatusCode::kUnavailable: return grpc::StatusCode::UNAVAILABLE;
  }
  return grpc::StatusCode::UNKNOWN;
}

grpc::Status to_grpc_status(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  for (const EtcdError& error : kEtcdErrors) {
    if (error.message == status.message()) return grpc::Status(error.code, status.message());
  }
  return grpc::Status(grpc_code_for(status.code()), status.message());
}

}  // namespace synod::api::etcd

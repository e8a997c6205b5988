#include "kv/errors.h"

#include <string>

namespace synod::kv {
namespace {
Status make(StatusCode code, std::string_view text) { return Status(code, std::string(text)); }
}  // namespace

// Codes follow etcd's gRPC mapping where synod has one: OutOfRange and FailedPrecondition have no
// synod code yet, so both are kInvalidArgument; the text is what identifies the error.
Status error_future_revision() { return make(StatusCode::kInvalidArgument, kErrFutureRevision); }
Status error_compacted() { return make(StatusCode::kCompacted, kErrCompacted); }
Status error_key_not_found() { return make(StatusCode::kInvalidArgument, kErrKeyNotFound); }
Status error_empty_key() { return make(StatusCode::kInvalidArgument, kErrEmptyKey); }
Status error_value_provided() { return make(StatusCode::kInvalidArgument, kErrValueProvided); }
Status error_lease_provided() { return make(StatusCode::kInvalidArgument, kErrLeaseProvided); }
Status error_duplicate_key() { return make(StatusCode::kInvalidArgument, kErrDuplicateKey); }
Status error_too_many_ops() { return make(StatusCode::kInvalidArgument, kErrTooManyOps); }
Status error_lease_not_found() { return make(StatusCode::kInvalidArgument, kErrLeaseNotFound); }
Status error_lease_exists() { return make(StatusCode::kInvalidArgument, kErrLeaseExists); }
Status error_lease_ttl_too_large() { return make(StatusCode::kInvalidArgument, kErrLeaseTtlTooLarge); }
Status error_not_replicated() { return make(StatusCode::kInvalidArgument, kErrNotReplicated); }

}  // namespace synod::kv

#include "api/etcd/unary_call.h"

namespace synod::api::etcd {

void UnaryCall::OnCancel() {
  // The text grpc-go gives a handler's context.Canceled, which is what etcd returns here.
  handle().finish([] { return grpc::Status(grpc::StatusCode::CANCELLED, "context canceled"); });
}

}  // namespace synod::api::etcd

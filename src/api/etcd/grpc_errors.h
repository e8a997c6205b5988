#pragma once
// synod::Status -> grpc::Status as etcd's server sends it.
//
// etcd's clients recognise a server error by its message text (clientv3's rpctypes.Error looks
// the text up; python-etcd3 and others look at the code), so a status whose message is one of
// etcd's texts (rpctypes/error.go) goes out with exactly that text and etcd's code for it: e.g.
// "etcdserver: mvcc: required revision has been compacted" -> OUT_OF_RANGE. Any other message
// keeps its text and gets a code from its StatusCode.
#include <grpcpp/support/status.h>

#include "core/status.h"

namespace synod::api::etcd {

grpc::Status to_grpc_status(const Status& status);

// The code a StatusCode maps to when the message is not one of etcd's texts.
grpc::StatusCode grpc_code_for(StatusCode code);

}  // namespace synod::api::etcd

#pragma once
// What etcdctl prints after "Error: " for a failed call, as clientv3 turns a gRPC status into an
// error (client.go toErr, rpctypes.Error): one of etcd's own texts alone ("etcdserver: mvcc:
// required revision has been compacted"), "context deadline exceeded" when the command timeout
// ran out, anything else as grpc-go prints a status ("rpc error: code = Unavailable desc = ...").
#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

namespace synod::ctl {

std::string etcd_error_text(const grpc::Status& status, bool deadline_passed);

// grpc-go's name for a status code: "Unavailable", "DeadlineExceeded", ...
std::string_view grpc_code_name(grpc::StatusCode code);

// Whether `message` is one of the texts clientv3 knows (rpctypes' errStringToError).
bool is_known_etcd_error(std::string_view message);

}  // namespace synod::ctl

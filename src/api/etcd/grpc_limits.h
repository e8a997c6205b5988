#pragma once
// etcd's grpcOverheadBytes: room for the gRPC envelope around a request of --max-request-bytes.
// etcd receives messages up to --max-request-bytes plus this, and fragments a watch response only
// from that same sum on (v3rpc's watch server is given MaxRequestBytes + grpcOverheadBytes).
#include <cstdint>

namespace synod::api::etcd {

inline constexpr uint64_t kGrpcOverheadBytes = 512 * 1024;

}  // namespace synod::api::etcd

#pragma once
// etcd's Lease protobuf messages <-> the store's lease types (kv/lease_types.h), field for field.
// Top-level headers are filled as convert.h's fill_header does.
#include "core/status.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"
#include "kv/lease_types.h"
#include "server/node.h"

namespace synod::api::etcd {

// A TTL above etcd's MaxLeaseTTL is refused here, before proposing, as etcd's server does.
Status from_proto(const etcdserverpb::LeaseGrantRequest& in, kv::LeaseGrantRequest& out);
Status from_proto(const etcdserverpb::LeaseRevokeRequest& in, kv::LeaseRevokeRequest& out);
Status from_proto(const etcdserverpb::LeaseTimeToLiveRequest& in, kv::LeaseTimeToLiveRequest& out);
Status from_proto(const etcdserverpb::LeaseLeasesRequest& in, kv::LeaseLeasesRequest& out);

void to_proto(const kv::LeaseGrantResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseGrantResponse& out);
void to_proto(const kv::LeaseRevokeResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseRevokeResponse& out);
void to_proto(const kv::LeaseKeepAliveResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseKeepAliveResponse& out);
void to_proto(const kv::LeaseTimeToLiveResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseTimeToLiveResponse& out);
void to_proto(const kv::LeaseLeasesResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseLeasesResponse& out);

}  // namespace synod::api::etcd

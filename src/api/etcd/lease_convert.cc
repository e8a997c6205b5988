#include "api/etcd/lease_convert.h"

#include "api/etcd/convert.h"
#include "kv/errors.h"

namespace synod::api::etcd {

Status from_proto(const etcdserverpb::LeaseGrantRequest& in, kv::LeaseGrantRequest& out) {
  if (in.ttl() > kv::kMaxLeaseTtlSeconds) return kv::error_lease_ttl_too_large();
  out = kv::LeaseGrantRequest{in.id(), in.ttl()};
  return Status::Ok();
}

Status from_proto(const etcdserverpb::LeaseRevokeRequest& in, kv::LeaseRevokeRequest& out) {
  out = kv::LeaseRevokeRequest{in.id()};
  return Status::Ok();
}

Status from_proto(const etcdserverpb::LeaseTimeToLiveRequest& in, kv::LeaseTimeToLiveRequest& out) {
  out = kv::LeaseTimeToLiveRequest{in.id(), in.keys()};
  return Status::Ok();
}

Status from_proto(const etcdserverpb::LeaseLeasesRequest&, kv::LeaseLeasesRequest& out) {
  out = kv::LeaseLeasesRequest{};
  return Status::Ok();
}

void to_proto(const kv::LeaseGrantResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseGrantResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
  out.set_id(in.id);
  out.set_ttl(in.ttl);
}

void to_proto(const kv::LeaseRevokeResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseRevokeResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
}

void to_proto(const kv::LeaseKeepAliveResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseKeepAliveResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
  out.set_id(in.id);
  out.set_ttl(in.ttl);
}

void to_proto(const kv::LeaseTimeToLiveResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseTimeToLiveResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
  out.set_id(in.id);
  out.set_ttl(in.ttl);
  out.set_grantedttl(in.granted_ttl);
  for (const std::string& key : in.keys) out.add_keys(key);
}

void to_proto(const kv::LeaseLeasesResponse& in, const server::HeaderInfo& header,
              etcdserverpb::LeaseLeasesResponse& out) {
  out.Clear();
  fill_header(in.header.revision, header, *out.mutable_header());
  for (int64_t id : in.ids) out.add_leases()->set_id(id);
}

}  // namespace synod::api::etcd

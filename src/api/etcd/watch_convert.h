#pragma once
// etcd's watch messages <-> kv/watch_hub.h, and etcd's fragmentation of large responses.
#include <vector>

#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"
#include "kv/watch_hub.h"
#include "server/node.h"

namespace synod::api::etcd {

// Every field; the filters as flags (unknown filter numbers are ignored, as etcd does).
kv::WatchCreate from_proto(const etcdserverpb::WatchCreateRequest& in);

// The header's revision is the response's own (etcd sends 0 with a compaction), the rest the
// node's.
void to_proto(const kv::WatchResponse& in, const server::HeaderInfo& header,
              etcdserverpb::WatchResponse& out);

// etcd's sendFragments: a response of max_request_bytes or more with two events or more, whose
// watcher asked for fragments, goes as several, each below the limit (at least one event each),
// all but the last with `fragment` set. Anything else goes whole.
std::vector<etcdserverpb::WatchResponse> fragments(etcdserverpb::WatchResponse response,
                                                   bool fragment_allowed,
                                                   uint64_t max_request_bytes);

}  // namespace synod::api::etcd

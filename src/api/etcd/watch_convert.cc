#include "api/etcd/watch_convert.h"

#include <utility>

#include "api/etcd/convert.h"

namespace synod::api::etcd {

kv::WatchCreate from_proto(const etcdserverpb::WatchCreateRequest& in) {
  kv::WatchCreate out;
  out.key = in.key();
  out.range_end = in.range_end();
  out.start_revision = in.start_revision();
  out.watch_id = in.watch_id();
  out.prev_kv = in.prev_kv();
  out.progress_notify = in.progress_notify();
  out.fragment = in.fragment();
  for (int filter : in.filters()) {
    if (filter == etcdserverpb::WatchCreateRequest::NOPUT) out.no_put = true;
    if (filter == etcdserverpb::WatchCreateRequest::NODELETE) out.no_delete = true;
  }
  return out;
}

void to_proto(const kv::WatchResponse& in, const server::HeaderInfo& header,
              etcdserverpb::WatchResponse& out) {
  etcdserverpb::ResponseHeader& out_header = *out.mutable_header();
  out_header.set_cluster_id(header.cluster_id);
  out_header.set_member_id(header.member_id);
  out_header.set_raft_term(header.raft_term);
  out_header.set_revision(in.header_revision);
  out.set_watch_id(in.watch_id);
  out.set_created(in.created);
  out.set_canceled(in.canceled);
  out.set_compact_revision(in.compact_revision);
  out.set_cancel_reason(in.cancel_reason);
  for (const kv::Event& event : in.events) {
    mvccpb::Event& out_event = *out.add_events();
    out_event.set_type(event.type == kv::Event::Type::kPut ? mvccpb::Event::PUT
                                                           : mvccpb::Event::DELETE);
    to_proto(event.kv, *out_event.mutable_kv());
    if (event.prev_kv) to_proto(*event.prev_kv, *out_event.mutable_prev_kv());
  }
}

std::vector<etcdserverpb::WatchResponse> fragments(etcdserverpb::WatchResponse response,
                                                   bool fragment_allowed,
                                                   uint64_t max_request_bytes) {
  std::vector<etcdserverpb::WatchResponse> out;
  if (!fragment_allowed || response.events_size() < 2 ||
      response.ByteSizeLong() < max_request_bytes) {
    out.push_back(std::move(response));
    return out;
  }
  etcdserverpb::WatchResponse empty = response;
  empty.clear_events();
  empty.set_fragment(true);
  etcdserverpb::WatchResponse current = empty;
  for (mvccpb::Event& event : *response.mutable_events()) {
    *current.add_events() = std::move(event);
    if (current.events_size() > 1 && current.ByteSizeLong() >= max_request_bytes) {
      mvccpb::Event last = std::move(*current.mutable_events(current.events_size() - 1));
      current.mutable_events()->RemoveLast();
      out.push_back(std::move(current));
      current = empty;
      *current.add_events() = std::move(last);
    }
  }
  current.set_fragment(false);
  out.push_back(std::move(current));
  return out;
}

}  // namespace synod::api::etcd

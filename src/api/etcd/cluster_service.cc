#include "api/etcd/cluster_service.h"

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "api/etcd/convert.h"
#include "api/etcd/grpc_errors.h"
#include "api/etcd/unary_call.h"

namespace synod::api::etcd {
namespace {

using replica::MemberRequest;

template <typename ProtoResponse>
void fill_members(const std::vector<server::Member>& members, const server::HeaderInfo& header,
                  ProtoResponse& out) {
  fill_header(0, header, *out.mutable_header());
  // etcd's Cluster service leaves the store revision out of its headers (it reads 0).
  out.mutable_header()->set_revision(0);
  for (const server::Member& member : members) member_to_proto(member, *out.add_members());
}

// Submits `request` and answers the call with the members once the change is applied; `extra`
// fills what a response adds to the member list (MemberAdd's member).
template <typename ProtoResponse, typename Extra>
grpc::ServerUnaryReactor* change(server::Node& node, MemberRequest request, ProtoResponse* response,
                                 Extra extra) {
  auto* call = new UnaryCall();  // deletes itself in OnDone
  UnaryCall::Handle handle = call->handle();
  node.change_members(std::move(request),
                      [handle, response, extra](const Status& status,
                                                const std::vector<server::Member>& members,
                                                const server::HeaderInfo& header) {
                        handle.finish([&] {
                          if (!status.ok()) return to_grpc_status(status);
                          fill_members(members, header, *response);
                          extra(members, *response);
                          return grpc::Status::OK;
                        });
                      });
  return call;
}

grpc::ServerUnaryReactor* refuse(const Status& status) {
  auto* call = new UnaryCall();
  call->handle().finish([&status] { return to_grpc_status(status); });
  return call;
}

auto no_extra = [](const std::vector<server::Member>&, auto&) {};

// etcd trims each peer URL (strings.TrimSpace) before parsing it: " http://a:1\t" is http://a:1.
std::vector<std::string> trimmed_urls(const google::protobuf::RepeatedPtrField<std::string>& urls) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  std::vector<std::string> out;
  for (const std::string& url : urls) {
    const size_t first = url.find_first_not_of(kSpace);
    out.push_back(first == std::string::npos
                      ? std::string()
                      : url.substr(first, url.find_last_not_of(kSpace) - first + 1));
  }
  return out;
}

}  // namespace

void member_to_proto(const server::Member& member, etcdserverpb::Member& out) {
  out.set_id(member.id);
  out.set_name(member.name);
  for (const std::string& url : member.peer_urls) out.add_peerurls(url);
  for (const std::string& url : member.client_urls) out.add_clienturls(url);
  out.set_islearner(member.is_learner);
}

grpc::ServerUnaryReactor* ClusterService::MemberAdd(grpc::CallbackServerContext* /*context*/,
                                                    const etcdserverpb::MemberAddRequest* request,
                                                    etcdserverpb::MemberAddResponse* response) {
  MemberRequest add;
  add.kind = MemberRequest::Kind::kAdd;
  add.peer_urls = trimmed_urls(request->peerurls());
  add.is_learner = request->islearner();
  if (Status resolved = node_.resolve_new_member(add.peer_urls, &add.id); !resolved.ok())
    return refuse(resolved);
  // etcd's response names the new member as added: no name or client URLs yet.
  server::Member added;
  added.id = add.id;
  added.peer_urls = add.peer_urls;
  added.is_learner = add.is_learner;
  return change(node_, std::move(add), response,
                [added](const std::vector<server::Member>&, etcdserverpb::MemberAddResponse& out) {
                  member_to_proto(added, *out.mutable_member());
                });
}

grpc::ServerUnaryReactor* ClusterService::MemberRemove(grpc::CallbackServerContext* /*context*/,
                                                       const etcdserverpb::MemberRemoveRequest* request,
                                                       etcdserverpb::MemberRemoveResponse* response) {
  MemberRequest remove;
  remove.kind = MemberRequest::Kind::kRemove;
  remove.id = request->id();
  if (remove.id == consensus::kNoNode) return refuse({StatusCode::kInvalidArgument, "etcdserver: member not found"});
  return change(node_, std::move(remove), response, no_extra);
}

grpc::ServerUnaryReactor* ClusterService::MemberUpdate(grpc::CallbackServerContext* /*context*/,
                                                       const etcdserverpb::MemberUpdateRequest* request,
                                                       etcdserverpb::MemberUpdateResponse* response) {
  MemberRequest update;
  update.kind = MemberRequest::Kind::kUpdate;
  update.id = request->id();
  update.peer_urls = trimmed_urls(request->peerurls());
  // etcd looks the member up before it looks at the URLs (it does not parse them at all): an
  // unknown member is "not found" whatever URLs come with it. The replica checks again on apply.
  const std::vector<server::Member> members = node_.status().members;
  const bool known = std::any_of(members.begin(), members.end(),
                                 [&](const server::Member& m) { return m.id == update.id; });
  if (update.id == consensus::kNoNode || !known)
    return refuse({StatusCode::kInvalidArgument, "etcdserver: member not found"});
  // An update keeps the member's id: only the URLs are checked and made canonical.
  if (Status resolved = node_.resolve_new_member(update.peer_urls, nullptr); !resolved.ok())
    return refuse(resolved);
  return change(node_, std::move(update), response, no_extra);
}

grpc::ServerUnaryReactor* ClusterService::MemberPromote(grpc::CallbackServerContext* /*context*/,
                                                        const etcdserverpb::MemberPromoteRequest* request,
                                                        etcdserverpb::MemberPromoteResponse* response) {
  MemberRequest promote;
  promote.kind = MemberRequest::Kind::kPromote;
  promote.id = request->id();
  if (promote.id == consensus::kNoNode) return refuse({StatusCode::kInvalidArgument, "etcdserver: member not found"});
  return change(node_, std::move(promote), response, no_extra);
}

grpc::ServerUnaryReactor* ClusterService::MemberList(grpc::CallbackServerContext* context,
                                                     const etcdserverpb::MemberListRequest* /*request*/,
                                                     etcdserverpb::MemberListResponse* response) {
  // The published status is a consistent copy any thread may take (node.h).
  const server::NodeStatus status = node_.status();
  fill_members(status.members, node_.header(), *response);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace synod::api::etcd

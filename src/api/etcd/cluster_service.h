#pragma once
// etcd's Cluster service: MemberList, MemberAdd, MemberRemove, MemberUpdate and MemberPromote,
// with etcd 3.4's response shapes (header, the added member, every member) and errors. The
// membership changes go through the node (server::Node::change_members), are validated by the
// leader (replica/replica_members.cc) and answered once applied; MemberList answers from the
// local applied membership, as etcd 3.4's does.
#include <grpcpp/support/server_callback.h>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/node.h"

namespace synod::api::etcd {

class ClusterService final : public etcdserverpb::Cluster::CallbackService {
 public:
  explicit ClusterService(server::Node& node) : node_(node) {}

  grpc::ServerUnaryReactor* MemberAdd(grpc::CallbackServerContext* context,
                                      const etcdserverpb::MemberAddRequest* request,
                                      etcdserverpb::MemberAddResponse* response) override;
  grpc::ServerUnaryReactor* MemberRemove(grpc::CallbackServerContext* context,
                                         const etcdserverpb::MemberRemoveRequest* request,
                                         etcdserverpb::MemberRemoveResponse* response) override;
  grpc::ServerUnaryReactor* MemberUpdate(grpc::CallbackServerContext* context,
                                         const etcdserverpb::MemberUpdateRequest* request,
                                         etcdserverpb::MemberUpdateResponse* response) override;
  grpc::ServerUnaryReactor* MemberList(grpc::CallbackServerContext* context,
                                       const etcdserverpb::MemberListRequest* request,
                                       etcdserverpb::MemberListResponse* response) override;
  grpc::ServerUnaryReactor* MemberPromote(grpc::CallbackServerContext* context,
                                          const etcdserverpb::MemberPromoteRequest* request,
                                          etcdserverpb::MemberPromoteResponse* response) override;

 private:
  server::Node& node_;
};

// etcd's membersToProtoMembers: one member as MemberList shows it.
void member_to_proto(const server::Member& member, etcdserverpb::Member& out);

}  // namespace synod::api::etcd

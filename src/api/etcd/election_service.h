#pragma once
// etcd 3.4's v3election service over a server::Node, with clientv3/concurrency Election's
// semantics run server-side as etcd's election server does (key layout: concurrency_keys.h):
//   Campaign  creates `<name>/<lease hex>` with the value (or re-proclaims an existing key of the
//             same lease) and answers once it is the first-created key under `<name>/`;
//   Proclaim  puts a new value on the leader key if it is still the generation created at
//             leader.rev, else "election: not leader";
//   Leader    the first-created key under `<name>/`, or "election: no leader";
//   Observe   streams the leader's key-value at each change (election_observe.cc);
//   Resign    deletes the leader key if it is still that generation.
// A missing leader field is refused with etcd's `"leader" field must be provided`.
#include <grpcpp/support/server_callback.h>

#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.grpc.pb.h"
#include "server/node.h"

namespace synod::api::etcd {

class ElectionService final : public v3electionpb::Election::CallbackService {
 public:
  // `node` must outlive the service and every call it started.
  explicit ElectionService(server::Node& node) : node_(node) {}

  grpc::ServerUnaryReactor* Campaign(grpc::CallbackServerContext* context,
                                     const v3electionpb::CampaignRequest* request,
                                     v3electionpb::CampaignResponse* response) override;
  grpc::ServerUnaryReactor* Proclaim(grpc::CallbackServerContext* context,
                                     const v3electionpb::ProclaimRequest* request,
                                     v3electionpb::ProclaimResponse* response) override;
  grpc::ServerUnaryReactor* Leader(grpc::CallbackServerContext* context,
                                   const v3electionpb::LeaderRequest* request,
                                   v3electionpb::LeaderResponse* response) override;
  grpc::ServerWriteReactor<v3electionpb::LeaderResponse>* Observe(
      grpc::CallbackServerContext* context, const v3electionpb::LeaderRequest* request) override;
  grpc::ServerUnaryReactor* Resign(grpc::CallbackServerContext* context,
                                   const v3electionpb::ResignRequest* request,
                                   v3electionpb::ResignResponse* response) override;

 private:
  server::Node& node_;
};

// election_observe.cc
grpc::ServerWriteReactor<v3electionpb::LeaderResponse>* start_observe(server::Node& node,
                                                                      std::string name);

}  // namespace synod::api::etcd

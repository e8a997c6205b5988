#include "api/etcd/election_service.h"

#include <utility>
#include <variant>

#include "api/etcd/concurrency_keys.h"
#include "api/etcd/contender_wait.h"
#include "api/etcd/convert.h"
#include "api/etcd/grpc_errors.h"
#include "api/etcd/unary_call.h"

namespace synod::api::etcd {
namespace {

// etcd's v3election errors: plain Go errors, which grpc-go sends with code Unknown.
grpc::Status not_leader() { return {grpc::StatusCode::UNKNOWN, "election: not leader"}; }
grpc::Status no_leader() { return {grpc::StatusCode::UNKNOWN, "election: no leader"}; }
grpc::Status missing_leader_key() {
  return {grpc::StatusCode::UNKNOWN, "\"leader\" field must be provided"};
}

UnaryCall* refused(grpc::Status status) {
  auto* call = new UnaryCall();
  call->handle().finish([&] { return status; });
  return call;
}

}  // namespace

grpc::ServerUnaryReactor* ElectionService::Campaign(grpc::CallbackServerContext* /*context*/,
                                                    const v3electionpb::CampaignRequest* request,
                                                    v3electionpb::CampaignResponse* response) {
  auto* call = new UnaryCall();  // deletes itself in OnDone
  UnaryCall::Handle handle = call->handle();
  Contender contender{.name = request->name(), .lease = request->lease(),
                      .value = request->value(), .end_if_key_lost = false,
                      .proclaim_existing = true};
  acquire(node_, std::move(contender), [handle] { return handle.finished(); },
          [handle, response, name = request->name(), lease = request->lease(),
           &node = node_](const Acquired& acquired) {
            handle.finish([&] {
              if (!acquired.status.ok()) return acquired.status;
              // etcd answers with the header of the Txn that created the key.
              fill_header(acquired.txn_revision, node.header(), *response->mutable_header());
              v3electionpb::LeaderKey& leader = *response->mutable_leader();
              leader.set_name(name);
              leader.set_key(acquired.key);
              leader.set_rev(acquired.create_revision);
              leader.set_lease(lease);
              return grpc::Status::OK;
            });
          });
  return call;
}

grpc::ServerUnaryReactor* ElectionService::Proclaim(grpc::CallbackServerContext* /*context*/,
                                                    const v3electionpb::ProclaimRequest* request,
                                                    v3electionpb::ProclaimResponse* response) {
  if (!request->has_leader()) return refused(missing_leader_key());
  auto* call = new UnaryCall();
  const v3electionpb::LeaderKey& leader = request->leader();
  submit_txn(node_, put_if_created_at(leader.key(), leader.rev(), request->value(), leader.lease()),
             [handle = call->handle(), response](const Status& status,
                                                 const kv::TxnResponse& txn,
                                                 const server::HeaderInfo& header) {
               handle.finish([&] {
                 if (!status.ok()) return to_grpc_status(status);
                 if (!txn.succeeded) return not_leader();
                 fill_header(txn.header.revision, header, *response->mutable_header());
                 return grpc::Status::OK;
               });
             });
  return call;
}

grpc::ServerUnaryReactor* ElectionService::Leader(grpc::CallbackServerContext* /*context*/,
                                                  const v3electionpb::LeaderRequest* request,
                                                  v3electionpb::LeaderResponse* response) {
  auto* call = new UnaryCall();
  node_.submit(kv::Command(first_created_request(contender_prefix(request->name()))),
               [handle = call->handle(), response](const kv::ApplyResult& result,
                                                   const server::HeaderInfo& header) {
                 handle.finish([&] {
                   if (!result.status.ok()) return to_grpc_status(result.status);
                   const auto* range = std::get_if<kv::RangeResponse>(&result.response);
                   if (range == nullptr || range->kvs.empty()) return no_leader();
                   fill_header(range->header.revision, header, *response->mutable_header());
                   to_proto(range->kvs.front(), *response->mutable_kv());
                   return grpc::Status::OK;
                 });
               });
  return call;
}

grpc::ServerWriteReactor<v3electionpb::LeaderResponse>* ElectionService::Observe(
    grpc::CallbackServerContext* /*context*/, const v3electionpb::LeaderRequest* request) {
  return start_observe(node_, request->name());
}

grpc::ServerUnaryReactor* ElectionService::Resign(grpc::CallbackServerContext* /*context*/,
                                                  const v3electionpb::ResignRequest* request,
                                                  v3electionpb::ResignResponse* response) {
  if (!request->has_leader()) return refused(missing_leader_key());
  auto* call = new UnaryCall();
  const v3electionpb::LeaderKey& leader = request->leader();
  submit_txn(node_, delete_if_created_at(leader.key(), leader.rev()),
             [handle = call->handle(), response](const Status& status,
                                                 const kv::TxnResponse& txn,
                                                 const server::HeaderInfo& header) {
               handle.finish([&] {
                 if (!status.ok()) return to_grpc_status(status);
                 // As etcd: resigning a key that is no longer ours is not an error.
                 fill_header(txn.header.revision, header, *response->mutable_header());
                 return grpc::Status::OK;
               });
             });
  return call;
}

}  // namespace synod::api::etcd

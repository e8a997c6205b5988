#include "api/etcd/contender_wait.h"

#include <memory>
#include <utility>
#include <variant>

#include "api/etcd/concurrency_keys.h"
#include "api/etcd/grpc_errors.h"
#include "replica/replica.h"
#include "replica/request_errors.h"

namespace synod::api::etcd {
namespace {

// etcd's concurrency.ErrSessionExpired and ErrElectionNotLeader: plain Go errors, which grpc-go
// sends with code Unknown.
const grpc::Status kSessionExpired(grpc::StatusCode::UNKNOWN, "session expired");
const grpc::Status kNotLeader(grpc::StatusCode::UNKNOWN, "election: not leader");
const grpc::Status kCancelled(grpc::StatusCode::CANCELLED, "context canceled");

struct Attempt {
  server::Node& node;
  Contender contender;
  std::function<bool()> cancelled;
  std::function<void(const Acquired&)> done;
  Acquired acquired;

  void fail(grpc::Status status) {
    acquired.status = std::move(status);
    done(acquired);
  }
  void forget_key() {
    submit_txn(node, delete_if_created_at(acquired.key, acquired.create_revision),
               [](const Status&, const kv::TxnResponse&, const server::HeaderInfo&) {});
  }
};

const kv::RangeResponse* range_at(const kv::TxnResponse& response, size_t index) {
  if (index >= response.responses.size()) return nullptr;
  return std::get_if<kv::RangeResponse>(&response.responses[index].response);
}

void wait_for_turn(std::shared_ptr<Attempt> attempt) {
  attempt->node.run_on_node_thread([attempt](replica::Replica* replica) {
    if (replica == nullptr) {
      attempt->fail(to_grpc_status(replica::error_stopped()));
      return true;
    }
    const kv::MvccStore& store = replica->store();
    if (attempt->cancelled()) {
      attempt->forget_key();
      attempt->fail(kCancelled);
      return true;
    }
    const std::string prefix = contender_prefix(attempt->contender.name);
    if (attempt->contender.end_if_key_lost) {
      std::optional<kv::KeyValue> own = live_key(store, attempt->acquired.key);
      if (!own || own->create_revision != attempt->acquired.create_revision) {
        attempt->fail(kSessionExpired);
        return true;
      }
    }
    if (has_key_created_before(store, prefix, attempt->acquired.create_revision)) return false;
    attempt->acquired.turn_revision = store.current_revision();
    attempt->done(attempt->acquired);
    return true;
  });
}

void on_created(std::shared_ptr<Attempt> attempt, const kv::TxnResponse& response) {
  const kv::RangeResponse* own = range_at(response, 0);
  const kv::RangeResponse* holder = range_at(response, 1);
  if (holder == nullptr || (!response.succeeded && (own == nullptr || own->kvs.empty()))) {
    // The key vanished between compare and read: impossible within one Txn.
    attempt->fail(grpc::Status(grpc::StatusCode::INTERNAL, "unexpected contender txn response"));
    return;
  }
  attempt->acquired.txn_revision = response.header.revision;
  attempt->acquired.create_revision =
      response.succeeded ? response.header.revision : own->kvs.front().create_revision;
  if (!response.succeeded && attempt->contender.proclaim_existing &&
      own->kvs.front().value != attempt->contender.value) {
    submit_txn(attempt->node,
               put_if_created_at(attempt->acquired.key, attempt->acquired.create_revision,
                                 attempt->contender.value, attempt->contender.lease),
               [attempt](const Status& status, const kv::TxnResponse& proclaimed,
                         const server::HeaderInfo&) {
                 if (!status.ok() || !proclaimed.succeeded) {
                   attempt->forget_key();
                   attempt->fail(status.ok() ? kNotLeader : to_grpc_status(status));
                   return;
                 }
                 wait_for_turn(attempt);
               });
    return;
  }
  wait_for_turn(attempt);
}

}  // namespace

void submit_txn(server::Node& node, kv::TxnRequest txn, TxnDone done) {
  node.submit(kv::Command(std::move(txn)),
              [done = std::move(done)](const kv::ApplyResult& result,
                                       const server::HeaderInfo& header) {
                if (!result.status.ok()) {
                  done(result.status, kv::TxnResponse{}, header);
                  return;
                }
                const auto* response = std::get_if<kv::TxnResponse>(&result.response);
                if (response == nullptr) {
                  done(Status(StatusCode::kCorruption, "the node answered a Txn with another type"),
                       kv::TxnResponse{}, header);
                  return;
                }
                done(Status::Ok(), *response, header);
              });
}

void acquire(server::Node& node, Contender contender, std::function<bool()> cancelled,
             std::function<void(const Acquired& acquired)> done) {
  auto attempt = std::make_shared<Attempt>(
      Attempt{node, std::move(contender), std::move(cancelled), std::move(done), Acquired{}});
  attempt->acquired.key = contender_key(attempt->contender.name, attempt->contender.lease);
  submit_txn(node,
             create_contender_txn(attempt->acquired.key, attempt->contender.value,
                                  attempt->contender.lease,
                                  contender_prefix(attempt->contender.name)),
             [attempt](const Status& status, const kv::TxnResponse& response,
                       const server::HeaderInfo&) {
               if (!status.ok()) {
                 attempt->fail(to_grpc_status(status));
                 return;
               }
               on_created(attempt, response);
             });
}

}  // namespace synod::api::etcd

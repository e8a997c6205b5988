#pragma once
// Becoming the holder of an etcd concurrency recipe (Mutex.Lock, Election.Campaign) over a node:
// create the contender's key (concurrency_keys.h), then wait for its turn (etcd's waitDeletes):
// until no key under the prefix was created before the contender's own. The wait polls the
// node's local store once per turn of the node's loop (at least once a heartbeat), on the node
// thread, so it sees every applied delete, whether by Unlock/Resign, a lease revoke or an expiry.
#include <grpcpp/support/status.h>

#include <cstdint>
#include <functional>
#include <string>

#include "kv/types.h"
#include "server/node.h"

namespace synod::api::etcd {

struct Contender {
  std::string name;
  int64_t lease = 0;
  std::string value;
  // Lock gives up with "session expired" once its own key is gone (its lease was revoked or
  // expired), as etcd 3.5's Mutex does (3.4.23's would report a lock it no longer holds);
  // Election keeps waiting as etcd's does.
  bool end_if_key_lost = false;
  // Election: an existing key with another value gets this value (a Proclaim).
  bool proclaim_existing = false;
};

struct Acquired {
  grpc::Status status;
  std::string key;
  int64_t create_revision = 0;  // of the key: the holder's "rev"
  int64_t txn_revision = 0;     // the header revision of the creating Txn
  int64_t turn_revision = 0;    // the store's revision when the turn came
};

// `cancelled` and `done` run on the node thread; `done` runs exactly once. On cancellation the
// contender's key is deleted (as etcd's cleanup does) and the status is CANCELLED.
void acquire(server::Node& node, Contender contender, std::function<bool()> cancelled,
             std::function<void(const Acquired& acquired)> done);

// Submits a Txn; `done` gets the node's status or the TxnResponse (on the node thread).
using TxnDone = std::function<void(const Status& status, const kv::TxnResponse& response,
                                   const server::HeaderInfo& header)>;
void submit_txn(server::Node& node, kv::TxnRequest txn, TxnDone done);

}  // namespace synod::api::etcd

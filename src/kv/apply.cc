// MvccStore::apply: one committed command in, its response and change events out.
#include "kv/command.h"
#include "kv/errors.h"
#include "kv/mvcc_store.h"

namespace synod::kv {
namespace {

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

ApplyResult MvccStore::apply(std::string_view command_bytes) {
  ApplyResult result;
  Command command;
  result.status = decode_command(command_bytes, command);
  if (result.status.ok()) {
    auto* events = &result.events;
    result.status = std::visit(
        Overloaded{
            [&](const RangeRequest& r) { return range(r, result.response.emplace<RangeResponse>()); },
            [&](const PutRequest& r) { return put(r, result.response.emplace<PutResponse>(), events); },
            [&](const DeleteRangeRequest& r) {
              return delete_range(r, result.response.emplace<DeleteRangeResponse>(), events);
            },
            [&](const TxnRequest& r) { return txn(r, result.response.emplace<TxnResponse>(), events); },
            [&](const CompactionRequest& r) {
              return compact(r, result.response.emplace<CompactionResponse>());
            },
            [&](const LeaseRevokeRequest& r) {
              return lease_revoke(r, result.response.emplace<LeaseRevokeResponse>(), events);
            },
            [&](const LeaseGrantRequest& r) {
              return lease_grant(r, result.response.emplace<LeaseGrantResponse>());
            },
            [&](const LeaseCheckpointRequest& r) {
              return lease_checkpoint(r, result.response.emplace<LeaseCheckpointResponse>());
            },
            // Answered from lease state, never logged.
            [&](const LeaseKeepAliveRequest&) { return error_not_replicated(); },
            [&](const LeaseTimeToLiveRequest&) { return error_not_replicated(); },
            [&](const LeaseLeasesRequest&) { return error_not_replicated(); },
        },
        command);
  }
  result.revision = current_revision_;
  return result;
}

}  // namespace synod::kv

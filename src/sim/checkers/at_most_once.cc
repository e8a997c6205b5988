#include "sim/checkers/at_most_once.h"

#include <optional>
#include <variant>

#include "kv/command.h"
#include "replica/replica_messages.h"

namespace synod::sim {
namespace {

// The value a workload command writes: a Put's, or the Put of a cas (a Txn).
std::optional<std::string> written_value(const std::string& command_bytes) {
  kv::Command command;
  if (!kv::decode_command(command_bytes, command).ok()) return std::nullopt;
  if (const auto* put = std::get_if<kv::PutRequest>(&command)) return put->value;
  if (const auto* txn = std::get_if<kv::TxnRequest>(&command)) {
    for (const kv::RequestOp& op : txn->success)
      if (const auto* put = std::get_if<kv::PutRequest>(&op.request)) return put->value;
  }
  return std::nullopt;
}

}  // namespace

void AtMostOnceChecker::on_applied(consensus::NodeId node, const consensus::Entry& entry, Tick now) {
  if (entry.kind != consensus::EntryKind::kCommand) return;
  replica::ProposalEnvelope envelope;
  if (!replica::decode_envelope(entry.data, envelope)) return;  // state-machine-safety's business
  const std::string who = "n" + std::to_string(node) + " applied ";
  const auto [at, first] =
      applied_at_.emplace(std::make_pair(envelope.origin, envelope.request_id), entry.index);
  if (!first && at->second != entry.index) {
    violations_.report(kName,
                       who + "request " + std::to_string(envelope.request_id) + " of n" +
                           std::to_string(envelope.origin) + " at index " + std::to_string(entry.index) +
                           ", already applied at index " + std::to_string(at->second),
                       now);
    return;
  }
  const std::optional<std::string> value = written_value(envelope.command);
  if (!value) return;
  const auto [written, first_write] = value_written_at_.emplace(*value, entry.index);
  if (!first_write && written->second != entry.index)
    violations_.report(kName,
                       who + "a write of value \"" + *value + "\" at index " +
                           std::to_string(entry.index) + ", already written at index " +
                           std::to_string(written->second),
                       now);
}

}  // namespace synod::sim

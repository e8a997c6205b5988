// Alarms in the replica, as etcd keeps them: a write that would pass --quota-backend-bytes is
// refused with "database space exceeded" and raises a NOSPACE alarm for this member through the
// log; while any NOSPACE alarm is active, every member refuses writes that grow the store (Put,
// a Txn with writes) at submission and again at apply (etcd's capped applier), so all members
// decide alike whatever was in flight. Reads, deletes and compactions go on. `alarm disarm`
// deactivates it through the log. See docs/maintenance.md.
#include <variant>

#include "replica/replica.h"
#include "replica/request_errors.h"

namespace synod::replica {
namespace {

bool txn_has_puts(const kv::TxnRequest& txn) {
  for (const auto* ops : {&txn.success, &txn.failure}) {
    for (const kv::RequestOp& op : *ops) {
      if (std::holds_alternative<kv::PutRequest>(op.request)) return true;
      if (const auto* nested = std::get_if<kv::TxnRequest>(&op.request)) {
        if (txn_has_puts(*nested)) return true;
      }
    }
  }
  return false;
}

// etcd's applierV3Capped refuses Put and a Txn holding puts.
bool capped(const kv::Command& command) {
  if (std::holds_alternative<kv::PutRequest>(command)) return true;
  const auto* txn = std::get_if<kv::TxnRequest>(&command);
  return txn != nullptr && txn_has_puts(*txn);
}

bool no_space_active(const std::set<Alarm>& alarms) {
  for (const Alarm& alarm : alarms)
    if (alarm.type == AlarmType::kNoSpace) return true;
  return false;
}

}  // namespace

bool Replica::refuses_growth() {
  if (no_space_active(alarms_)) return true;
  if (status().estimated_bytes <= options_.quota_backend_bytes) return false;
  if (!no_space_alarm_proposed_) {
    no_space_alarm_proposed_ = true;
    submit_encoded_write(encode_alarm_command({true, {id(), AlarmType::kNoSpace}}),
                         [this](const kv::ApplyResult&) { no_space_alarm_proposed_ = false; });
  }
  return true;
}

void Replica::submit_alarm(const AlarmChange& change, RequestDone done) {
  if (engine_ == nullptr || failed()) {
    kv::ApplyResult result;
    result.status = failed() ? *failure_ : error_stopped();
    done(result);
    return;
  }
  submit_encoded_write(encode_alarm_command(change), std::move(done));
  pump_if_eager();
}

kv::ApplyResult Replica::apply_command(const std::string& command) {
  if (is_alarm_command(command)) {
    kv::ApplyResult result;
    result.revision = store_.current_revision();
    AlarmChange change;
    last_alarm_change_.reset();
    if (!decode_alarm_command(command, change)) {
      result.status = {StatusCode::kInvalidArgument, "synod: malformed alarm command"};
      return result;
    }
    const bool changed = change.activate ? alarms_.insert(change.alarm).second
                                         : alarms_.erase(change.alarm) > 0;
    if (changed) last_alarm_change_ = change.alarm;
    return result;
  }
  if (no_space_active(alarms_)) {
    kv::Command decoded;
    if (kv::decode_command(command, decoded).ok() && capped(decoded)) {
      kv::ApplyResult result;
      result.status = error_no_space();
      result.revision = store_.current_revision();
      return result;
    }
  }
  return store_.apply(command);
}

std::string Replica::state_snapshot() const {
  return encode_state_snapshot(store_.snapshot(), alarms_);
}

Status Replica::restore_state(std::string_view data) {
  std::string_view store_snapshot;
  std::set<Alarm> alarms;
  Status decoded = decode_state_snapshot(data, store_snapshot, alarms);
  if (!decoded.ok()) return decoded;
  Status restored = store_.restore(store_snapshot);
  if (!restored.ok()) return restored;
  alarms_ = std::move(alarms);
  return Status::Ok();
}

}  // namespace synod::replica

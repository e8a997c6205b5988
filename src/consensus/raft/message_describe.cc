#include <string>

#include "consensus/raft/message.h"

namespace synod::consensus::raft {
namespace {

std::string pair(uint64_t index, uint64_t term) {
  return "(" + std::to_string(index) + "," + std::to_string(term) + ")";
}

std::string entry_range(const std::vector<Entry>& entries) {
  if (entries.empty()) return "[]";
  return "[" + std::to_string(entries.front().index) + ".." + std::to_string(entries.back().index) +
         "]";
}

std::string nodes(const std::vector<NodeId>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "}";
}

}  // namespace

const char* message_type_name(MessageType type) {
  switch (type) {
    case MessageType::kVoteRequest: return "vote";
    case MessageType::kVoteResponse: return "vote-response";
    case MessageType::kAppend: return "append";
    case MessageType::kAppendResponse: return "append-response";
    case MessageType::kHeartbeat: return "heartbeat";
    case MessageType::kHeartbeatResponse: return "heartbeat-response";
    case MessageType::kInstallSnapshot: return "install-snapshot";
    case MessageType::kTimeoutNow: return "timeout-now";
  }
  return "unknown";
}

std::string describe_message(const RaftMessage& m) {
  std::string prefix = (m.pre_vote ? std::string("pre") : std::string()) +
                       message_type_name(m.type) + " term=" + std::to_string(m.term);
  switch (m.type) {
    case MessageType::kVoteRequest:
      return prefix + " last=" + pair(m.index, m.log_term) + (m.transfer ? " transfer" : "");
    case MessageType::kVoteResponse:
      return prefix + (m.reject ? " rejected" : " granted");
    case MessageType::kAppend:
      return prefix + " prev=" + pair(m.index, m.log_term) + " entries=" + entry_range(m.entries) +
             " commit=" + std::to_string(m.commit);
    case MessageType::kAppendResponse:
      if (!m.reject) return prefix + " match=" + std::to_string(m.index);
      return prefix + " reject=" + std::to_string(m.index) + " hint=" + pair(m.hint_index, m.hint_term);
    case MessageType::kHeartbeat:
      return prefix + " commit=" + std::to_string(m.commit) + " read=" + std::to_string(m.context);
    case MessageType::kHeartbeatResponse:
      return prefix + " read=" + std::to_string(m.context);
    case MessageType::kInstallSnapshot:
      return prefix + " snapshot=" + pair(m.snapshot->meta.index, m.snapshot->meta.term) +
             " voters=" + nodes(m.snapshot->meta.membership.voters) +
             " learners=" + nodes(m.snapshot->meta.membership.learners) +
             " bytes=" + std::to_string(m.snapshot->data.size());
    case MessageType::kTimeoutNow:
      return prefix;
  }
  return prefix;
}

}  // namespace synod::consensus::raft

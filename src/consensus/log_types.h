#pragma once
// The value types of a replicated log, shared by every engine and by the layers that store or carry
// them (storage/, transport/) without depending on any engine: a header-only target,
// synod_log_types. The vocabulary (term, index, vote) is explained in consensus/engine.h.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace synod::consensus {

using NodeId = uint64_t;
inline constexpr NodeId kNoNode = 0;  // node ids are positive

enum class EntryKind : uint8_t {
  kCommand = 0,     // opaque bytes for the state machine
  kNoop = 1,        // appended by a new leader to commit its term; nothing to apply
  kMembership = 2,  // engine-encoded membership change; the engine applies it itself
};

struct Entry {
  uint64_t index = 0;
  uint64_t term = 0;
  EntryKind kind = EntryKind::kCommand;
  std::string data;

  bool operator==(const Entry&) const = default;
};

// Invariant: voters and learners are sorted, unique and disjoint.
struct Membership {
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;

  bool is_voter(NodeId node) const { return std::binary_search(voters.begin(), voters.end(), node); }
  bool is_learner(NodeId node) const {
    return std::binary_search(learners.begin(), learners.end(), node);
  }
  bool contains(NodeId node) const { return is_voter(node) || is_learner(node); }
  bool operator==(const Membership&) const = default;
};

struct HardState {
  uint64_t term = 0;
  NodeId vote = kNoNode;
  uint64_t commit = 0;
  std::string engine_data;  // protocol-specific durable fields (empty for Raft)

  bool operator==(const HardState&) const = default;
};

struct SnapshotMeta {
  uint64_t index = 0;  // last log index the snapshot covers
  uint64_t term = 0;   // term of that entry
  Membership membership;

  bool operator==(const SnapshotMeta&) const = default;
};

struct Snapshot {
  SnapshotMeta meta;
  std::string data;  // the state machine's own bytes

  bool operator==(const Snapshot&) const = default;
};

struct Message {
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  std::string payload;  // engine-encoded; untrusted when received
};

// What a node has on disk when it starts. Entries follow the snapshot without a gap.
struct DurableState {
  HardState hard_state;
  std::optional<Snapshot> snapshot;
  std::vector<Entry> entries;

  bool empty() const { return hard_state == HardState{} && !snapshot && entries.empty(); }
};

}  // namespace synod::consensus

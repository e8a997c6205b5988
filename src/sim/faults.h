#pragma once
// The fault kinds the nemesis may inject, as a bit set parsed from `--faults`.
#include <cstdint>
#include <string>
#include <string_view>

namespace synod::sim {

enum FaultKind : uint32_t {
  kFaultCrash = 1u << 0,       // crash and later restart 1..minority nodes, the leader included
  kFaultPartition = 1u << 1,   // symmetric splits, isolation of one node, one-way links
  kFaultLoss = 1u << 2,        // drop 5-20% of messages for a while
  kFaultDuplicate = 1u << 3,   // duplicate 5-20% of messages for a while
  kFaultReorder = 1u << 4,     // widen the delay jitter so that messages overtake each other
  kFaultDisk = 1u << 5,        // slow syncs on a node for a while (a wide crash window)
  kFaultTorn = 1u << 6,        // a crash keeps a random prefix of the unsynced records
  kFaultMembership = 1u << 7,  // remove a voter, add a fresh learner, promote it
  kFaultTransfer = 1u << 8,    // leadership transfer to a random voter
  kFaultAll = (1u << 9) - 1,
};

// Accepts "all", "none" or a comma list of crash,partition,loss,dup,reorder,disk,torn,
// membership,transfer. On failure returns false and names the bad word in `error`.
bool parse_faults(std::string_view text, uint32_t& faults, std::string& error);
std::string faults_name(uint32_t faults);

// Accepts commit-old-term, vote-ignores-log, ack-before-persist, stale-read, none (comma list).
bool parse_mutants(std::string_view text, uint32_t& mutants, std::string& error);
std::string mutants_name(uint32_t mutants);

}  // namespace synod::sim

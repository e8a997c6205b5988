#include "sim/faults.h"

#include "consensus/engine.h"

namespace synod::sim {
namespace {
struct Named {
  const char* name;
  uint32_t bit;
};
const Named kFaultNames[] = {
    {"crash", kFaultCrash},   {"partition", kFaultPartition},   {"loss", kFaultLoss},
    {"dup", kFaultDuplicate}, {"reorder", kFaultReorder},       {"disk", kFaultDisk},
    {"torn", kFaultTorn},     {"membership", kFaultMembership}, {"transfer", kFaultTransfer},
};
const Named kMutantNames[] = {
    {"commit-old-term", consensus::kMutantCommitOldTerm},
    {"vote-ignores-log", consensus::kMutantVoteIgnoresLog},
    {"ack-before-persist", consensus::kMutantAckBeforePersist},
    {"stale-read", consensus::kMutantStaleRead},
    {"count-unsynced-self", consensus::kMutantCountUnsyncedSelf},
};

template <size_t N>
bool parse_list(std::string_view text, const Named (&names)[N], uint32_t all, uint32_t& bits,
                std::string& error) {
  bits = 0;
  if (text == "none" || text.empty()) return true;
  if (text == "all") {
    bits = all;
    return true;
  }
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view word = text.substr(0, comma);
    bool found = false;
    for (const Named& named : names)
      if (word == named.name) {
        bits |= named.bit;
        found = true;
      }
    if (!found) {
      error = "unknown name '" + std::string(word) + "'";
      return false;
    }
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return true;
}

template <size_t N>
std::string list_name(uint32_t bits, const Named (&names)[N]) {
  std::string out;
  for (const Named& named : names)
    if (bits & named.bit) out += (out.empty() ? "" : ",") + std::string(named.name);
  return out.empty() ? "none" : out;
}
}  // namespace

bool parse_faults(std::string_view text, uint32_t& faults, std::string& error) {
  return parse_list(text, kFaultNames, kFaultAll, faults, error);
}
std::string faults_name(uint32_t faults) {
  return faults == kFaultAll ? "all" : list_name(faults, kFaultNames);
}

bool parse_mutants(std::string_view text, uint32_t& mutants, std::string& error) {
  return parse_list(text, kMutantNames, 0, mutants, error);
}
std::string mutants_name(uint32_t mutants) { return list_name(mutants, kMutantNames); }

}  // namespace synod::sim

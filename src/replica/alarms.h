#pragma once
// etcd's alarms (NOSPACE, CORRUPT), replicated through the log so that every member knows them,
// and kept in the replica's snapshots.
//
// Alarm command: the `command` of a ProposalEnvelope, told apart from kv commands (which start
// with their format version, 1) by its first byte:
//   u8 kAlarmCommandMarker (0xA1) | u8 action (1 activate, 2 deactivate) | varint member id |
//   u8 alarm type (etcd's AlarmType number: 1 NOSPACE, 2 CORRUPT)
// Replica snapshot data: the store's snapshot as it is (it starts with "SKV1") while no alarm is
// active, so snapshots without alarms keep the format they always had; otherwise
//   u32 magic "SAL1" | varint count | per alarm (sorted): varint member | u8 type |
//   the store's snapshot (the rest)
#include <compare>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "consensus/log_types.h"
#include "core/status.h"

namespace synod::replica {

enum class AlarmType : uint8_t { kNone = 0, kNoSpace = 1, kCorrupt = 2 };  // etcd's numbers

struct Alarm {
  consensus::NodeId member = consensus::kNoNode;
  AlarmType type = AlarmType::kNone;
  auto operator<=>(const Alarm&) const = default;
};

struct AlarmChange {
  bool activate = true;  // false: deactivate
  Alarm alarm;
};

inline constexpr uint8_t kAlarmCommandMarker = 0xA1;

std::string encode_alarm_command(const AlarmChange& change);
bool is_alarm_command(std::string_view command);
// False on anything malformed (unknown action or type, short or trailing bytes).
bool decode_alarm_command(std::string_view command, AlarmChange& change);

// etcd's text for an alarm (the %v of its AlarmMember), as Status lists it among its errors:
// "memberID:10276657743932975437 alarm:NOSPACE ".
std::string describe_alarm(const Alarm& alarm);

std::string encode_state_snapshot(std::string store_snapshot, const std::set<Alarm>& alarms);
// `store_snapshot` points into `data`. kCorruption on a malformed alarm header.
Status decode_state_snapshot(std::string_view data, std::string_view& store_snapshot,
                             std::set<Alarm>& alarms);

}  // namespace synod::replica

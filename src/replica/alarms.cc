#include "replica/alarms.h"

#include "core/codec.h"

namespace synod::replica {
namespace {

constexpr uint8_t kActivate = 1;
constexpr uint8_t kDeactivate = 2;
constexpr uint32_t kAlarmSnapshotMagic = 0x314c4153;  // "SAL1"

bool known_type(uint8_t type) {
  return type == static_cast<uint8_t>(AlarmType::kNoSpace) ||
         type == static_cast<uint8_t>(AlarmType::kCorrupt);
}

}  // namespace

std::string encode_alarm_command(const AlarmChange& change) {
  ByteWriter writer;
  writer.u8(kAlarmCommandMarker);
  writer.u8(change.activate ? kActivate : kDeactivate);
  writer.varint(change.alarm.member);
  writer.u8(static_cast<uint8_t>(change.alarm.type));
  return writer.data();
}

bool is_alarm_command(std::string_view command) {
  return !command.empty() && static_cast<uint8_t>(command[0]) == kAlarmCommandMarker;
}

bool decode_alarm_command(std::string_view command, AlarmChange& change) {
  ByteReader reader(command);
  uint8_t marker = 0, action = 0, type = 0;
  uint64_t member = 0;
  if (!reader.u8(marker) || marker != kAlarmCommandMarker || !reader.u8(action) ||
      (action != kActivate && action != kDeactivate) || !reader.varint(member) ||
      !reader.u8(type) || !known_type(type) || !reader.at_end())
    return false;
  change.activate = action == kActivate;
  change.alarm = {member, static_cast<AlarmType>(type)};
  return true;
}

std::string describe_alarm(const Alarm& alarm) {
  std::string text;
  if (alarm.member != consensus::kNoNode) text += "memberID:" + std::to_string(alarm.member) + " ";
  switch (alarm.type) {
    case AlarmType::kNoSpace: text += "alarm:NOSPACE "; break;
    case AlarmType::kCorrupt: text += "alarm:CORRUPT "; break;
    case AlarmType::kNone: break;
  }
  return text;
}

std::string encode_state_snapshot(std::string store_snapshot, const std::set<Alarm>& alarms) {
  if (alarms.empty()) return store_snapshot;
  ByteWriter writer;
  writer.u32(kAlarmSnapshotMagic);
  writer.varint(alarms.size());
  for (const Alarm& alarm : alarms) {
    writer.varint(alarm.member);
    writer.u8(static_cast<uint8_t>(alarm.type));
  }
  return writer.data() + store_snapshot;
}

Status decode_state_snapshot(std::string_view data, std::string_view& store_snapshot,
                             std::set<Alarm>& alarms) {
  alarms.clear();
  ByteReader reader(data);
  uint32_t magic = 0;
  if (!reader.u32(magic) || magic != kAlarmSnapshotMagic) {
    store_snapshot = data;  // a plain store snapshot: no alarm
    return Status::Ok();
  }
  uint64_t count = 0;
  if (!reader.varint(count) || count > reader.remaining())
    return {StatusCode::kCorruption, "snapshot alarm list malformed"};
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t member = 0;
    uint8_t type = 0;
    if (!reader.varint(member) || !reader.u8(type) || !known_type(type))
      return {StatusCode::kCorruption, "snapshot alarm list malformed"};
    alarms.insert({member, static_cast<AlarmType>(type)});
  }
  store_snapshot = data.substr(data.size() - reader.remaining());
  return Status::Ok();
}

}  // namespace synod::replica

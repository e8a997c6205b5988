// The alarm command and the replica snapshot's alarm header (replica/alarms.h).
#include "replica/alarms.h"

#include <gtest/gtest.h>

#include "kv/command.h"
#include "kv/mvcc_store.h"

namespace synod::replica {
namespace {

TEST(AlarmCommand, RoundTripsAndIsToldApartFromKvCommands) {
  const AlarmChange change{false, {0x8e9e05c52164694dull, AlarmType::kNoSpace}};
  const std::string bytes = encode_alarm_command(change);
  EXPECT_TRUE(is_alarm_command(bytes));
  AlarmChange decoded;
  ASSERT_TRUE(decode_alarm_command(bytes, decoded));
  EXPECT_FALSE(decoded.activate);
  EXPECT_EQ(decoded.alarm, change.alarm);
  EXPECT_FALSE(is_alarm_command(kv::encode_command(kv::PutRequest{.key = "k", .value = "v"})));
  EXPECT_FALSE(is_alarm_command(""));
}

TEST(AlarmCommand, MalformedOnesAreRefused) {
  const std::string bytes = encode_alarm_command({true, {5, AlarmType::kCorrupt}});
  AlarmChange decoded;
  for (size_t length = 0; length < bytes.size(); ++length)
    EXPECT_FALSE(decode_alarm_command(bytes.substr(0, length), decoded)) << length;
  EXPECT_FALSE(decode_alarm_command(bytes + "x", decoded));
  std::string bad_action = bytes;
  bad_action[1] = 3;
  EXPECT_FALSE(decode_alarm_command(bad_action, decoded));
  std::string bad_type = bytes;
  bad_type.back() = 0;  // NONE is no alarm one can raise
  EXPECT_FALSE(decode_alarm_command(bad_type, decoded));
}

TEST(StateSnapshot, WithoutAlarmsItIsTheStoresOwnSnapshot) {
  kv::MvccStore store;
  kv::PutResponse put;
  ASSERT_TRUE(store.put({.key = "a", .value = "1"}, put).ok());
  const std::string plain = store.snapshot();
  EXPECT_EQ(encode_state_snapshot(plain, {}), plain);
  std::string_view store_bytes;
  std::set<Alarm> alarms = {{1, AlarmType::kNoSpace}};
  ASSERT_TRUE(decode_state_snapshot(plain, store_bytes, alarms).ok());
  EXPECT_EQ(store_bytes, plain);
  EXPECT_TRUE(alarms.empty());
}

TEST(StateSnapshot, AlarmsTravelWithTheStore) {
  kv::MvccStore store;
  const std::string plain = store.snapshot();
  const std::set<Alarm> alarms = {{1, AlarmType::kNoSpace}, {9, AlarmType::kCorrupt}};
  const std::string data = encode_state_snapshot(plain, alarms);
  std::string_view store_bytes;
  std::set<Alarm> decoded;
  ASSERT_TRUE(decode_state_snapshot(data, store_bytes, decoded).ok());
  EXPECT_EQ(decoded, alarms);
  EXPECT_EQ(store_bytes, plain);
  // A cut alarm header is corruption, not a plain snapshot.
  EXPECT_FALSE(decode_state_snapshot(data.substr(0, 6), store_bytes, decoded).ok());
}

TEST(AlarmText, AsEtcdPrintsAnAlarmMember) {
  EXPECT_EQ(describe_alarm({10276657743932975437ull, AlarmType::kNoSpace}),
            "memberID:10276657743932975437 alarm:NOSPACE ");
  EXPECT_EQ(describe_alarm({3, AlarmType::kCorrupt}), "memberID:3 alarm:CORRUPT ");
}

}  // namespace
}  // namespace synod::replica

#include "sim/register_store.h"

#include <gtest/gtest.h>

namespace synod::sim {
namespace {

RegisterCommand write(uint64_t id, std::string key, std::string value) {
  return RegisterCommand{id, RegisterOp::kWrite, std::move(key), std::move(value), std::nullopt};
}

RegisterCommand cas(uint64_t id, std::string key, std::string expected, std::string value) {
  return RegisterCommand{id, RegisterOp::kCas, std::move(key), std::move(value), std::move(expected)};
}

TEST(RegisterStore, CommandsRoundTripAndMalformedBytesAreRefused) {
  const RegisterCommand original = cas(7, "k1", "a", "b");
  RegisterCommand decoded;
  ASSERT_TRUE(decode_command(encode_command(original), decoded));
  EXPECT_EQ(decoded, original);
  std::string bytes = encode_command(original);
  EXPECT_FALSE(decode_command(bytes.substr(0, bytes.size() - 1), decoded));
  EXPECT_FALSE(decode_command(bytes + "x", decoded));
  RegisterCommand no_expected = original;
  no_expected.expected.reset();
  EXPECT_FALSE(decode_command(encode_command(no_expected), decoded));
}

TEST(RegisterStore, AppliesReadWriteAndCas) {
  RegisterStore store;
  EXPECT_FALSE(store.apply(1, RegisterCommand{1, RegisterOp::kRead, "x", {}, {}}).value);
  EXPECT_TRUE(store.apply(2, write(2, "x", "1")).ok);
  EXPECT_FALSE(store.apply(3, cas(3, "x", "0", "2")).ok);  // compare fails
  EXPECT_EQ(store.get("x"), "1");
  EXPECT_TRUE(store.apply(4, cas(4, "x", "1", "2")).ok);
  EXPECT_EQ(store.get("x"), "2");
  EXPECT_FALSE(store.apply(5, cas(5, "absent", "1", "2")).ok);
  store.skip(6);
  EXPECT_EQ(store.applied_index(), 6u);
}

TEST(RegisterStore, SnapshotRestoresAndGarbageIsRefused) {
  RegisterStore store;
  store.apply(1, write(1, "b", "2"));
  store.apply(2, write(2, "a", "1"));
  const std::string bytes = store.snapshot();
  RegisterStore copy;
  ASSERT_TRUE(copy.restore(bytes).ok());
  EXPECT_EQ(copy.registers(), store.registers());
  EXPECT_EQ(copy.applied_index(), 2u);
  EXPECT_EQ(copy.snapshot(), bytes);

  EXPECT_FALSE(copy.restore(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(copy.restore(bytes + "!").ok());
  EXPECT_FALSE(copy.restore("").ok());
  EXPECT_EQ(copy.registers(), store.registers());  // unchanged by the refusals
}

}  // namespace
}  // namespace synod::sim

#include "core/codec.h"

#include <gtest/gtest.h>

namespace synod {
namespace {

TEST(CodecTest, RoundTripsEveryType) {
  ByteWriter writer;
  writer.u8(0xab);
  writer.u32(0xdeadbeef);
  writer.u64(0x0123456789abcdefULL);
  writer.varint(0);
  writer.varint(300);
  writer.varint(UINT64_MAX);
  writer.bytes(std::string("a\0b", 3));

  ByteReader reader(writer.data());
  uint8_t byte;
  uint32_t word;
  uint64_t wide, small, medium, large;
  std::string text;
  ASSERT_TRUE(reader.u8(byte) && reader.u32(word) && reader.u64(wide));
  ASSERT_TRUE(reader.varint(small) && reader.varint(medium) && reader.varint(large));
  ASSERT_TRUE(reader.bytes(text));
  EXPECT_TRUE(reader.at_end());
  EXPECT_EQ(byte, 0xab);
  EXPECT_EQ(word, 0xdeadbeefu);
  EXPECT_EQ(wide, 0x0123456789abcdefULL);
  EXPECT_EQ(small, 0u);
  EXPECT_EQ(medium, 300u);
  EXPECT_EQ(large, UINT64_MAX);
  EXPECT_EQ(text, std::string("a\0b", 3));
}

TEST(CodecTest, ShortInputFailsAndStaysFailed) {
  ByteWriter writer;
  writer.u64(7);
  std::string truncated = writer.data().substr(0, 5);
  ByteReader reader(truncated);
  uint64_t value;
  EXPECT_FALSE(reader.u64(value));
  EXPECT_FALSE(reader.ok());
  uint8_t byte;
  EXPECT_FALSE(reader.u8(byte)) << "a failed reader must not resume mid-buffer";
}

TEST(CodecTest, LengthPrefixBeyondInputIsRejected) {
  ByteWriter writer;
  writer.varint(1000);  // claims 1000 bytes follow
  writer.u8(1);
  ByteReader reader(writer.data());
  std::string value;
  EXPECT_FALSE(reader.bytes(value));
}

TEST(CodecTest, LengthPrefixBeyondLimitIsRejected) {
  ByteWriter writer;
  writer.bytes("hello");
  ByteReader reader(writer.data());
  std::string value;
  EXPECT_FALSE(reader.bytes(value, 4));
}

TEST(CodecTest, OverlongVarintIsRejected) {
  std::string eleven_continuations(11, static_cast<char>(0x80));
  ByteReader reader(eleven_continuations);
  uint64_t value;
  EXPECT_FALSE(reader.varint(value));
  std::string overflow(9, static_cast<char>(0xff));
  overflow.push_back(0x02);  // the 10th byte may carry only one bit
  ByteReader overflow_reader(overflow);
  EXPECT_FALSE(overflow_reader.varint(value));
}

TEST(CodecTest, VarintListRoundTripsAndRejectsAnImpossibleCount) {
  const std::vector<uint64_t> ids{1, 300, UINT64_MAX};
  ByteWriter writer;
  writer.varint_list(ids);
  writer.varint_list({});
  ByteReader reader(writer.data());
  std::vector<uint64_t> decoded, empty{7};
  ASSERT_TRUE(reader.varint_list(decoded) && reader.varint_list(empty));
  EXPECT_TRUE(reader.at_end());
  EXPECT_EQ(decoded, ids);
  EXPECT_TRUE(empty.empty());

  ByteWriter liar;
  liar.varint(1'000'000'000);  // claims far more values than bytes follow
  liar.varint(1);
  ByteReader liar_reader(liar.data());
  EXPECT_FALSE(liar_reader.varint_list(decoded));
  EXPECT_FALSE(liar_reader.ok());
}

}  // namespace
}  // namespace synod

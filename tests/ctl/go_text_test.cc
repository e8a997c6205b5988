// Go's text conventions as synodctl reproduces them; expected values are what Go 1.19 returns.
#include "ctl/go_text.h"

#include <gtest/gtest.h>

namespace synod::ctl::go {
namespace {

TEST(GoQuote, EscapesAsStrconvQuote) {
  EXPECT_EQ(quote("foo"), "\"foo\"");
  EXPECT_EQ(quote(""), "\"\"");
  EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quote("\a\b\f\n\r\t\v"), "\"\\a\\b\\f\\n\\r\\t\\v\"");
  EXPECT_EQ(quote(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(quote("\xff"), "\"\\xff\"");         // not UTF-8: one byte
  EXPECT_EQ(quote("\xc3\xa9"), "\"\xc3\xa9\"");  // é is printable
  EXPECT_EQ(quote("\xc2\xa0"), "\"\\u00a0\"");   // no-break space is not
  EXPECT_EQ(quote("\xe2\x80\xa8"), "\"\\u2028\"");
  EXPECT_EQ(quote("\xef\xbb\xbf"), "\"\\ufeff\"");
  EXPECT_EQ(quote("\xf4\x8f\xbf\xbf"), "\"\\U0010ffff\"");
  EXPECT_EQ(quote(std::string("k\x01\xc3\xa9\xff\t<&>", 9)), "\"k\\x01\xc3\xa9\\xff\\t<&>\"");
}

TEST(GoUnquote, ReadsDoubleQuotedLiterals) {
  EXPECT_EQ(unquote("\"plain\""), "plain");
  EXPECT_EQ(unquote("\"\""), "");
  EXPECT_EQ(unquote("\"a\\x41\\u00e9\\U0001F600\\101\\n\\\"\""),
            "aA\xc3\xa9\xf0\x9f\x98\x80"
            "A\n\"");
  EXPECT_EQ(unquote("\"\\xff\""), "\xff");         // \x is a raw byte
  EXPECT_EQ(unquote("\"\xff\""), "\xef\xbf\xbd");  // a raw bad byte becomes U+FFFD
  EXPECT_EQ(unquote("\"bad\\q\""), std::nullopt);
  EXPECT_EQ(unquote("\"\\'\""), std::nullopt);  // \' is for rune literals only
  EXPECT_EQ(unquote("\"\\400\""), std::nullopt);
  EXPECT_EQ(unquote("\"\\ud800\""), std::nullopt);
  EXPECT_EQ(unquote("\"a\"b\""), std::nullopt);
  EXPECT_EQ(unquote("\"new\nline\""), std::nullopt);
  EXPECT_EQ(unquote("\"open"), std::nullopt);
}

TEST(GoParseInt, AcceptsWhatStrconvAccepts) {
  EXPECT_EQ(parse_int64("42", 10).value(), 42);
  EXPECT_EQ(parse_int64("+5", 10).value(), 5);
  EXPECT_EQ(parse_int64("-9223372036854775808", 10).value(), INT64_MIN);
  EXPECT_EQ(parse_int64("9223372036854775807", 10).value(), INT64_MAX);
  EXPECT_EQ(parse_int64("ff", 16).value(), 255);
  EXPECT_EQ(parse_int64("-1", 16).value(), -1);
  EXPECT_EQ(parse_int64("0x1f", 0).value(), 31);
  EXPECT_EQ(parse_int64("0o17", 0).value(), 15);
  EXPECT_EQ(parse_int64("017", 0).value(), 15);
  EXPECT_EQ(parse_int64("0b101", 0).value(), 5);
  EXPECT_EQ(parse_int64("1_000", 0).value(), 1000);
  EXPECT_EQ(parse_int64("0x_1f", 0).value(), 31);
  EXPECT_EQ(parse_int64("0", 0).value(), 0);
}

TEST(GoParseInt, FailsWithStrconvsMessages) {
  EXPECT_EQ(parse_int64("abc", 10).error().message,
            "strconv.ParseInt: parsing \"abc\": invalid syntax");
  EXPECT_EQ(parse_int64("", 10).error().message, "strconv.ParseInt: parsing \"\": invalid syntax");
  EXPECT_EQ(parse_int64("9223372036854775808", 10).error().message,
            "strconv.ParseInt: parsing \"9223372036854775808\": value out of range");
  EXPECT_EQ(parse_int64("-9223372036854775809", 10).error().message,
            "strconv.ParseInt: parsing \"-9223372036854775809\": value out of range");
  EXPECT_EQ(parse_int64("99999999999999999999", 0).error().message,
            "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
  EXPECT_FALSE(parse_int64("1_000", 10).ok());  // '_' only with base 0
  EXPECT_FALSE(parse_int64("_1", 0).ok());
  EXPECT_FALSE(parse_int64("1_", 0).ok());
  EXPECT_FALSE(parse_int64("1__0", 0).ok());
  EXPECT_FALSE(parse_int64("08", 0).ok());
  EXPECT_FALSE(parse_int64("0x10", 16).ok());
  EXPECT_FALSE(parse_int64("1e3", 0).ok());
  EXPECT_FALSE(parse_int64("-", 10).ok());
}

TEST(GoParseBool, AcceptsStrconvsSpellings) {
  for (const char* yes : {"1", "t", "T", "true", "TRUE", "True"})
    EXPECT_TRUE(parse_bool(yes).value());
  for (const char* no : {"0", "f", "F", "false", "FALSE", "False"})
    EXPECT_FALSE(parse_bool(no).value());
  EXPECT_EQ(parse_bool("yes").error().message,
            "strconv.ParseBool: parsing \"yes\": invalid syntax");
}

TEST(GoParseDuration, ReadsGoDurations) {
  EXPECT_EQ(parse_duration_nanos("2s").value(), 2'000'000'000);
  EXPECT_EQ(parse_duration_nanos("1.5s").value(), 1'500'000'000);
  EXPECT_EQ(parse_duration_nanos("1m30s").value(), 90'000'000'000);
  EXPECT_EQ(parse_duration_nanos("1h").value(), 3'600'000'000'000);
  EXPECT_EQ(parse_duration_nanos("500ms").value(), 500'000'000);
  EXPECT_EQ(parse_duration_nanos("3us").value(), 3'000);
  EXPECT_EQ(parse_duration_nanos("3\xc2\xb5s").value(), 3'000);
  EXPECT_EQ(parse_duration_nanos("7ns").value(), 7);
  EXPECT_EQ(parse_duration_nanos(".5s").value(), 500'000'000);
  EXPECT_EQ(parse_duration_nanos("-1s").value(), -1'000'000'000);
  EXPECT_EQ(parse_duration_nanos("+0").value(), 0);
  EXPECT_EQ(parse_duration_nanos("0").value(), 0);
}

TEST(GoParseDuration, FailsWithTimesMessages) {
  EXPECT_EQ(parse_duration_nanos("").error().message, "time: invalid duration \"\"");
  EXPECT_EQ(parse_duration_nanos("2").error().message, "time: missing unit in duration \"2\"");
  EXPECT_EQ(parse_duration_nanos("abc").error().message, "time: invalid duration \"abc\"");
  EXPECT_EQ(parse_duration_nanos("1x").error().message,
            "time: unknown unit \"x\" in duration \"1x\"");
  EXPECT_EQ(parse_duration_nanos(".s").error().message, "time: invalid duration \".s\"");
  EXPECT_EQ(parse_duration_nanos("3000000h").error().message,
            "time: invalid duration \"3000000h\"");
  EXPECT_EQ(parse_duration_nanos("1\xff").error().message,
            "time: unknown unit \"\\xff\" in duration \"1\\xff\"");
}

TEST(GoHumanize, SiBytesAsGoHumanize) {
  EXPECT_EQ(humanize_bytes(0), "0 B");
  EXPECT_EQ(humanize_bytes(9), "9 B");
  EXPECT_EQ(humanize_bytes(10), "10 B");
  EXPECT_EQ(humanize_bytes(999), "999 B");
  EXPECT_EQ(humanize_bytes(1000), "1.0 kB");
  EXPECT_EQ(humanize_bytes(20480), "20 kB");
  EXPECT_EQ(humanize_bytes(81920), "82 kB");
  EXPECT_EQ(humanize_bytes(1500000), "1.5 MB");
  EXPECT_EQ(humanize_bytes(2147483648), "2.1 GB");
}

TEST(GoText, HexAndUtf8Helpers) {
  EXPECT_EQ(hex_escaped("foo"), "\\x66\\x6f\\x6f");
  EXPECT_EQ(hex_escaped(std::string("\0\xff", 2)), "\\x00\\xff");
  EXPECT_EQ(lower_hex(0x8e9e05c52164694dULL), "8e9e05c52164694d");
  EXPECT_EQ(lower_hex(0), "0");
  EXPECT_EQ(decode_rune("\xc3\xa9x").rune, U'\u00e9');
  EXPECT_EQ(decode_rune("\xc3\xa9x").size, 2u);
  EXPECT_EQ(decode_rune("\xc0\x80").rune, kRuneError);  // overlong
  EXPECT_EQ(decode_rune("\xed\xa0\x80").size, 1u);      // surrogate
  EXPECT_EQ(trim_space(" \t a b \r\n"), "a b");
  EXPECT_EQ(trim_space(" \n "), "");
}

}  // namespace
}  // namespace synod::ctl::go

// http://IP:port, the one URL form the flags take: canonical spellings and each rejection's text.
#include <gtest/gtest.h>

#include "synod/url.h"

namespace synod::app {
namespace {

HttpUrl parsed(std::string_view text) {
  HttpUrl url;
  Status status = parse_http_url(text, url);
  EXPECT_TRUE(status.ok()) << text << ": " << status.message();
  return url;
}

std::string error_of(std::string_view text) {
  HttpUrl url;
  Status status = parse_http_url(text, url);
  EXPECT_FALSE(status.ok()) << text;
  return status.message();
}

TEST(UrlTest, Ipv4) {
  const HttpUrl url = parsed("http://10.0.0.1:2379");
  EXPECT_EQ(url.host, "10.0.0.1");
  EXPECT_EQ(url.port, 2379);
  EXPECT_FALSE(url.is_ipv6());
  EXPECT_FALSE(url.is_unspecified());
  EXPECT_EQ(url.host_port(), "10.0.0.1:2379");
  EXPECT_EQ(url.canonical(), "http://10.0.0.1:2379");
}

TEST(UrlTest, LocalhostIsLoopbackAndSchemeIsCaseInsensitive) {
  EXPECT_EQ(parsed("http://localhost:2380").canonical(), "http://127.0.0.1:2380");
  EXPECT_EQ(parsed("HTTP://LocalHost:2380").canonical(), "http://127.0.0.1:2380");
}

TEST(UrlTest, Ipv6IsBracketedAndCanonical) {
  const HttpUrl url = parsed("http://[0:0::1]:2379");
  EXPECT_EQ(url.host, "::1");
  EXPECT_TRUE(url.is_ipv6());
  EXPECT_EQ(url.host_port(), "[::1]:2379");
  EXPECT_EQ(url.canonical(), "http://[::1]:2379");
  EXPECT_TRUE(parsed("http://[::]:1").is_unspecified());
}

TEST(UrlTest, PortZeroAndTheExtremes) {
  EXPECT_EQ(parsed("http://127.0.0.1:0").port, 0);
  EXPECT_EQ(parsed("http://127.0.0.1:65535").port, 65535);
  EXPECT_TRUE(parsed("http://0.0.0.0:2379").is_unspecified());
}

TEST(UrlTest, Rejections) {
  EXPECT_EQ(error_of("https://127.0.0.1:2379"), "TLS is not supported yet");
  EXPECT_EQ(error_of("unixs://x"), "TLS is not supported yet");
  EXPECT_EQ(error_of("unix://x"), "unix sockets are not supported");
  EXPECT_EQ(error_of("ftp://127.0.0.1:1"), "unsupported scheme \"ftp\", expected http://host:port");
  EXPECT_EQ(error_of(""), "empty URL, expected http://host:port");
  EXPECT_EQ(error_of("127.0.0.1:2379"), "no scheme, expected http://host:port");
  EXPECT_EQ(error_of("http://127.0.0.1"), "no port, expected http://host:port");
  EXPECT_EQ(error_of("http://:2379"), "no host, expected http://host:port");
  EXPECT_EQ(error_of("http://127.0.0.1:2379/"),
            "a path, query or fragment is not allowed, expected http://host:port");
  EXPECT_EQ(error_of("http://u@127.0.0.1:2379"), "user information is not allowed");
  EXPECT_EQ(error_of("http://127.0.0.1:65536"), "port \"65536\" is not a number from 0 to 65535");
  EXPECT_EQ(error_of("http://127.0.0.1:-1"), "port \"-1\" is not a number from 0 to 65535");
  EXPECT_EQ(error_of("http://127.0.0.1:"), "port \"\" is not a number from 0 to 65535");
  EXPECT_EQ(error_of("http://::1:2379"), "an IPv6 host needs brackets, e.g. http://[::1]:2379");
  EXPECT_EQ(error_of("http://[::1:2379"), "unclosed '[' in the host");
  EXPECT_EQ(error_of("http://[::1]"), "no port, expected http://host:port");
  EXPECT_EQ(error_of("http://[10.0.0.1]:1"), "\"10.0.0.1\" is not an IPv6 address");
  EXPECT_EQ(error_of("http://example.com:2379"),
            "host \"example.com\" is not a numeric IP address (names are never resolved; "
            "\"localhost\" is accepted as 127.0.0.1)");
  EXPECT_NE(error_of("http://10.0.0.256:1").find("not a numeric IP address"), std::string::npos);
  EXPECT_NE(error_of("http://10.0.1:1").find("not a numeric IP address"), std::string::npos);
}

TEST(UrlTest, ListsNameTheFlagAndThePiece) {
  std::vector<HttpUrl> urls;
  ASSERT_TRUE(parse_http_url_list("--x", "http://10.0.0.1:1,http://localhost:2", urls).ok());
  ASSERT_EQ(urls.size(), 2u);
  EXPECT_EQ(urls[1].canonical(), "http://127.0.0.1:2");

  EXPECT_EQ(parse_http_url_list("--x", "", urls).message(), "--x: needs at least one URL");
  EXPECT_EQ(parse_http_url_list("--x", "http://10.0.0.1:1,", urls).message(),
            "--x: \"\": empty URL, expected http://host:port");
  EXPECT_EQ(parse_http_url_list("--x", "http://127.0.0.1:1,http://localhost:1", urls).message(),
            "--x: http://127.0.0.1:1 is listed twice");
}

TEST(UrlTest, SplitKeepsEmptyPieces) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string_view>{""}));
}

}  // namespace
}  // namespace synod::app

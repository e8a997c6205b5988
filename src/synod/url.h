#pragma once
// The one URL form the synod binary accepts in its etcd-style flags: http://IP:port.
// The transport never resolves names (it must never block on DNS), so hosts are numeric IPv4 or
// bracketed IPv6 addresses; "localhost" is the one name accepted, as 127.0.0.1.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace synod::app {

struct HttpUrl {
  std::string host;  // canonical numeric IP (inet_ntop's form), IPv6 without brackets
  uint16_t port = 0;

  bool is_ipv6() const;
  // 0.0.0.0 or ::, which one can listen on but nobody can dial.
  bool is_unspecified() const;
  // "127.0.0.1:2379" or "[::1]:2379": a listen address as gRPC takes it.
  std::string host_port() const;
  // "http://127.0.0.1:2379": the same text for the same address, however it was typed, so that
  // every node hashes the same member ids from it.
  std::string canonical() const;

  bool operator==(const HttpUrl&) const = default;
};

// One URL. On error the message says what is wrong with `text` (without naming a flag).
Status parse_http_url(std::string_view text, HttpUrl& url);

// A comma-separated list of at least one URL, as etcd's URL flags take. Errors name `flag`:
// `--listen-client-urls: "https://127.0.0.1:2379": TLS is not supported yet`.
Status parse_http_url_list(std::string_view flag, std::string_view text, std::vector<HttpUrl>& urls);

// Splits on `separator`, keeping empty pieces (so that "a,,b" can be reported, not ignored).
std::vector<std::string_view> split(std::string_view text, char separator);

}  // namespace synod::app

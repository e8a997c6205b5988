#include "synod/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

namespace synod::app {
namespace {

constexpr std::string_view kExpectedForm = "expected http://host:port";

Status invalid(std::string message) { return Status(StatusCode::kInvalidArgument, std::move(message)); }

std::string lowercase(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

Status check_scheme(std::string_view scheme) {
  const std::string lower = lowercase(scheme);
  if (lower == "http") return Status::Ok();
  if (lower == "https" || lower == "unixs") return invalid("TLS is not supported yet");
  if (lower == "unix") return invalid("unix sockets are not supported");
  return invalid("unsupported scheme \"" + std::string(scheme) + "\", " + std::string(kExpectedForm));
}

Status parse_port(std::string_view text, uint16_t& port) {
  const bool all_digits = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isdigit(c) != 0;
  });
  uint32_t value = 0;
  if (all_digits && text.size() <= 5) {
    for (char digit : text) value = value * 10 + static_cast<uint32_t>(digit - '0');
  }
  if (!all_digits || text.size() > 5 || value > 65535) {
    return invalid("port \"" + std::string(text) + "\" is not a number from 0 to 65535");
  }
  port = static_cast<uint16_t>(value);
  return Status::Ok();
}

// Numeric only: inet_pton never consults a resolver. inet_ntop gives the canonical spelling.
Status canonical_ip(std::string_view host, bool bracketed, std::string& canonical) {
  if (!bracketed && lowercase(host) == "localhost") {
    canonical = "127.0.0.1";
    return Status::Ok();
  }
  const int family = bracketed ? AF_INET6 : AF_INET;
  unsigned char address[sizeof(in6_addr)];
  const std::string host_text(host);
  if (inet_pton(family, host_text.c_str(), address) != 1) {
    if (bracketed) return invalid("\"" + host_text + "\" is not an IPv6 address");
    return invalid("host \"" + host_text +
                   "\" is not a numeric IP address (names are never resolved; \"localhost\" is "
                   "accepted as 127.0.0.1)");
  }
  char text[INET6_ADDRSTRLEN];
  inet_ntop(family, address, text, sizeof(text));
  canonical = text;
  return Status::Ok();
}

}  // namespace

bool HttpUrl::is_ipv6() const { return host.find(':') != std::string::npos; }

bool HttpUrl::is_unspecified() const { return host == "0.0.0.0" || host == "::"; }

std::string HttpUrl::host_port() const {
  const std::string port_text = std::to_string(port);
  return is_ipv6() ? "[" + host + "]:" + port_text : host + ":" + port_text;
}

std::string HttpUrl::canonical() const { return "http://" + host_port(); }

Status parse_http_url(std::string_view text, HttpUrl& url) {
  if (text.empty()) return invalid("empty URL, " + std::string(kExpectedForm));
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return invalid("no scheme, " + std::string(kExpectedForm));
  Status status = check_scheme(text.substr(0, scheme_end));
  if (!status.ok()) return status;

  const std::string_view authority = text.substr(scheme_end + 3);
  if (authority.find_first_of("/?#") != std::string_view::npos) {
    return invalid("a path, query or fragment is not allowed, " + std::string(kExpectedForm));
  }
  if (authority.find('@') != std::string_view::npos) return invalid("user information is not allowed");

  std::string_view host;
  std::string_view port_text;
  bool bracketed = false;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("unclosed '[' in the host");
    bracketed = true;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (after.empty() || after.front() != ':') return invalid("no port, " + std::string(kExpectedForm));
    port_text = after.substr(1);
  } else {
    const size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos) return invalid("no port, " + std::string(kExpectedForm));
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return invalid("an IPv6 host needs brackets, e.g. http://[::1]:2379");
    }
  }
  if (host.empty()) return invalid("no host, " + std::string(kExpectedForm));

  HttpUrl parsed;
  status = parse_port(port_text, parsed.port);
  if (!status.ok()) return status;
  status = canonical_ip(host, bracketed, parsed.host);
  if (!status.ok()) return status;
  url = std::move(parsed);
  return Status::Ok();
}

Status parse_http_url_list(std::string_view flag, std::string_view text, std::vector<HttpUrl>& urls) {
  const std::string prefix = std::string(flag) + ": ";
  if (text.empty()) return invalid(prefix + "needs at least one URL");
  std::vector<HttpUrl> parsed;
  for (std::string_view piece : split(text, ',')) {
    HttpUrl url;
    Status status = parse_http_url(piece, url);
    if (!status.ok()) return invalid(prefix + "\"" + std::string(piece) + "\": " + status.message());
    if (std::find(parsed.begin(), parsed.end(), url) != parsed.end()) {
      return invalid(prefix + url.canonical() + " is listed twice");
    }
    parsed.push_back(std::move(url));
  }
  urls = std::move(parsed);
  return Status::Ok();
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace synod::app

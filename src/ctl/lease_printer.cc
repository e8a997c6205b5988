#include "ctl/lease_printer.h"

#include <cstdint>
#include <string>

#include "ctl/go_json.h"
#include "ctl/go_text.h"

namespace synod::ctl {
namespace {

using etcdserverpb::ResponseHeader;

// The embedded header's fields as encoding/json inlines them (each omitempty), with a trailing
// comma when any was written: `{"cluster_id":1,...,` is followed by the struct's own fields.
std::string json_header_fields(const ResponseHeader& header) {
  std::string out;
  auto field = [&out](const char* name, auto value) {
    if (value == 0) return;
    out += '"';
    out += name;
    out += "\":" + std::to_string(value) + ",";
  };
  field("cluster_id", header.cluster_id());
  field("member_id", header.member_id());
  field("revision", header.revision());
  field("raft_term", header.raft_term());
  return out;
}

void fields_header(const ResponseHeader& header, std::ostream& out) {
  out << "\"ClusterID\" : " << header.cluster_id() << '\n';
  out << "\"MemberID\" : " << header.member_id() << '\n';
  out << "\"Revision\" : " << header.revision() << '\n';
  out << "\"RaftTerm\" : " << header.raft_term() << '\n';
}

// gogo's compact text of a header (what fmt's %v prints through its String method).
std::string header_text(const ResponseHeader& header) {
  std::string out;
  auto field = [&out](const char* name, auto value) {
    if (value != 0) out += std::string(name) + ":" + std::to_string(value) + " ";
  };
  field("cluster_id", header.cluster_id());
  field("member_id", header.member_id());
  field("revision", header.revision());
  field("raft_term", header.raft_term());
  return out;
}

// A clientv3 response that embeds the header and carries (ID, TTL): grant and keep-alive.
void print_id_and_ttl(OutputFormat format, const ResponseHeader& header, int64_t id, int64_t ttl,
                      const char* json_tail, std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      out << "{" << json_header_fields(header) << "\"ID\":" << id << ",\"TTL\":" << ttl << json_tail << "}\n";
      break;
    case OutputFormat::kFields:
      fields_header(header, out);
      out << "\"ID\" : " << id << '\n' << "\"TTL\" : " << ttl << '\n';
      break;
    default:
      out << header.SerializeAsString();
      break;
  }
}

}  // namespace

void print_lease_grant(OutputFormat format, const etcdserverpb::LeaseGrantResponse& response,
                       std::ostream& out) {
  // clientv3.LeaseGrantResponse has an Error string without omitempty.
  print_id_and_ttl(format, response.header(), response.id(), response.ttl(), ",\"Error\":\"\"", out);
}

void print_lease_keep_alive(OutputFormat format, const etcdserverpb::LeaseKeepAliveResponse& response,
                            std::ostream& out) {
  print_id_and_ttl(format, response.header(), response.id(), response.ttl(), "", out);
}

MaybeError print_lease_revoke(OutputFormat format, const etcdserverpb::LeaseRevokeResponse& response,
                              std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      out << go::message_json(response) << '\n';
      return std::nullopt;
    case OutputFormat::kFields:
      fields_header(response.header(), out);
      return std::nullopt;
    default:
      return bad_feature("marshal unsupported for type clientv3.LeaseRevokeResponse ({" +
                         header_text(response.header()) + "})");
  }
}

void print_lease_time_to_live(OutputFormat format, const etcdserverpb::LeaseTimeToLiveResponse& response,
                              std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson: {
      std::string keys = "null";  // a nil [][]byte when no key is attached
      if (response.keys_size() > 0) {
        keys = "[";
        for (int i = 0; i < response.keys_size(); ++i) {
          if (i > 0) keys += ',';
          go::append_json_string(keys, go::base64_encode(response.keys(i)));
        }
        keys += "]";
      }
      out << "{" << json_header_fields(response.header()) << "\"id\":" << response.id()
          << ",\"ttl\":" << response.ttl() << ",\"granted-ttl\":" << response.grantedttl()
          << ",\"keys\":" << keys << "}\n";
      break;
    }
    case OutputFormat::kFields:
      fields_header(response.header(), out);
      out << "\"ID\" : " << response.id() << '\n';
      out << "\"TTL\" : " << response.ttl() << '\n';
      out << "\"GrantedTTL\" : " << response.grantedttl() << '\n';
      for (const std::string& key : response.keys()) out << "\"Key\" : " << go::quote(key) << '\n';
      break;
    default:
      out << response.header().SerializeAsString();
      break;
  }
}

void print_lease_list(OutputFormat format, const etcdserverpb::LeaseLeasesResponse& response,
                      std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson: {
      // clientv3 makes the slice itself: [] rather than null when there is no lease.
      out << "{" << json_header_fields(response.header()) << "\"leases\":[";
      for (int i = 0; i < response.leases_size(); ++i)
        out << (i > 0 ? "," : "") << "{\"id\":" << response.leases(i).id() << "}";
      out << "]}\n";
      break;
    }
    case OutputFormat::kFields:
      fields_header(response.header(), out);
      for (const etcdserverpb::LeaseStatus& lease : response.leases()) out << "\"ID\" : " << lease.id() << '\n';
      break;
    default:
      out << response.header().SerializeAsString();
      break;
  }
}

}  // namespace synod::ctl

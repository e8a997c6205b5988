#pragma once
// synodctl member list|add|remove|update|promote (etcdctl 3.4's member_command.go): the same
// argument checks, messages and exit codes, and the output of etcdctl's printers for member
// responses (simple, json, fields, protobuf; table for the list).
#include <string>
#include <vector>

#include "ctl/commands.h"

namespace synod::ctl {

struct MemberFlags {
  std::vector<std::string> arguments;  // add: <name>; remove, update, promote: <member ID in hex>
  std::string peer_urls;               // add, update: comma-separated
  bool learner = false;                // add
};

int run_member_list(const Session& session, CommandIo io);
int run_member_add(const Session& session, const MemberFlags& flags, CommandIo io);
int run_member_remove(const Session& session, const MemberFlags& flags, CommandIo io);
int run_member_update(const Session& session, const MemberFlags& flags, CommandIo io);
int run_member_promote(const Session& session, const MemberFlags& flags, CommandIo io);

// etcdctl's makeMemberListTable rows: ID (hex), started/unstarted, name, peer URLs, client URLs,
// is learner.
std::vector<std::string> member_list_header();
std::vector<std::vector<std::string>> member_list_rows(const etcdserverpb::MemberListResponse& response);

}  // namespace synod::ctl

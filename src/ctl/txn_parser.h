#pragma once
// etcdctl's transaction syntax (etcdctl/ctlv3/command/txn_command.go), read from a stream:
//
//   <compare>*        e.g. mod("key") > "0", val("k") = "v", ver("k") != "1", lease("k") = "1a"
//   <blank line>
//   <request>*        put/get/del command lines with their flags, e.g. put k "v 1" --prev-kv
//   <blank line>
//   <request>*        the failure branch
//   <blank line>
//
// Each section ends at a blank line, and every line must end in a newline: input that stops
// mid-section fails with "EOF" (exit 3), as in etcdctl. Compares are scanned as etcdctl scans
// them, fmt.Sscanf(rest, "%q) %s %q") after the target and "(": key and value quoted Go
// strings, the operator one of = != < >, spaces required around the operator. Targets:
// ver/version, c/create, m/mod (decimal values), val/value (a string), lease (a hexadecimal
// lease ID). Request lines are split as etcdctl's argify splits them: "double-quoted" Go
// strings, 'single-quoted' raw text, or bare words.
//
// Where etcdctl 3.4 crashes, synodctl reports an error instead: an unknown operator and any
// lease compare panic in etcdctl (clientv3.Compare); its argify also cuts single-quoted words
// by the wrong length, which synodctl does not copy.
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/ctl_error.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"

namespace synod::ctl {

// etcdctl's argify: a line into words; a double-quoted word that is not a valid Go literal
// fails with "invalid syntax" (exit 3).
Outcome<std::vector<std::string>> split_request_line(std::string_view line);

// One compare line (already trimmed).
Outcome<etcdserverpb::Compare> parse_compare(std::string_view line);

// One request line (already trimmed): a put, get or del with its flags.
Outcome<etcdserverpb::RequestOp> parse_request_line(std::string_view line);

// The whole transaction. With `prompts`, each section is announced on it first (`txn -i`).
Outcome<etcdserverpb::TxnRequest> read_txn(std::istream& in, std::ostream* prompts);

}  // namespace synod::ctl

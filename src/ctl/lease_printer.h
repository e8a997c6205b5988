#pragma once
// `-w json | fields | protobuf` of synodctl's lease commands, as etcdctl 3.4 prints clientv3's
// lease responses (etcdctl/ctlv3/command/printer*.go). Those structs embed *pb.ResponseHeader:
//   json      the header's fields inline, then the struct's own fields under their Go json tags
//   fields    the header's four lines, then the struct's fields
//   protobuf  only the header's wire bytes (the embedded header's Marshal is what gets called);
//             revoke's response has no Marshal, so etcdctl fails after revoking (exit 4)
// The simple format stays in command_lease.cc.
#include <ostream>

#include "ctl/ctl_error.h"
#include "ctl/printer.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"

namespace synod::ctl {

void print_lease_grant(OutputFormat format, const etcdserverpb::LeaseGrantResponse& response,
                       std::ostream& out);
MaybeError print_lease_revoke(OutputFormat format, const etcdserverpb::LeaseRevokeResponse& response,
                              std::ostream& out);
void print_lease_time_to_live(OutputFormat format, const etcdserverpb::LeaseTimeToLiveResponse& response,
                              std::ostream& out);
void print_lease_list(OutputFormat format, const etcdserverpb::LeaseLeasesResponse& response,
                      std::ostream& out);
void print_lease_keep_alive(OutputFormat format, const etcdserverpb::LeaseKeepAliveResponse& response,
                            std::ostream& out);

}  // namespace synod::ctl

// StatusResponse from a node's status, checked on the wire against etcd's field numbers: header 1,
// version 2, dbSize 3, leader 4, raftIndex 5, raftTerm 6, raftAppliedIndex 7, errors 8,
// dbSizeInUse 9, isLearner 10.
#include <gtest/gtest.h>

#include "api/etcd/maintenance_service.h"
#include "wire.h"

namespace synod::api::etcd {
namespace {

using testing::WireReader;

server::NodeStatus sample_status() {
  server::NodeStatus status;
  status.cluster_id = 11;
  status.member_id = 22;
  status.leader = 22;
  status.raft_term = 44;
  status.raft_index = 55;
  status.raft_applied_index = 54;
  status.revision = 33;
  status.db_size = 4096;
  status.is_learner = true;
  return status;
}

TEST(MaintenanceStatus, EveryField) {
  server::NodeStatus status = sample_status();
  status.errors = {"fdatasync /d/wal: Input/output error"};
  etcdserverpb::StatusResponse out;
  status_to_proto(status, out);
  WireReader wire(out.SerializeAsString());
  WireReader header = wire.message(1);
  EXPECT_EQ(header.varint(1), 11u);
  EXPECT_EQ(header.varint(2), 22u);
  EXPECT_EQ(header.varint(3), 33u);
  EXPECT_EQ(header.varint(4), 44u);
  EXPECT_EQ(wire.bytes(2), "3.4.0");
  EXPECT_EQ(wire.varint(3), 4096u);
  EXPECT_EQ(wire.varint(4), 22u);
  EXPECT_EQ(wire.varint(5), 55u);
  EXPECT_EQ(wire.varint(6), 44u);
  EXPECT_EQ(wire.varint(7), 54u);
  ASSERT_EQ(wire.count(8), 1);
  EXPECT_EQ(wire.bytes(8), "fdatasync /d/wal: Input/output error");
  EXPECT_EQ(wire.varint(9), 4096u);
  EXPECT_EQ(wire.varint(10), 1u);
}

TEST(MaintenanceStatus, NoLeaderIsListedFirstAndOnce) {
  server::NodeStatus status = sample_status();
  status.leader = consensus::kNoNode;
  status.errors = {"disk full", "etcdserver: no leader"};
  etcdserverpb::StatusResponse out;
  status_to_proto(status, out);
  ASSERT_EQ(out.errors_size(), 2);
  EXPECT_EQ(out.errors(0), "etcdserver: no leader");
  EXPECT_EQ(out.errors(1), "disk full");
  EXPECT_EQ(out.leader(), 0u);
}

}  // namespace
}  // namespace synod::api::etcd

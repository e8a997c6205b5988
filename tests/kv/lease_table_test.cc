// The lease table: grants (minimum and maximum TTL, duplicate ids), puts that attach, move and
// detach keys, revocation deleting every attached key in one revision, checkpoints.
#include <gtest/gtest.h>

#include "kv/errors.h"
#include "kv/mvcc_store.h"
#include "kv_test_util.h"

namespace synod::kv {
namespace {

using testing::get;
using testing::must_delete;
using testing::must_put;

LeaseGrantResponse must_grant(MvccStore& store, int64_t id, int64_t ttl) {
  LeaseGrantResponse response;
  Status status = store.lease_grant({id, ttl}, response);
  EXPECT_TRUE(status.ok()) << status.message();
  return response;
}

std::set<std::string> keys_of(const MvccStore& store, int64_t id) {
  const Lease* lease = store.find_lease(id);
  EXPECT_NE(lease, nullptr) << id;
  return lease ? lease->keys : std::set<std::string>{};
}

TEST(LeaseTableTest, GrantTakesNoRevisionAndRaisesTheTtlToTheMinimum) {
  MvccStore store(StoreOptions{128, 5});
  must_put(store, "a", "1");
  EXPECT_EQ(must_grant(store, 7, 60), (LeaseGrantResponse{{2}, 7, 60}));
  EXPECT_EQ(must_grant(store, 8, 1), (LeaseGrantResponse{{2}, 8, 5}));
  EXPECT_EQ(must_grant(store, -9, -4).ttl, 5);  // any non-zero id, as etcd's int64 ids
  EXPECT_EQ(store.current_revision(), 2);
  EXPECT_EQ(store.find_lease(8)->ttl, 5);
  EXPECT_TRUE(store.check_invariants().ok());
}

TEST(LeaseTableTest, GrantErrors) {
  MvccStore store;
  must_grant(store, 7, 60);
  LeaseGrantResponse response;
  EXPECT_EQ(store.lease_grant({7, 10}, response).message(), kErrLeaseExists);
  EXPECT_EQ(store.find_lease(7)->ttl, 60);  // unchanged
  EXPECT_EQ(store.lease_grant({8, kMaxLeaseTtlSeconds + 1}, response).message(), kErrLeaseTtlTooLarge);
  EXPECT_EQ(store.lease_grant({0, 10}, response).message(), kErrLeaseNotFound);
  EXPECT_EQ(store.leases().size(), 1u);
  EXPECT_EQ(must_grant(store, 9, kMaxLeaseTtlSeconds).ttl, kMaxLeaseTtlSeconds);
}

TEST(LeaseTableTest, PutWithAnUnknownLeaseFailsAlsoInsideATxn) {
  MvccStore store;
  PutResponse put;
  EXPECT_EQ(store.put({"a", "1", 5, false, false, false}, put).message(), kErrLeaseNotFound);
  TxnRequest txn{{}, {RequestOp{PutRequest{"b", "1", 0, false, false, false}},
                      RequestOp{PutRequest{"c", "1", 5, false, false, false}}}, {}};
  TxnResponse response;
  EXPECT_EQ(store.txn(txn, response).message(), kErrLeaseNotFound);
  EXPECT_EQ(store.current_revision(), 1);  // nothing of the Txn applied
  EXPECT_FALSE(get(store, "b").has_value());
}

TEST(LeaseTableTest, PutsAttachMoveAndDetachKeysAndDeletesDetach) {
  MvccStore store;
  must_grant(store, 1, 60);
  must_grant(store, 2, 60);
  must_put(store, "a", "1", 1);
  must_put(store, "b", "1", 1);
  must_put(store, "c", "1", 1);
  EXPECT_EQ(keys_of(store, 1), (std::set<std::string>{"a", "b", "c"}));
  must_put(store, "a", "2", 2);  // moves to lease 2
  must_put(store, "b", "2", 0);  // no lease any more
  must_delete(store, "c");
  EXPECT_TRUE(keys_of(store, 1).empty());
  EXPECT_EQ(keys_of(store, 2), (std::set<std::string>{"a"}));
  PutResponse put;
  ASSERT_TRUE(store.put({"a", "3", 0, false, false, true}, put).ok());  // ignore_lease keeps it
  EXPECT_EQ(keys_of(store, 2), (std::set<std::string>{"a"}));
  EXPECT_EQ(get(store, "a")->lease, 2);
  EXPECT_TRUE(store.check_invariants().ok());
}

TEST(LeaseTableTest, RevokeDeletesEveryAttachedKeyInOneRevisionAndForgetsTheLease) {
  MvccStore store;
  must_grant(store, 1, 60);
  must_grant(store, 2, 60);
  must_put(store, "a", "1", 1);
  must_put(store, "b", "1", 2);
  must_put(store, "c", "1", 1);
  std::vector<Event> events;
  LeaseRevokeResponse response;
  ASSERT_TRUE(store.lease_revoke({1}, response, &events).ok());
  EXPECT_EQ(response.header.revision, 5);
  EXPECT_EQ(store.current_revision(), 5);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, Event::Type::kDelete);
  EXPECT_EQ(events[0].kv.key, "a");
  EXPECT_EQ(events[1].kv.key, "c");
  EXPECT_EQ(events[1].kv.mod_revision, 5);
  EXPECT_EQ(store.find_lease(1), nullptr);
  EXPECT_TRUE(get(store, "b").has_value());
  PutResponse put;
  EXPECT_EQ(store.put({"d", "1", 1, false, false, false}, put).message(), kErrLeaseNotFound);
  // A lease without keys is revoked without a revision.
  must_put(store, "b", "2", 0);
  ASSERT_TRUE(store.lease_revoke({2}, response).ok());
  EXPECT_EQ(store.current_revision(), 6);
  EXPECT_TRUE(store.leases().empty());
  EXPECT_TRUE(store.check_invariants().ok());
}

TEST(LeaseTableTest, CheckpointsRecordRemainingTtlsAndSkipUnknownLeases) {
  MvccStore store;
  must_grant(store, 1, 60);
  LeaseCheckpointResponse response;
  ASSERT_TRUE(store.lease_checkpoint({{{1, 25}, {99, 3}}}, response).ok());
  EXPECT_EQ(store.find_lease(1)->remaining_ttl, 25);
  EXPECT_EQ(store.find_lease(99), nullptr);
  ASSERT_TRUE(store.lease_checkpoint({{{1, 0}}}, response).ok());  // a renewal clears it
  EXPECT_EQ(store.find_lease(1)->remaining_ttl, 0);
  EXPECT_EQ(store.lease_checkpoint({{{1, -1}}}, response).message(), kErrLeaseNotFound);
  EXPECT_EQ(store.find_lease(1)->remaining_ttl, 0);
  EXPECT_EQ(store.current_revision(), 1);
}

}  // namespace
}  // namespace synod::kv

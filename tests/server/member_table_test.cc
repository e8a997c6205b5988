// The member metadata a replica keeps (replica/member_table.h): its codecs refuse malformed input,
// bootstrap members come from the initial configuration, snapshots carry the table.
#include "replica/member_table.h"

#include <gtest/gtest.h>

#include "consensus/engine.h"

namespace synod::replica {
namespace {

MemberRequest add_request() {
  MemberRequest request;
  request.kind = MemberRequest::Kind::kAdd;
  request.id = 42;
  request.peer_urls = {"http://127.0.0.1:2380"};
  request.is_learner = true;
  return request;
}

TEST(MemberTable, RequestsRoundTripAndMalformedOnesAreRefused) {
  MemberRequest publish;
  publish.kind = MemberRequest::Kind::kPublish;
  publish.id = 7;
  publish.name = "infra1";
  publish.client_urls = {"http://127.0.0.1:2379", "http://127.0.0.1:22379"};
  for (const MemberRequest& request : {add_request(), publish}) {
    const std::string bytes = encode_member_request(request);
    MemberRequest decoded;
    ASSERT_TRUE(decode_member_request(bytes, decoded));
    EXPECT_EQ(decoded, request);
    for (size_t cut = 0; cut < bytes.size(); ++cut)
      EXPECT_FALSE(decode_member_request(bytes.substr(0, cut), decoded)) << "cut at " << cut;
    EXPECT_FALSE(decode_member_request(bytes + "x", decoded)) << "trailing bytes";
  }
  std::string unknown_kind = encode_member_request(add_request());
  unknown_kind[0] = 9;
  MemberRequest decoded;
  EXPECT_FALSE(decode_member_request(unknown_kind, decoded));
  MemberRequest no_id = add_request();
  no_id.id = consensus::kNoNode;
  EXPECT_FALSE(decode_member_request(encode_member_request(no_id), decoded));
}

TEST(MemberTable, BootstrapMembersComeFromTheInitialConfigurationAndAddsFromTheirRequest) {
  MemberTable table;
  table.set_initial({{1, "infra1", {"http://127.0.0.1:12380"}, {}, false}});
  table.on_added(1, nullptr);
  MemberRequest add = add_request();
  table.on_added(add.id, &add);
  ASSERT_NE(table.find(1), nullptr);
  EXPECT_EQ(table.find(1)->name, "infra1");
  EXPECT_EQ(table.find(1)->peer_urls, std::vector<std::string>{"http://127.0.0.1:12380"});
  ASSERT_NE(table.find(42), nullptr);
  EXPECT_EQ(table.find(42)->name, "") << "a member added but not started has no name yet";
  EXPECT_EQ(table.peer_url_owner({"http://127.0.0.1:2380"}, consensus::kNoNode), 42u);
  EXPECT_EQ(table.peer_url_owner({"http://127.0.0.1:2380"}, 42), consensus::kNoNode);

  MemberRequest publish;
  publish.kind = MemberRequest::Kind::kPublish;
  publish.id = 42;
  publish.name = "infra4";
  publish.client_urls = {"http://127.0.0.1:42379"};
  table.on_attributes(publish);
  EXPECT_EQ(table.find(42)->name, "infra4");
  EXPECT_EQ(table.find(42)->client_urls, publish.client_urls);
  EXPECT_EQ(table.find(42)->peer_urls, add.peer_urls) << "publishing keeps the peer URLs";

  MemberRequest update;
  update.kind = MemberRequest::Kind::kUpdate;
  update.id = 42;
  update.peer_urls = {"http://127.0.0.1:2390"};
  table.on_attributes(update);
  EXPECT_EQ(table.find(42)->peer_urls, update.peer_urls);
  EXPECT_EQ(table.find(42)->name, "infra4") << "updating keeps the name";

  table.on_removed(42);
  EXPECT_EQ(table.find(42), nullptr);
  EXPECT_TRUE(table.was_removed(42));
  table.on_attributes(publish);  // a publish that lost the race with the removal
  EXPECT_EQ(table.find(42), nullptr);
}

TEST(MemberTable, SnapshotsCarryTheTableAndOldSnapshotsStillRestore) {
  MemberTable table;
  MemberRequest add = add_request();
  table.on_added(add.id, &add);
  table.on_added(5, &add);
  table.on_removed(5);
  const std::string data = wrap_snapshot(table, "store bytes");
  MemberTable restored;
  std::string_view store;
  ASSERT_TRUE(unwrap_snapshot(data, restored, store));
  EXPECT_EQ(store, "store bytes");
  EXPECT_EQ(restored.members(), table.members());
  EXPECT_TRUE(restored.was_removed(5));

  MemberTable untouched;
  ASSERT_TRUE(unwrap_snapshot("a store snapshot from before member metadata", untouched, store));
  EXPECT_EQ(store, "a store snapshot from before member metadata");
  EXPECT_TRUE(untouched.members().empty());

  for (size_t cut = 8; cut < data.size() - std::string("store bytes").size(); ++cut)
    EXPECT_FALSE(unwrap_snapshot(data.substr(0, cut), restored, store)) << "cut at " << cut;
}

TEST(MemberTable, MembershipChangesCarryTheirContext) {
  using Type = consensus::MembershipChange::Type;
  const consensus::MembershipChange with_context{Type::kAddLearner, 42, "request bytes"};
  const consensus::MembershipChange bootstrap{Type::kAddVoter, 1};
  for (const auto& change : {with_context, bootstrap}) {
    consensus::MembershipChange decoded;
    ASSERT_TRUE(consensus::decode_membership_change(consensus::encode_membership_change(change), decoded));
    EXPECT_EQ(decoded, change);
  }
  consensus::MembershipChange decoded;
  const std::string bytes = consensus::encode_membership_change(with_context);
  EXPECT_FALSE(consensus::decode_membership_change(bytes + "x", decoded)) << "trailing bytes";
  EXPECT_FALSE(consensus::decode_membership_change(bytes.substr(0, bytes.size() - 1), decoded));
  // An empty context is encoded as none: an explicit empty one is malformed.
  EXPECT_FALSE(consensus::decode_membership_change(
      consensus::encode_membership_change(bootstrap) + std::string(1, '\0'), decoded));
}

}  // namespace
}  // namespace synod::replica

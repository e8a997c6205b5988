#include <gtest/gtest.h>

#include "consensus/engine.h"

namespace synod::consensus {
namespace {

using Type = MembershipChange::Type;

struct ChangeCase {
  const char* name;
  Membership before;
  MembershipChange change;
  bool accepted;
  Membership after;  // checked only when accepted
};

TEST(MembershipTest, ChangesFollowTheOneServerRules) {
  const Membership three{{1, 2, 3}, {}};
  const ChangeCase cases[] = {
      {"add voter", three, {Type::kAddVoter, 4}, true, {{1, 2, 3, 4}, {}}},
      {"add existing voter", three, {Type::kAddVoter, 2}, false, {}},
      {"add learner", three, {Type::kAddLearner, 9}, true, {{1, 2, 3}, {9}}},
      {"add voter as learner", three, {Type::kAddLearner, 1}, false, {}},
      {"promote learner", {{1, 2, 3}, {9}}, {Type::kPromoteLearner, 9}, true, {{1, 2, 3, 9}, {}}},
      {"promote voter", three, {Type::kPromoteLearner, 1}, false, {}},
      {"remove voter", three, {Type::kRemoveNode, 2}, true, {{1, 3}, {}}},
      {"remove learner", {{1}, {5}}, {Type::kRemoveNode, 5}, true, {{1}, {}}},
      {"remove unknown", three, {Type::kRemoveNode, 7}, false, {}},
      {"remove last voter", {{1}, {}}, {Type::kRemoveNode, 1}, false, {}},
      {"node zero", three, {Type::kAddVoter, kNoNode}, false, {}},
  };
  for (const auto& c : cases) {
    Membership membership = c.before;
    Status status = apply_membership_change(membership, c.change);
    EXPECT_EQ(status.ok(), c.accepted) << c.name;
    if (c.accepted) EXPECT_EQ(membership, c.after) << c.name;
    else EXPECT_EQ(membership, c.before) << c.name << ": a refused change must not alter anything";
  }
}

TEST(MembershipTest, ChangeEncodingRoundTripsAndRejectsGarbage) {
  MembershipChange change{Type::kPromoteLearner, 12345};
  MembershipChange decoded;
  ASSERT_TRUE(decode_membership_change(encode_membership_change(change), decoded));
  EXPECT_EQ(decoded, change);

  std::string encoded = encode_membership_change(change);
  EXPECT_FALSE(decode_membership_change(encoded.substr(0, encoded.size() - 1), decoded));
  EXPECT_FALSE(decode_membership_change(encoded + "x", decoded));
  encoded[0] = 9;  // no such change type
  EXPECT_FALSE(decode_membership_change(encoded, decoded));
}

}  // namespace
}  // namespace synod::consensus

// The membership workflow of the nemesis: remove a voter, add a fresh learner, promote it.
#include <algorithm>

#include "sim/nemesis.h"

namespace synod::sim {

using consensus::MembershipChange;
using consensus::NodeId;

void Nemesis::membership_change() {
  if (step_ != MembershipStep::kIdle) return;
  const consensus::Membership membership = target_.membership();
  if (membership.voters.empty()) return;
  if (membership.voters.size() > 3) {
    step_ = MembershipStep::kRemove;
    step_node_ = pick(membership.voters);
    remove_after_add_ = false;
  } else {
    step_ = MembershipStep::kAddLearner;
    step_node_ = consensus::kNoNode;
    // Shrinking two voters to one is not done: the survivor needs the removed node's vote until
    // it learns that the removal committed (see docs/raft.md), so a one-voter cluster only grows.
    remove_after_add_ = membership.voters.size() >= 2;
  }
  step_index_ = 0;
  membership_step();
}

void Nemesis::membership_step() {
  // After heal_all only a removal under way is finished: its node is retired once the removal is
  // committed, as an operator would (a removed node that never learns of its removal would go on
  // taking requests it cannot serve). Nothing new is proposed.
  if (step_ == MembershipStep::kIdle || (stopped_ && step_ != MembershipStep::kRemove)) return;
  const std::optional<NodeId> leader = target_.leader();
  if (leader) {
    const consensus::Membership membership = target_.membership();
    const bool committed = target_.commit_index(*leader) >= step_index_;
    MembershipChange change;
    change.node = step_node_;
    bool propose = false;
    switch (step_) {
      case MembershipStep::kIdle: return;
      case MembershipStep::kRemove:
        // Retire the removed node only once a leader other than it has committed the removal:
        // until then the others may still need its vote (an operator would wait the same way).
        if (!membership.contains(step_node_) && committed && *leader != step_node_) {
          target_.retire(step_node_);
          target_.on_fault("retire removed n" + std::to_string(step_node_), {step_node_});
          if (remove_after_add_ || stopped_) {
            step_ = MembershipStep::kIdle;
            return;
          }
          step_ = MembershipStep::kAddLearner;
          step_node_ = consensus::kNoNode;
          step_index_ = 0;
          break;
        }
        if (stopped_ && membership.contains(step_node_)) {  // the removal never happened
          step_ = MembershipStep::kIdle;
          return;
        }
        change.type = MembershipChange::Type::kRemoveNode;
        propose = membership.contains(step_node_);
        break;
      case MembershipStep::kAddLearner:
        if (step_node_ == consensus::kNoNode) {
          step_node_ = target_.add_fresh_node();
          target_.on_fault("start fresh n" + std::to_string(step_node_), {});
        }
        if (membership.contains(step_node_) && committed) {
          step_ = MembershipStep::kPromote;
          step_index_ = 0;
          break;
        }
        change.type = MembershipChange::Type::kAddLearner;
        change.node = step_node_;
        propose = !membership.contains(step_node_);
        break;
      case MembershipStep::kPromote:
        if (membership.is_voter(step_node_) && committed) {
          if (!remove_after_add_) {
            step_ = MembershipStep::kIdle;
            return;
          }
          std::vector<NodeId> others;
          for (NodeId voter : membership.voters)
            if (voter != step_node_) others.push_back(voter);
          step_ = MembershipStep::kRemove;
          step_node_ = pick(others);
          step_index_ = 0;
          break;
        }
        change.type = MembershipChange::Type::kPromoteLearner;
        // Promote once the learner has caught up, so that it does not stall the quorum.
        propose = membership.is_learner(step_node_) && target_.is_up(step_node_) &&
                  target_.applied_index(step_node_) + 8 >= target_.applied_index(*leader);
        break;
    }
    if (propose) {
      const consensus::ProposeResult result = target_.change_membership(*leader, change);
      if (result.status.ok()) {
        step_index_ = result.index;
        const char* names[] = {"add voter", "add learner", "promote learner", "remove"};
        target_.on_fault(std::string("membership: ") + names[static_cast<int>(change.type)] + " n" +
                             std::to_string(change.node) + " at index " + std::to_string(result.index),
                         change.type == MembershipChange::Type::kRemoveNode &&
                                 change.node == *leader
                             ? std::vector<NodeId>{*leader}
                             : std::vector<NodeId>{});
      }
    }
  }
  target_.schedule_after(10, [this]() { membership_step(); });
}

}  // namespace synod::sim

#include "check/linear_search.h"

#include <algorithm>

#include "check/config_cache.h"
#include "check/operation.h"
#include "check/optional_list.h"
#include "check/search_wants.h"
#include "core/check.h"

// Three reductions keep the search small; each keeps a completion whenever one exists.
//
// 1. Reads first. A required operation that leaves the register alone (a read, a failed cas) and
//    is possible now is placed alone ("forced"): any completion can be rewritten to place it
//    first, since it sees the same state as later, every later operation sees what it saw, and
//    everything that must precede it in real time is already placed. This removes the 2^k orders
//    of k concurrent reads.
// 2. Unknown-outcome operations only where they matter. If a linearization exists, one exists in
//    which every placed unknown-outcome operation P is immediately followed by an operation X that
//    is impossible in the state before P. Proof sketch: if X were possible before P, then either X
//    leaves the state alone (swap P and X) or sets it (a write; or a cas whose expected value P
//    left unchanged): drop P; a P at the very end is dropped too. Each rewrite drops P or moves it
//    later, so rewriting ends, and none breaks real-time order because P, having no return,
//    precedes nothing. The "obligation" left by placing P enforces this form, and SearchWants skips
//    P while no candidate could be such an X.
// 3. Required before unknown-outcome placements, so that the configuration without an optional
//    placement is explored (and, if dead, dominates the ones with it: see config_cache.h).
// 4. One unobservable write at a time. Unknown-outcome writes of unobservable values (see
//    register_model.h) have identical effects, so only the latest invoked of those available is
//    tried: a completion that places an earlier one here can place this one here instead and the
//    earlier one wherever this one went (being invoked earlier, it is available there too).

namespace synod::check {
namespace {

bool is_optional(const SearchOperation& operation) { return operation.timing.return_ns == kNeverNs; }

int32_t count_optionals(const std::vector<SearchOperation>& operations) {
  return static_cast<int32_t>(std::count_if(operations.begin(), operations.end(), is_optional));
}

bool is_unobservable_write(const RegisterStep& step) {
  return step.kind == StepKind::kWrite && step.value == kUnobservable;
}

std::vector<TimedCall> timings(const std::vector<SearchOperation>& operations) {
  std::vector<TimedCall> result;
  for (const SearchOperation& operation : operations) result.push_back(operation.timing);
  return result;
}

// Where the search goes on: an entry of the list (required pass), or a position among the
// unknown-outcome operations (optional pass), or nowhere (a dead end: backtrack).
struct Cursor {
  enum class Pass : uint8_t { kRequired, kOptional, kDeadEnd } pass = Pass::kDeadEnd;
  int32_t position = 0;
};

// What to restore when a placement is taken back.
struct Frame {
  int32_t operation;
  Cursor placed_at;  // the cursor that placed it; the parent resumes just after it
  bool forced;       // the only placement tried from its configuration, whose failure is the parent's
  ConfigurationCache::Handle reached;  // the configuration this placement led to
  ValueId state;
  ValueId obligation;
  int32_t state_writer;
  int32_t placed_end;
};

class Search {
 public:
  Search(const std::vector<SearchOperation>& operations, uint64_t max_steps)
      : operations_(operations), list_(timings(operations)), max_steps_(max_steps),
        placed_(operations.size(), false), optional_slot_(operations.size(), -1),
        unplaced_optionals_(count_optionals(operations)) {
    for (int32_t i = 0; i < static_cast<int32_t>(operations.size()); ++i) {
      if (!is_optional(operations[i])) {
        ++required_unplaced_;
        continue;
      }
      optional_slot_[i] = static_cast<int32_t>(optionals_.size());
      optionals_.push_back(i);  // in call order, as the operations are
    }
    optional_placed_.assign((optionals_.size() + 63) / 64, 0);
  }

  SearchResult run() {
    Cursor cursor = arrive();
    while (required_unplaced_ > 0) {
      if (result_.steps++ >= max_steps_) return finish(SearchVerdict::kUnknown);
      switch (cursor.pass) {
        case Cursor::Pass::kRequired: cursor = required_step(cursor.position); break;
        case Cursor::Pass::kOptional: cursor = optional_step(cursor.position); break;
        case Cursor::Pass::kDeadEnd:
          if (!backtrack(cursor)) return finish(SearchVerdict::kNotLinearizable);
          break;
      }
    }
    return finish(SearchVerdict::kLinearizable);
  }

 private:
  SearchResult finish(SearchVerdict verdict) {
    result_.verdict = verdict;
    return std::move(result_);
  }

  Cursor required_step(int32_t entry) {
    SYNOD_CHECK(entry != EntryList::kTail, "a required operation has no return entry");
    const EntryList::Entry& current = list_.at(entry);
    if (current.is_call) {
      Cursor here{Cursor::Pass::kRequired, entry};
      return try_place(current.operation, here, /*forced=*/false) ? arrive() : Cursor{here.pass, current.next};
    }
    note_failure(current.operation);
    return {Cursor::Pass::kOptional, unplaced_optionals_.first()};
  }

  Cursor optional_step(int32_t slot) {
    int64_t frontier_ns = list_.at(first_return()).time_ns;
    SearchWants wants = wants_now(frontier_ns);
    for (; slot != OptionalList::kEnd; slot = unplaced_optionals_.next(slot)) {
      const SearchOperation& candidate = operations_[optionals_[slot]];
      if (candidate.timing.call_ns > frontier_ns) break;  // invoked after a pending return
      if (!wants.accepts(candidate.step)) continue;
      if (is_unobservable_write(candidate.step) && slot != wants.latest_unobservable_write) continue;
      Cursor here{Cursor::Pass::kOptional, slot};
      if (try_place(optionals_[slot], here, /*forced=*/false)) return arrive();
    }
    return {};
  }

  // The candidates are the required calls before the first return entry and the unplaced
  // unknown-outcome operations invoked by then (`frontier_ns`).
  SearchWants wants_now(int64_t frontier_ns) const {
    SearchWants wants;
    for (int32_t entry = list_.first(); list_.at(entry).is_call; entry = list_.at(entry).next) {
      wants.add_candidate(operations_[list_.at(entry).operation].step, state_);
    }
    for (int32_t slot = unplaced_optionals_.first(); slot != OptionalList::kEnd;
         slot = unplaced_optionals_.next(slot)) {
      const SearchOperation& candidate = operations_[optionals_[slot]];
      if (candidate.timing.call_ns > frontier_ns) break;
      wants.add_candidate(candidate.step, state_);
      if (is_unobservable_write(candidate.step)) wants.latest_unobservable_write = slot;
    }
    return wants;
  }

  int32_t first_return() const {
    int32_t entry = list_.first();
    while (entry != EntryList::kTail && list_.at(entry).is_call) entry = list_.at(entry).next;
    return entry;
  }

  // Where to go on in a configuration just reached: through any forced placements, then from the
  // first entry; a dead end when a forced placement leads only to an explored configuration.
  Cursor arrive() {
    while (required_unplaced_ > 0) {
      int32_t forced = forced_candidate();
      if (forced < 0) return {Cursor::Pass::kRequired, list_.first()};
      if (!try_place(list_.at(forced).operation, {Cursor::Pass::kRequired, forced}, /*forced=*/true)) return {};
      ++result_.steps;
    }
    return {Cursor::Pass::kRequired, list_.first()};
  }

  // Reduction 1: a possible read or failed cas among the candidates, or -1. Not while an
  // obligation is pending: the next placement must honour it.
  int32_t forced_candidate() const {
    if (obligation_ != kNoObligation) return -1;
    for (int32_t entry = list_.first(); entry != EntryList::kTail && list_.at(entry).is_call;
         entry = list_.at(entry).next) {
      const RegisterStep& step = operations_[list_.at(entry).operation].step;
      bool leaves_state = step.kind == StepKind::kRead || step.kind == StepKind::kCasFail;
      if (leaves_state && apply_step(step, state_)) return entry;
    }
    return -1;
  }

  // Takes back placements until one whose configuration has alternatives left; false when none has.
  bool backtrack(Cursor& cursor) {
    while (!stack_.empty()) {
      Frame frame = take_back();
      if (frame.forced) continue;
      cursor = frame.placed_at;
      cursor.position = cursor.pass == Cursor::Pass::kRequired ? list_.at(cursor.position).next
                                                              : unplaced_optionals_.next(cursor.position);
      return true;
    }
    return false;
  }

  void flip_optional(int32_t operation) {
    int32_t slot = optional_slot_[operation];
    optional_placed_[slot / 64] ^= uint64_t{1} << (slot % 64);
  }

  // The required part of the configuration reached by placing `operation`, into scratch_.
  void next_configuration(int32_t operation, ValueId state, ValueId obligation) {
    bool optional = optional_slot_[operation] >= 0;
    scratch_.placed_end = optional ? placed_end_ : std::max(placed_end_, operation + 1);
    scratch_.state = state;
    scratch_.obligation = obligation;
    scratch_.holes.clear();
    for (int32_t entry = list_.first(); entry != EntryList::kTail; entry = list_.at(entry).next) {
      const EntryList::Entry& candidate = list_.at(entry);
      if (!candidate.is_call) continue;
      if (candidate.operation >= scratch_.placed_end) break;  // calls are in operation order
      if (candidate.operation != operation) scratch_.holes.push_back(candidate.operation);
    }
  }

  bool try_place(int32_t operation, Cursor placed_at, bool forced) {
    const SearchOperation& placed = operations_[operation];
    if (obligation_ != kNoObligation && apply_step(placed.step, obligation_)) return false;
    std::optional<ValueId> next_state = apply_step(placed.step, state_);
    if (!next_state) return false;
    bool optional = is_optional(placed);
    next_configuration(operation, *next_state, optional ? state_ : kNoObligation);
    if (optional) flip_optional(operation);
    std::optional<ConfigurationCache::Handle> reached = cache_.visit(scratch_, optional_placed_);
    if (!reached) {
      if (optional) flip_optional(operation);
      return false;
    }
    stack_.push_back({operation, placed_at, forced, *reached, state_, obligation_, state_writer_, placed_end_});
    if (changes_state(placed.step.kind)) state_writer_ = operation;
    state_ = *next_state;
    obligation_ = scratch_.obligation;
    placed_end_ = scratch_.placed_end;
    mark_placed(operation, true);
    if (optional) unplaced_optionals_.remove(placed_at.position);
    else list_.lift(placed_at.position);
    return true;
  }

  void mark_placed(int32_t operation, bool placed) {
    placed_[operation] = placed;
    if (!is_optional(operations_[operation])) required_unplaced_ += placed ? -1 : +1;
  }

  Frame take_back() {
    Frame frame = stack_.back();
    stack_.pop_back();
    ConfigurationCache::mark_dead(frame.reached);  // every continuation from it has been tried
    mark_placed(frame.operation, false);
    if (optional_slot_[frame.operation] >= 0) {
      flip_optional(frame.operation);
      unplaced_optionals_.restore(frame.placed_at.position);
    } else {
      list_.unlift(frame.placed_at.position);
    }
    state_ = frame.state;
    obligation_ = frame.obligation;
    state_writer_ = frame.state_writer;
    placed_end_ = frame.placed_end;
    return frame;
  }

  // Keeps the deepest dead end: the longest linearizable prefix found, for the counter-example.
  // One right after a speculative unknown-outcome placement would blame that placement; skipped.
  void note_failure(int32_t culprit) {
    if (obligation_ != kNoObligation) return;
    int64_t depth = static_cast<int64_t>(stack_.size());
    if (result_.failure.culprit >= 0 && depth <= result_.failure.placed_count) return;
    result_.failure = {.culprit = culprit, .placed = placed_, .state = state_,
                       .state_writer = state_writer_, .placed_count = depth};
  }

  const std::vector<SearchOperation>& operations_;
  EntryList list_;  // required operations only
  uint64_t max_steps_;
  std::vector<bool> placed_;
  std::vector<int32_t> optional_slot_;  // index in optionals_, or -1 for a required operation
  std::vector<int32_t> optionals_;      // the unknown-outcome operations, in call order
  OptionalList unplaced_optionals_;     // slots in optionals_ not placed
  int64_t required_unplaced_ = 0;
  ValueId state_ = kAbsent;
  ValueId obligation_ = kNoObligation;
  int32_t state_writer_ = -1;
  int32_t placed_end_ = 0;
  std::vector<Frame> stack_;
  ConfigurationCache cache_;
  RequiredPart scratch_;
  OptionalBits optional_placed_;  // mirrors placed_ for the unknown-outcome operations
  SearchResult result_;
};

}  // namespace

SearchResult search_linearization(const std::vector<SearchOperation>& operations, uint64_t max_steps) {
  return Search(operations, max_steps).run();
}

}  // namespace synod::check

// Randomised crashes against a model: after a crash (with or without torn writes, between
// operations or by a power cut in the middle of one, recovery included) the WAL must recover
// exactly the state of some point between the last completed sync and the last record appended:
// nothing synced is lost, nothing is invented, and recovery never reports corruption.
#include <gtest/gtest.h>

#include <algorithm>

#include "storage/memory_file_system.h"
#include "storage/wal.h"
#include "storage_test_util.h"

namespace synod::storage {
namespace {

using consensus::Entry;
using consensus::HardState;
using consensus::SnapshotMeta;

// An independent model of the log the records describe.
struct Model {
  std::optional<SnapshotMeta> snapshot;
  std::vector<Entry> entries;
  HardState hard_state;

  uint64_t snapshot_index() const { return snapshot ? snapshot->index : 0; }
  uint64_t last_index() const { return entries.empty() ? snapshot_index() : entries.back().index; }
  uint64_t term_at(uint64_t index) const {
    for (const Entry& entry : entries)
      if (entry.index == index) return entry.term;
    return snapshot && snapshot->index == index ? snapshot->term : 0;
  }
  void add(const Entry& entry) {
    std::erase_if(entries, [&](const Entry& e) { return e.index >= entry.index; });
    entries.push_back(entry);
  }
  void apply_snapshot(const SnapshotMeta& meta) {
    bool holds = std::any_of(entries.begin(), entries.end(), [&](const Entry& e) {
      return e.index == meta.index && e.term == meta.term;
    });
    if (holds) {
      std::erase_if(entries, [&](const Entry& e) { return e.index <= meta.index; });
    } else {
      entries.clear();
    }
    snapshot = meta;
  }
  bool matches(const WalRecovery& recovery) const {
    return recovery.snapshot == snapshot && recovery.entries == entries &&
           recovery.hard_state == hard_state;
  }
  std::string describe() const {
    std::string text = "snapshot " + std::to_string(snapshot_index()) + " entries [";
    for (const Entry& entry : entries)
      text += std::to_string(entry.index) + "@" + std::to_string(entry.term) + " ";
    return text + "] commit " + std::to_string(hard_state.commit);
  }
};

class Driver {
 public:
  explicit Driver(uint64_t seed) : random_(seed) {}
  uint64_t repairs() const { return repairs_; }
  uint64_t kept_unsynced() const { return kept_unsynced_; }
  uint64_t power_cuts() const { return power_cuts_; }

  void run(int rounds) {
    open();
    for (int round = 0; round < rounds && !::testing::Test::HasFatalFailure(); ++round) {
      // Half the rounds end in a power cut in the middle of some operation (a rollover, a
      // release...); the others between operations.
      if (random_.chance(1, 2)) fs_.set_power_cut_after(random_.between(0, 60));
      int operations = static_cast<int>(random_.between(1, 40));
      for (int i = 0; i < operations; ++i) {
        if (!step() || ::testing::Test::HasFatalFailure()) break;
      }
      power_cuts_ += fs_.power_cut();
      fs_.crash(random_, random_.chance(2, 3));
      wal_.reset();
      open();
    }
  }

 private:
  // Recovers, itself perhaps cut by a power failure (then crashes and retries), and checks the
  // state against the candidates.
  void open() {
    fs_.set_power_cut_after(random_.chance(1, 4) ? std::optional<uint64_t>(random_.between(0, 8))
                                                 : std::nullopt);
    WalRecovery recovery;
    for (int attempt = 0;; ++attempt) {
      Status status = Wal::open(fs_, "/wal", testing::small_wal_options(4096), wal_, recovery);
      if (status.ok()) break;
      ASSERT_TRUE(fs_.power_cut()) << status.message();
      ++power_cuts_;
      fs_.crash(random_, random_.chance(1, 2));
      fs_.set_power_cut_after(attempt < 2 ? std::optional<uint64_t>(random_.between(0, 8))
                                          : std::nullopt);
    }
    fs_.set_power_cut_after(std::nullopt);
    bool found = false;
    for (const Model& candidate : candidates_) found = found || candidate.matches(recovery);
    repairs_ += recovery.repairs.size();
    if (!candidates_.front().matches(recovery)) ++kept_unsynced_;
    Model recovered{recovery.snapshot, recovery.entries, recovery.hard_state};
    ASSERT_TRUE(found) << "recovered " << recovered.describe() << "\nlast synced "
                       << candidates_.front().describe() << "\nlast appended "
                       << candidates_.back().describe();
    model_ = recovered;
    candidates_ = {model_};
  }

  // An operation failed: only a power cut may make one fail here.
  bool failed(const Status& status) {
    EXPECT_TRUE(fs_.power_cut()) << status.message();
    return false;
  }

  // False once an operation fails (the power is cut).
  bool step() {
    uint64_t choice = random_.uniform(10);
    if (choice < 5) return append();
    if (choice < 8) {
      Status status = wal_->sync();
      if (!status.ok()) return failed(status);
      candidates_ = {model_};
      durable_snapshot_ = model_.snapshot_index();
      return true;
    }
    if (choice < 9) return snapshot();
    if (durable_snapshot_ == 0) return true;
    Status status = wal_->release(durable_snapshot_);
    return status.ok() || failed(status);
  }

  // The model moves first: the states after each record are candidates even if the write fails
  // midway (a prefix of the batch may be on disk).
  bool append() {
    uint64_t last = model_.last_index();
    uint64_t first = last + 1;
    if (last > model_.snapshot_index() && random_.chance(1, 4))
      first = random_.between(model_.snapshot_index() + 1, last);  // overwrite a suffix
    if (first <= last) ++term_;
    std::vector<Entry> batch;
    uint64_t count = random_.between(0, 6);
    for (uint64_t index = first; index < first + count; ++index)
      batch.push_back(testing::make_entry(index, term_, std::string(random_.between(1, 300), 'e')));
    std::optional<HardState> hard_state;
    if (batch.empty() || random_.chance(1, 2))
      hard_state = testing::make_hard_state(term_, random_.between(1, 3), first);
    for (const Entry& entry : batch) {
      model_.add(entry);
      record_state();
    }
    if (hard_state) {
      model_.hard_state = *hard_state;
      record_state();
    }
    Status status = wal_->append(batch, hard_state);
    return status.ok() || failed(status);
  }

  bool snapshot() {
    SnapshotMeta meta;
    uint64_t last = model_.last_index();
    if (last > model_.snapshot_index() && random_.chance(3, 4)) {
      meta.index = random_.between(model_.snapshot_index() + 1, last);
      meta.term = model_.term_at(meta.index);
    } else {  // installed from a leader: beyond the log, or another history
      meta.index = model_.snapshot_index() + random_.between(1, 20);
      meta.term = ++term_;
    }
    meta.membership.voters = {1, 2, 3};
    model_.apply_snapshot(meta);
    record_state();
    Status status = wal_->append_snapshot(meta);
    return status.ok() || failed(status);
  }

  void record_state() { candidates_.push_back(model_); }

  Random random_;
  MemoryFileSystem fs_;
  std::unique_ptr<Wal> wal_;
  Model model_;
  std::vector<Model> candidates_{Model{}};  // front: last synced; then after each record
  uint64_t term_ = 1;
  uint64_t durable_snapshot_ = 0;
  uint64_t repairs_ = 0;        // torn tails truncated, half-made segments removed
  uint64_t kept_unsynced_ = 0;  // recoveries that kept some unsynced records
  uint64_t power_cuts_ = 0;
};

TEST(WalCrashTest, RecoversSomeStateBetweenTheLastSyncAndTheLastAppend) {
  uint64_t repairs = 0, kept_unsynced = 0, power_cuts = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Driver driver(seed);
    driver.run(8);
    if (HasFailure()) return;
    repairs += driver.repairs();
    kept_unsynced += driver.kept_unsynced();
    power_cuts += driver.power_cuts();
  }
  // The run is not vacuous: crashes tore records and kept some unsynced ones.
  EXPECT_GT(repairs, 100u);
  EXPECT_GT(kept_unsynced, 100u);
  EXPECT_GT(power_cuts, 300u);
  std::printf("%llu repairs, %llu recoveries kept unsynced records, %llu power cuts\n",
              static_cast<unsigned long long>(repairs),
              static_cast<unsigned long long>(kept_unsynced),
              static_cast<unsigned long long>(power_cuts));
}

}  // namespace
}  // namespace synod::storage

// Fuzz target "snapshot": snapshot reading, from the file down to a restored MvccStore.
//
// Input: u8 mode | bytes. Mode bit 0 clear: the bytes are a whole snapshot file (its XXH3
// checksum included); set: the bytes are the snapshot's data, sealed into a file here (so
// mutations reach the layers below the checksum). Mode bit 1 set: the store snapshot's trailing
// FNV-1a is recomputed before restoring, for the same reason.
// The data is unwrapped as the replica restores it: "SYNODMT1" member table, then the "SAL1"
// alarm header, then the kv store snapshot v2, restored into an empty MvccStore.
// Invariants: a file that decodes loads from a SnapshotStore under its own name; the member
// table and alarm list re-encode to what decodes the same; a refused store snapshot leaves the
// store empty; a restored store passes check_invariants, snapshots to bytes that restore to the
// same store, and opens as a Maintenance blob exactly when it restores.
#include <optional>
#include <string>
#include <vector>

#include "core/codec.h"
#include "fuzz_input.h"
#include "fuzz_target.h"
#include "kv/checksum.h"
#include "kv/mvcc_store.h"
#include "kv/snapshot_blob.h"
#include "replica/alarms.h"
#include "replica/member_table.h"
#include "storage/memory_file_system.h"
#include "storage/snapshot_file.h"

namespace synod::fuzz {
namespace {

constexpr uint8_t kModeDataOnly = 1;
constexpr uint8_t kModeFixStoreChecksum = 2;
constexpr const char* kSnapshotDirectory = "data/snap";

std::string with_fnv_trailer(std::string_view store_snapshot) {
  if (store_snapshot.size() < 8) return std::string(store_snapshot);
  std::string_view body = store_snapshot.substr(0, store_snapshot.size() - 8);
  ByteWriter trailer;
  trailer.u64(kv::fnv1a64(body));
  return std::string(body) + trailer.data();
}

void check_member_table(const replica::MemberTable& table) {
  replica::MemberTable again;
  FUZZ_CHECK(again.decode(table.encode()));
  FUZZ_CHECK(again.members() == table.members());
  FUZZ_CHECK(again.encode() == table.encode());
}

void check_alarms(std::string_view store_snapshot, const std::set<replica::Alarm>& alarms) {
  // Without alarms the store snapshot is written as it is, so one that itself starts with "SAL1"
  // (never a real one: those start with "SKV1") would read back as an alarm header.
  if (alarms.empty() && store_snapshot.starts_with("SAL1")) return;
  std::string encoded = replica::encode_state_snapshot(std::string(store_snapshot), alarms);
  std::string_view store_again;
  std::set<replica::Alarm> alarms_again;
  FUZZ_CHECK(replica::decode_state_snapshot(encoded, store_again, alarms_again).ok());
  FUZZ_CHECK(alarms_again == alarms);
  FUZZ_CHECK(store_again == store_snapshot);
}

void check_store(std::string_view store_snapshot) {
  kv::MvccStore store;
  const std::string empty_snapshot = store.snapshot();
  Status restored = store.restore(store_snapshot);
  kv::SnapshotSummary summary;
  Status opened = kv::open_snapshot_blob(kv::seal_snapshot_blob(std::string(store_snapshot)), summary);
  FUZZ_CHECK(opened.ok() == restored.ok());
  if (!restored.ok()) {
    FUZZ_CHECK(restored.code() == StatusCode::kCorruption);
    FUZZ_CHECK(store.snapshot() == empty_snapshot);
    return;
  }
  FUZZ_CHECK(store.check_invariants().ok());
  FUZZ_CHECK(summary.revision == store.current_revision());
  const std::string canonical = store.snapshot();
  kv::MvccStore again;
  FUZZ_CHECK(again.restore(canonical).ok());
  FUZZ_CHECK(again.snapshot() == canonical);
  FUZZ_CHECK(store.hash(0).status.ok());
  FUZZ_CHECK(store.hash(0).hash == again.hash(0).hash);
  // The restored store keeps working: a read of everything and a write.
  kv::RangeResponse everything;
  kv::RangeRequest all{.key = std::string(1, '\0'), .range_end = std::string(1, '\0')};
  FUZZ_CHECK(store.range(all, everything).ok());
  kv::PutResponse put;
  Status written = store.put({.key = "fuzz", .value = "v"}, put);
  FUZZ_CHECK(written.ok() || written.code() == StatusCode::kInvalidArgument);
  FUZZ_CHECK(store.check_invariants().ok());
}

void check_data(std::string_view data, bool fix_store_checksum) {
  replica::MemberTable table;
  std::string_view state_snapshot;
  if (!replica::unwrap_snapshot(data, table, state_snapshot)) return;
  check_member_table(table);
  std::string_view store_view;
  std::set<replica::Alarm> alarms;
  Status decoded = replica::decode_state_snapshot(state_snapshot, store_view, alarms);
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.code() == StatusCode::kCorruption);
    return;
  }
  check_alarms(store_view, alarms);
  check_store(fix_store_checksum ? with_fnv_trailer(store_view) : std::string(store_view));
}

void check_file(std::string_view bytes, bool fix_store_checksum) {
  consensus::Snapshot snapshot;
  Status decoded = storage::decode_snapshot_file("snap", bytes, snapshot);
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.code() == StatusCode::kCorruption);
    return;
  }
  storage::MemoryFileSystem fs;
  fs.set_contents(storage::join_path(kSnapshotDirectory, storage::snapshot_file_name(
                                                             snapshot.meta.term, snapshot.meta.index)),
                  std::string(bytes));
  storage::SnapshotStore store(fs, kSnapshotDirectory);
  std::optional<consensus::Snapshot> loaded;
  FUZZ_CHECK(store.load_newest(loaded).ok());
  FUZZ_CHECK(loaded && *loaded == snapshot);
  check_data(snapshot.data, fix_store_checksum);
}

}  // namespace
}  // namespace synod::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace synod;
  using namespace synod::fuzz;
  FuzzInput input(std::string_view(reinterpret_cast<const char*>(data), size));
  uint8_t mode = input.u8();
  std::string bytes = input.rest();
  bool fix_store_checksum = (mode & kModeFixStoreChecksum) != 0;
  if ((mode & kModeDataOnly) == 0) {
    check_file(bytes, fix_store_checksum);
    return 0;
  }
  consensus::Snapshot snapshot;
  snapshot.meta = {.index = 7, .term = 2, .membership = {.voters = {1, 2, 3}, .learners = {}}};
  snapshot.data = bytes;
  std::string file = storage::encode_snapshot_file(snapshot);
  consensus::Snapshot decoded;
  FUZZ_CHECK(storage::decode_snapshot_file("snap", file, decoded).ok() && decoded == snapshot);
  check_data(bytes, fix_store_checksum);
  return 0;
}

namespace synod::fuzz {

namespace {

std::string store_snapshot_with_history() {
  kv::MvccStore store;
  kv::LeaseGrantResponse granted;
  store.lease_grant({.id = 7, .ttl = 60}, granted);
  kv::PutResponse put;
  store.put({.key = "a", .value = "1"}, put);
  store.put({.key = "a", .value = "2"}, put);
  store.put({.key = "b", .value = "leased", .lease = 7}, put);
  store.put({.key = "c", .value = std::string(100, 'x')}, put);
  kv::DeleteRangeResponse deleted;
  store.delete_range({.key = "c"}, deleted);
  kv::CompactionResponse compacted;
  store.compact({.revision = 3}, compacted);
  kv::LeaseCheckpointResponse checkpointed;
  store.lease_checkpoint({.checkpoints = {{.id = 7, .remaining_ttl = 30}}}, checkpointed);
  return store.snapshot();
}

replica::MemberTable three_members() {
  replica::MemberTable table;
  table.set_initial({{.id = 1, .name = "n1", .peer_urls = {"http://127.0.0.1:2380"},
                      .client_urls = {"http://127.0.0.1:2379"}},
                     {.id = 2, .name = "n2", .peer_urls = {"http://127.0.0.1:2480"}},
                     {.id = 3, .name = "", .peer_urls = {"http://127.0.0.1:2580"}}});
  table.on_added(1, nullptr);
  table.on_added(2, nullptr);
  table.on_added(3, nullptr);
  table.on_removed(3);
  return table;
}

std::string file_of(std::string data) {
  consensus::Snapshot snapshot;
  snapshot.meta = {.index = 12, .term = 3, .membership = {.voters = {1, 2}, .learners = {5}}};
  snapshot.data = std::move(data);
  return std::string(1, '\0') + storage::encode_snapshot_file(snapshot);
}

std::string data_only(std::string data) { return std::string(1, kModeDataOnly) + data; }

}  // namespace

std::vector<SeedInput> seed_inputs() {
  std::string empty_store = kv::MvccStore().snapshot();
  std::string history = store_snapshot_with_history();
  std::set<replica::Alarm> alarms = {{.member = 1, .type = replica::AlarmType::kNoSpace},
                                     {.member = 2, .type = replica::AlarmType::kCorrupt}};
  std::string with_alarms = replica::encode_state_snapshot(history, alarms);
  std::string full = replica::wrap_snapshot(three_members(), with_alarms);
  return {
      {"file-empty-store", file_of(empty_store)},
      {"file-history", file_of(history)},
      {"file-members-alarms-store", file_of(full)},
      {"data-empty-store", data_only(empty_store)},
      {"data-history", data_only(history)},
      {"data-alarms", data_only(with_alarms)},
      {"data-members-alarms-store", data_only(full)},
      {"data-members-only", data_only(replica::wrap_snapshot(three_members(), empty_store))},
      {"data-fix-checksum", std::string(1, kModeDataOnly | kModeFixStoreChecksum) + full},
  };
}

}  // namespace synod::fuzz

// snapshot restore: a data directory from which a node starts with the saved keys at their
// revisions and the new membership; refused files and directories; and the maintenance
// commands' text helpers (go-humanize's Bytes, an alarm's %+v).
#include "ctl/snapshot_restore.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "ctl/maintenance_commands.h"
#include "kv/mvcc_store.h"
#include "kv/snapshot_blob.h"
#include "server/node.h"
#include "synod/options.h"

namespace synod::ctl {
namespace {

using namespace std::chrono_literals;

class SnapshotRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("synod-restore-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    kv::MvccStore store;
    kv::PutResponse put;
    ASSERT_TRUE(store.put({.key = "a", .value = "1"}, put).ok());
    ASSERT_TRUE(store.put({.key = "b", .value = "2"}, put).ok());
    ASSERT_TRUE(store.put({.key = "a", .value = "3"}, put).ok());
    blob_ = kv::seal_snapshot_blob(store.snapshot());
    write(path("snap.db"), blob_);
    flags_.snapshot_path = path("snap.db");
    flags_.name = "m1";
    flags_.data_dir = path("m1.synod");
    flags_.initial_cluster = "m1=http://127.0.0.1:42380";
    flags_.initial_cluster_token = "restored";
    flags_.initial_advertise_peer_urls = "http://127.0.0.1:42380";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static void write(const std::string& file, const std::string& contents) {
    storage::PosixFileSystem fs;
    std::unique_ptr<storage::WritableFile> out;
    ASSERT_TRUE(fs.open_for_append(file, 0, out).ok());
    ASSERT_TRUE(out->append(contents).ok());
    ASSERT_TRUE(out->sync_data().ok());
  }

  std::filesystem::path dir_;
  std::string blob_;
  RestoreFlags flags_;
  storage::PosixFileSystem fs_;
};

TEST_F(SnapshotRestoreTest, ANodeStartsFromTheRestoredDirectoryWithTheKeys) {
  Status restored = restore_snapshot(fs_, flags_);
  ASSERT_TRUE(restored.ok()) << restored.message();

  // synod with the same flags.
  app::CommandLine command_line = app::parse_command_line(
      {"--name", "m1", "--data-dir", flags_.data_dir, "--initial-cluster", flags_.initial_cluster,
       "--initial-cluster-token", "restored", "--initial-advertise-peer-urls",
       flags_.initial_advertise_peer_urls, "--listen-peer-urls", "http://127.0.0.1:0",
       "--heartbeat-interval", "10", "--election-timeout", "100"});
  ASSERT_EQ(command_line.action, app::CommandLine::Action::kServe) << command_line.text;
  server::NodeConfig config = command_line.options.node;
  config.log = [](const std::string&) {};
  server::Node node(config, fs_);
  Status started = node.start();
  ASSERT_TRUE(started.ok()) << started.message();
  EXPECT_EQ(node.status().revision, 4);  // the saved revision, as etcd's restore keeps it

  // It elects itself (in term 2: the restored log is at term 1), then serves linearizable reads.
  for (int attempt = 0; attempt < 250 && node.status().leader != config.id; ++attempt)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(node.status().leader, config.id);
  EXPECT_GE(node.status().raft_term, 2u);
  std::promise<kv::ApplyResult> answered;
  kv::RangeRequest range{.key = "a", .range_end = "c"};
  node.submit(range, [&answered](const kv::ApplyResult& result, const server::HeaderInfo&) {
    answered.set_value(result);
  });
  kv::ApplyResult result = answered.get_future().get();
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  const auto& response = std::get<kv::RangeResponse>(result.response);
  ASSERT_EQ(response.kvs.size(), 2u);
  EXPECT_EQ(response.kvs[0].value, "3");
  EXPECT_EQ(response.kvs[0].mod_revision, 4);
  EXPECT_EQ(response.kvs[0].create_revision, 2);
  EXPECT_EQ(response.kvs[1].value, "2");
  const server::NodeStatus status = node.status();
  ASSERT_EQ(status.members.size(), 1u);
  EXPECT_EQ(status.members[0].id, config.id);
  // Named and addressed from the restore's flags, as etcd's restore writes its members.
  EXPECT_EQ(status.members[0].name, "m1");
  EXPECT_EQ(status.members[0].peer_urls, std::vector<std::string>{flags_.initial_advertise_peer_urls});
  node.stop();
}

TEST_F(SnapshotRestoreTest, CorruptOrTruncatedFilesAreRefusedNamingTheFile) {
  write(path("cut.db"), blob_.substr(0, blob_.size() - 5));
  flags_.snapshot_path = path("cut.db");
  Status refused = restore_snapshot(fs_, flags_);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find(path("cut.db")), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("sha256"), std::string::npos) << refused.message();

  std::string flipped = blob_;
  flipped[flipped.size() / 2] ^= 1;
  write(path("flipped.db"), flipped);
  flags_.snapshot_path = path("flipped.db");
  EXPECT_FALSE(restore_snapshot(fs_, flags_).ok());

  flags_.snapshot_path = path("missing.db");
  refused = restore_snapshot(fs_, flags_);
  EXPECT_NE(refused.message().find(path("missing.db")), std::string::npos) << refused.message();
  EXPECT_FALSE(std::filesystem::exists(flags_.data_dir));  // nothing written on refusal
}

TEST_F(SnapshotRestoreTest, AnExistingDataDirectoryOrBadFlagsAreRefused) {
  std::filesystem::create_directories(flags_.data_dir);
  Status refused = restore_snapshot(fs_, flags_);
  EXPECT_NE(refused.message().find("exists"), std::string::npos) << refused.message();
  std::filesystem::remove_all(flags_.data_dir);

  flags_.name = "stranger";
  refused = restore_snapshot(fs_, flags_);
  EXPECT_NE(refused.message().find("--initial-cluster"), std::string::npos) << refused.message();
}

TEST(MaintenanceText, HumanizeBytesAsGoHumanize) {
  EXPECT_EQ(humanize_bytes(0), "0 B");
  EXPECT_EQ(humanize_bytes(9), "9 B");
  EXPECT_EQ(humanize_bytes(82), "82 B");
  EXPECT_EQ(humanize_bytes(999), "999 B");
  EXPECT_EQ(humanize_bytes(1000), "1.0 kB");
  EXPECT_EQ(humanize_bytes(20480), "20 kB");
  EXPECT_EQ(humanize_bytes(2100000), "2.1 MB");
  EXPECT_EQ(humanize_bytes(25 * 1000 * 1000), "25 MB");
}

TEST(MaintenanceText, AlarmAsEtcdctlPrintsIt) {
  etcdserverpb::AlarmMember alarm;
  alarm.set_memberid(10276657743932975437ull);
  alarm.set_alarm(etcdserverpb::NOSPACE);
  EXPECT_EQ(alarm_text(alarm), "memberID:10276657743932975437 alarm:NOSPACE ");
}

}  // namespace
}  // namespace synod::ctl

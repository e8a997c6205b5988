// synodctl watch: interactive line parsing, the create request etcdctl's getWatchChan builds, and
// the printed text, with golden strings taken from etcdctl 3.4 (tests/e2e/test_watch.py compares
// the whole command against etcdctl on a live etcd).
#include "ctl/watch_command.h"

#include <gtest/gtest.h>

#include <sstream>

namespace synod::ctl {
namespace {

TEST(WatchCommandTest, InteractiveLinesParseLikePflag) {
  Outcome<WatchFlags> flags =
      parse_watch_line({"watch", "--rev", "4", "--prefix", "foo/", "--prev-kv=true"});
  ASSERT_TRUE(flags.ok()) << flags.error().message;
  EXPECT_EQ(flags.value().revision, 4);
  EXPECT_TRUE(flags.value().prefix);
  EXPECT_TRUE(flags.value().prev_kv);
  EXPECT_EQ(flags.value().arguments, std::vector<std::string>{"foo/"});
  EXPECT_EQ(parse_watch_line({"watch", "--rev=7", "a", "b"}).value().revision, 7);

  Outcome<WatchFlags> unknown = parse_watch_line({"watch", "--bogus", "a"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "unknown flag: --bogus");
  EXPECT_EQ(unknown.error().exit_code, ExitCode::kBadArgs);
  EXPECT_EQ(parse_watch_line({"watch", "--rev", "x", "a"}).error().message,
            "invalid argument \"x\" for \"--rev\" flag: strconv.ParseInt: parsing \"x\": "
            "invalid syntax");
  EXPECT_EQ(parse_watch_line({"watch", "--prefix"}).error().message, "bad number of arguments");
}

TEST(WatchCommandTest, CreateRequestsAsClientv3) {
  WatchFlags flags;
  flags.arguments = {"foo"};
  flags.prefix = true;
  etcdserverpb::WatchCreateRequest prefix = watch_create_request(flags).value();
  EXPECT_EQ(prefix.key(), "foo");
  EXPECT_EQ(prefix.range_end(), "fop");
  flags.arguments = {""};
  etcdserverpb::WatchCreateRequest everything = watch_create_request(flags).value();
  EXPECT_EQ(everything.key(), std::string(1, '\0'));
  EXPECT_EQ(everything.range_end(), std::string(1, '\0'));
  flags.arguments = {"a", "b"};
  EXPECT_EQ(watch_create_request(flags).error().message,
            "`range_end` and `--prefix` are mutually exclusive");
  flags.prefix = false;
  flags.revision = 3;
  flags.prev_kv = true;
  etcdserverpb::WatchCreateRequest range = watch_create_request(flags).value();
  EXPECT_EQ(range.range_end(), "b");
  EXPECT_EQ(range.start_revision(), 3);
  EXPECT_TRUE(range.prev_kv());
}

etcdserverpb::WatchResponse sample_response() {
  etcdserverpb::WatchResponse response;
  response.mutable_header()->set_cluster_id(1);
  response.mutable_header()->set_member_id(2);
  response.mutable_header()->set_revision(9);
  response.mutable_header()->set_raft_term(3);
  mvccpb::Event& put = *response.add_events();
  put.mutable_kv()->set_key("foo/a");
  put.mutable_kv()->set_value("6");
  put.mutable_kv()->set_create_revision(9);
  put.mutable_kv()->set_mod_revision(9);
  put.mutable_kv()->set_version(1);
  mvccpb::Event& del = *response.add_events();
  del.set_type(mvccpb::Event::DELETE);
  del.mutable_kv()->set_key("foo/b");
  del.mutable_kv()->set_mod_revision(9);
  del.mutable_prev_kv()->set_key("foo/b");
  del.mutable_prev_kv()->set_value("3");
  return response;
}

TEST(WatchCommandTest, SimpleOutput) {
  std::ostringstream out, err;
  print_watch_response(sample_response(), false, false, out, err);
  EXPECT_EQ(out.str(), "PUT\nfoo/a\n6\nDELETE\nfoo/b\n3\nfoo/b\n\n");
  EXPECT_EQ(err.str(), "");
}

TEST(WatchCommandTest, JsonOutputIsClientv3sWatchResponse) {
  std::ostringstream out, err;
  print_watch_response(sample_response(), true, false, out, err);
  EXPECT_EQ(out.str(),
            "{\"Header\":{\"cluster_id\":1,\"member_id\":2,\"revision\":9,\"raft_term\":3},"
            "\"Events\":[{\"kv\":{\"key\":\"Zm9vL2E=\",\"create_revision\":9,\"mod_revision\":9,"
            "\"version\":1,\"value\":\"Ng==\"}},{\"type\":1,\"kv\":{\"key\":\"Zm9vL2I=\","
            "\"mod_revision\":9},\"prev_kv\":{\"key\":\"Zm9vL2I=\",\"value\":\"Mw==\"}}],"
            "\"CompactRevision\":0,\"Canceled\":false,\"Created\":false}\n");
}

TEST(WatchCommandTest, CanceledAndProgressLines) {
  etcdserverpb::WatchResponse compacted;
  compacted.set_canceled(true);
  compacted.set_compact_revision(9);
  std::ostringstream out, err;
  print_watch_response(compacted, false, false, out, err);
  EXPECT_EQ(err.str(), "watch was canceled (etcdserver: mvcc: required revision has been compacted)\n");
  EXPECT_EQ(out.str(), "");

  etcdserverpb::WatchResponse progress;
  progress.mutable_header()->set_revision(12);
  std::ostringstream progress_out, progress_err;
  print_watch_response(progress, false, false, progress_out, progress_err);
  EXPECT_EQ(progress_out.str(), "progress notify: 12\n");
}

}  // namespace
}  // namespace synod::ctl

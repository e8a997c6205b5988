// synodctl lease: ids printed as Go's %016x, and etcdctl's argument errors and exit codes, which
// come before any connection (so no server is needed here).
#include "ctl/command_lease.h"

#include <gtest/gtest.h>

#include <functional>
#include <sstream>

namespace synod::ctl {
namespace {

TEST(CommandLeaseTest, IdsPrintAsGoZeroPaddedHex) {
  EXPECT_EQ(lease_id_hex(0x694d7b1b1b8e8c0a), "694d7b1b1b8e8c0a");
  EXPECT_EQ(lease_id_hex(0x123456789abcdef), "0123456789abcdef");
  EXPECT_EQ(lease_id_hex(0), "0000000000000000");
  EXPECT_EQ(lease_id_hex(-5), "-000000000000005");  // the sign counts in Go's width
  EXPECT_EQ(lease_id_hex(INT64_MIN), "-8000000000000000");
}

struct Outcome {
  int exit_code;
  std::string out, err;
};

using Command = std::function<int(const Session&, const LeaseFlags&, CommandIo)>;

Outcome run(const Command& command, LeaseFlags flags, const std::string& write_out = "simple") {
  Session session;
  session.endpoints = {"127.0.0.1:1"};  // never reached: every case fails before connecting
  session.write_out = write_out;
  std::istringstream in;
  std::ostringstream out, err;
  const int exit_code = command(session, flags, {in, out, err});
  return {exit_code, out.str(), err.str()};
}

TEST(CommandLeaseTest, ArgumentErrorsAreEtcdctls) {
  struct Case {
    const char* name;
    Command command;
    LeaseFlags flags;
    std::string expected_err;
  };
  const Case cases[] = {
      {"grant without ttl", run_lease_grant, {}, "Error: lease grant command needs TTL argument\n"},
      {"grant bad ttl", run_lease_grant, {{"x"}},
       "Error: bad TTL (strconv.ParseInt: parsing \"x\": invalid syntax)\n"},
      {"revoke two ids", run_lease_revoke, {{"1", "2"}}, "Error: lease revoke command needs 1 argument\n"},
      {"revoke bad id", run_lease_revoke, {{"xyz"}},
       "Error: bad lease ID arg (strconv.ParseInt: parsing \"xyz\": invalid syntax), expecting ID in Hex\n"},
      {"timetolive without id", run_lease_time_to_live, {},
       "Error: lease timetolive command needs lease ID as argument\n"},
      {"keep-alive without id", run_lease_keep_alive, {},
       "Error: lease keep-alive command needs lease ID as argument\n"},
  };
  for (const Case& c : cases) {
    const Outcome outcome = run(c.command, c.flags);
    EXPECT_EQ(outcome.exit_code, 128) << c.name;
    EXPECT_EQ(outcome.err, c.expected_err) << c.name;
    EXPECT_EQ(outcome.out, "") << c.name;
  }
}

// json, fields and protobuf are printed (e2e_lease compares them with etcdctl's); table is not.
TEST(CommandLeaseTest, TableAndUnknownFormatsAreRefused) {
  const Outcome table = run(run_lease_grant, {{"10"}}, "table");
  EXPECT_EQ(table.exit_code, 4);
  EXPECT_EQ(table.err, "Error: table not supported as output format\n");
  const Outcome unknown = run(run_lease_list, {}, "yaml");
  EXPECT_EQ(unknown.exit_code, 4);
}

}  // namespace
}  // namespace synod::ctl

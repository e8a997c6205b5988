// synodctl against the real etcdctl 3.4: two fresh etcd servers that start identically (same
// member and cluster IDs, same raft term), one script of commands run with etcdctl against the
// first and with synodctl against the second, and after every command the same stdout, the
// same exit code and the same stderr (etcdctl's own log lines aside). Skipped when etcd or
// etcdctl 3.4 is not on PATH. Only 127.0.0.1 is used.
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "subprocess.h"

namespace synod::ctl::testing {
namespace {

namespace fs = std::filesystem;

// What a step compares: everything, or for a usage error only the exit code and the "Error:"
// line, because etcdctl adds cobra's usage text (to stdout after a bad flag, to stderr after a
// bad txn request line) and synodctl does not copy it.
enum class Compared { kEverything, kErrorLine };

// Which servers a step runs against. Writes go to each client's own server. Endpoint status
// asks the first server twice: its db size depends on when bbolt happened to commit, which two
// servers given the same writes do not share.
enum class Servers { kOnePerClient, kBothOnFirst };

struct Step {
  Step(std::vector<std::string> arguments, std::string stdin_text = "",
       Compared compared = Compared::kEverything, Servers servers = Servers::kOnePerClient)
      : arguments(std::move(arguments)),
        stdin_text(std::move(stdin_text)),
        compared(compared),
        servers(servers) {}

  std::vector<std::string> arguments;
  std::string stdin_text;
  Compared compared;
  Servers servers;
};

Step status_step(std::vector<std::string> arguments) {
  return {std::move(arguments), "", Compared::kEverything, Servers::kBothOnFirst};
}

Step usage_error(std::vector<std::string> arguments, std::string stdin_text = "") {
  return {std::move(arguments), std::move(stdin_text), Compared::kErrorLine};
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// etcdctl's zap logger writes JSON lines of its own ("retrying of unary invoker failed").
std::string without_log_lines(const std::string& text) {
  std::istringstream lines(text);
  std::string kept;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"level\":", 0) == 0) continue;
    kept += line + "\n";
  }
  return kept;
}

std::string last_error_line(const std::string& text) {
  std::istringstream lines(text);
  std::string last;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Error:", 0) == 0) last = line;
  }
  return last;
}

std::string printable(const std::vector<std::string>& arguments) {
  std::string text;
  for (const std::string& argument : arguments) text += " '" + argument + "'";
  return text;
}

class EtcdctlComparison : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!find_on_path("etcd") || !find_on_path("etcdctl")) {
      GTEST_SKIP() << "etcd and etcdctl are not both on PATH";
    }
    char pattern[] = "/tmp/synodctl-comparison-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    scratch_ = pattern;
    // synodctl copies etcdctl 3.4; later versions print some things differently.
    const ProgramResult version = run_program({"etcdctl", "version"}, "", scratch_);
    if (version.out.find("etcdctl version: 3.4.") == std::string::npos) {
      GTEST_SKIP() << "the comparison needs etcdctl 3.4; found: " << version.out;
    }
  }

  void TearDown() override {
    etcd_for_etcdctl_.reset();
    etcd_for_synodctl_.reset();
    if (scratch_.empty()) return;
    if (HasFailure()) {
      std::cerr << "etcd data and logs kept in " << scratch_ << "\n";
    } else {
      fs::remove_all(scratch_);
    }
  }

  void start_servers(const std::vector<std::string>& extra_flags = {}) {
    const std::vector<int> ports = free_ports(5);
    ASSERT_EQ(ports.size(), 5u);
    etcd_for_etcdctl_ =
        std::make_unique<EtcdServer>(scratch_ / "etcd-a", ports[0], ports[1], extra_flags);
    etcd_for_synodctl_ =
        std::make_unique<EtcdServer>(scratch_ / "etcd-b", ports[2], ports[3], extra_flags);
    dead_endpoint_ = "127.0.0.1:" + std::to_string(ports[4]);
    wait_until_settled(*etcd_for_etcdctl_);
    wait_until_settled(*etcd_for_synodctl_);
  }

  // Ready, and done with its own start-up proposals (member publish, cluster version), so
  // both servers' raft indexes move only with the commands the test sends.
  void wait_until_settled(const EtcdServer& server) {
    std::optional<std::uint64_t> last_index;
    for (int attempt = 0; attempt < 300; ++attempt) {
      const std::optional<std::uint64_t> index = raft_index(server);
      if (index && *index >= 4 && last_index == index) return;
      last_index = index;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "etcd at " << server.endpoint() << " did not settle; its log:\n" << server.log();
  }

  std::optional<std::uint64_t> raft_index(const EtcdServer& server) {
    const nlohmann::json status = endpoint_status_json(server);
    if (!status.is_array() || status.empty()) return std::nullopt;
    const nlohmann::json& fields = status[0]["Status"];
    if (!fields.contains("raftIndex")) return std::nullopt;
    const auto index = fields["raftIndex"].get<std::uint64_t>();
    if (fields.value("raftAppliedIndex", std::uint64_t{0}) != index) return std::nullopt;
    return index;
  }

  nlohmann::json endpoint_status_json(const EtcdServer& server) {
    const ProgramResult result =
        run_program({"etcdctl", "--endpoints", server.endpoint(), "--command-timeout", "1s", "-w",
                     "json", "endpoint", "status"},
                    "", scratch_);
    if (result.exit_code != 0) return nullptr;
    return nlohmann::json::parse(result.out, nullptr, /*allow_exceptions=*/false);
  }

  // Runs `step` with both clients and expects the same output. In an argument, `{endpoint}`
  // stands for the client's server and `{dead}` for a port nothing listens on; without
  // `{endpoint}`, --endpoints is added.
  void expect_same(const Step& step) {
    const std::string endpoint_a = etcd_for_etcdctl_->endpoint();
    const std::string endpoint_b =
        step.servers == Servers::kBothOnFirst ? endpoint_a : etcd_for_synodctl_->endpoint();
    ASSERT_EQ(endpoint_a.size(), endpoint_b.size());
    const auto command = [&](const std::string& program, const std::string& endpoint) {
      std::vector<std::string> argv = {program};
      bool endpoints_given = false;
      for (const std::string& argument : step.arguments) {
        endpoints_given = endpoints_given || argument.find("{endpoint}") != std::string::npos;
        argv.push_back(
            replace_all(replace_all(argument, "{endpoint}", endpoint), "{dead}", dead_endpoint_));
      }
      if (!endpoints_given) argv.insert(argv.begin() + 1, {"--endpoints", endpoint});
      return argv;
    };
    const ProgramResult expected =
        run_program(command("etcdctl", endpoint_a), step.stdin_text, scratch_);
    ProgramResult actual =
        run_program(command(synodctl_binary(), endpoint_b), step.stdin_text, scratch_);
    actual.out = replace_all(actual.out, endpoint_b, endpoint_a);
    actual.err = replace_all(actual.err, endpoint_b, endpoint_a);

    SCOPED_TRACE("command:" + printable(step.arguments));
    EXPECT_EQ(actual.exit_code, expected.exit_code);
    if (step.compared == Compared::kErrorLine) {
      EXPECT_NE(last_error_line(expected.err), "");
      EXPECT_EQ(last_error_line(actual.err), last_error_line(expected.err));
      return;
    }
    EXPECT_EQ(actual.out, expected.out);
    EXPECT_EQ(actual.err, without_log_lines(expected.err));
  }

  void expect_same(const std::vector<Step>& steps) {
    for (const Step& step : steps) expect_same(step);
  }

  // Polls both servers until `ready` holds for each endpoint-status answer.
  void wait_for_both(const std::function<bool(const nlohmann::json&)>& ready) {
    for (const EtcdServer* server : {etcd_for_etcdctl_.get(), etcd_for_synodctl_.get()}) {
      bool done = false;
      for (int attempt = 0; attempt < 100 && !done; ++attempt) {
        const nlohmann::json status = endpoint_status_json(*server);
        done = status.is_array() && !status.empty() && ready(status[0]["Status"]);
        if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      ASSERT_TRUE(done) << "etcd at " << server->endpoint() << " never got ready";
    }
  }

  static std::string synodctl_binary() { return SYNODCTL_BINARY; }

  fs::path scratch_;
  std::unique_ptr<EtcdServer> etcd_for_etcdctl_;
  std::unique_ptr<EtcdServer> etcd_for_synodctl_;
  std::string dead_endpoint_;
};

const std::string kBinaryKey = "bin\x01\xc3\xa9\xff\t<&>";
const std::string kBinaryValue = "v\x7f\xe2\x80\xa8\"\\ \xc2\x85";

std::vector<Step> put_steps() {
  return {
      {{"put", "foo", "bar"}},
      {{"put", "foo", "baz", "--prev-kv"}},
      {{"-w", "json", "put", "foo", "qux", "--prev-kv"}},
      {{"-w", "fields", "put", "foo", "quux", "--prev-kv"}},
      {{"-w", "protobuf", "put", "p/1", "one", "--prev-kv"}},
      {{"put", "p/2"}, "two from stdin\n"},
      {{"put", "p/3", "three", "--ignore-lease"}},  // no such key yet: an error
      {{"put", "p/3", "three"}},
      {{"put", "--ignore-value", "p/3", "--prev-kv"}},
      {{"put", "p/4", "four", "extra", "words"}},
      {{"put", kBinaryKey, kBinaryValue}},
      {{"put", "--", "-dash", "-value"}},
      {{"put", "", "empty key"}},
      {{"put", "k", "v", "--lease", "zz"}},
      {{"put", "k", "v", "--lease", "1234"}},
      {{"put"}},
      {{"put", "lonely"}},  // no value and nothing on stdin
      {{"put", "a", "--ignore-value", "b"}},
      {{"-w", "xml", "put", "x", "y"}},
  };
}

std::vector<Step> get_steps() {
  return {
      {{"get", "foo"}},
      {{"-w", "json", "get", "foo"}},
      {{"-w", "fields", "get", "foo"}},
      {{"-w", "protobuf", "get", "foo"}},
      {{"--hex", "get", "", "--prefix"}},
      {{"get", "", "--prefix"}},
      {{"-w", "json", "get", "", "--prefix"}},
      {{"-w", "fields", "get", "", "--from-key"}},
      {{"get", "p/", "--prefix", "--keys-only"}},
      {{"get", "p/", "--prefix", "--print-value-only"}},
      {{"get", "p/1", "p/3"}},
      {{"get", "p/1", "p/3", "ignored"}},
      {{"get", "p/2", "--from-key", "--limit", "2", "-w", "json"}},
      {{"get", "p/", "--prefix", "--limit", "0x2"}},
      {{"get", "p/", "--prefix", "--order", "DESCEND"}},
      {{"get", "p/", "--prefix", "--sort-by", "VALUE"}},
      {{"get", "p/", "--prefix", "--sort-by", "create", "--order", "descend"}},
      {{"get", "p/", "--prefix", "--sort-by", "MODIFY", "--order", "ASCEND", "-w", "json"}},
      {{"get", "p/", "--prefix", "--sort-by", "VERSION", "--order", "DESCEND"}},
      {{"get", "foo", "--rev", "2", "-w", "json"}},
      {{"get", "foo", "--rev=-3"}},
      {{"get", "foo", "--consistency", "s", "-w", "json"}},
      {{"get", "nothing", "-w", "json"}},
      {{"get", "nothing", "-w", "fields"}},
      {{"get", "foo", "--rev", "100000"}},
      {{"get"}},
      {{"get", "x", "--order", "up"}},
      {{"get", "x", "--sort-by", "up"}},
      {{"get", "x", "--consistency", "q"}},
      {{"get", "x", "y", "--prefix"}},
      {{"get", "x", "--prefix", "--from-key"}},
      {{"-w", "json", "get", "x", "--print-value-only"}},
      {{"-w", "table", "get", "x"}},
      {{"-w", "xml", "get", "x"}},
      usage_error({"get", "x", "--limit", "abc"}),
      usage_error({"get", "x", "--rev", "1_"}),
      usage_error({"--command-timeout", "2", "get", "x"}),
      usage_error({"--dial-timeout", "1x", "get", "x"}),
      {{"--command-timeout", "1.5s", "--dial-timeout=1s", "get", "foo"}},
  };
}

std::vector<Step> delete_steps() {
  return {
      {{"del", "nothing"}},
      {{"del", "p/1", "--prev-kv"}},
      {{"-w", "json", "del", "p/", "--prefix", "--prev-kv"}},
      {{"-w", "fields", "del", "foo", "--prev-kv"}},
      {{"-w", "protobuf", "del", "--", "-dash"}},
      {{"put", "r/a", "1"}},
      {{"put", "r/b", "2"}},
      {{"del", "r/a", "r/b"}},
      {{"del", "r/", "--from-key", "--prev-kv"}},
      {{"del"}},
      {{"del", "a", "b", "c"}},
      {{"del", "a", "--prefix", "--from-key"}},
      {{"del", "a", "b", "--prefix"}},
  };
}

std::vector<Step> txn_steps() {
  return {
      {{"put", "t", "base"}},
      {{"txn"}, "mod(\"t\") > \"0\"\n\nput t/a 1\nget t\ndel t/none --prev-kv\n\nget t\n\n"},
      {{"-w", "json", "txn"},
       "mod(\"t\") > \"0\"\nval(\"t\") = \"base\"\nver(\"t\") != \"0\"\nc(\"t\") < \"1000\"\n\n"
       "put t/a 2 --prev-kv\nget t --keys-only\ndel t/none --prev-kv\n\nget t\n\n"},
      {{"-w", "fields", "txn"},
       "value(\"t\") = \"nope\"\n\nput t/a 1 --prev-kv\n\nget t\ndel nothing\nput t/b \"two "
       "words\"\n\n"},
      {{"-w", "protobuf", "txn"}, "version(\"t\") = \"1\"\n\nget t\n\nget t/a\n\n"},
      {{"txn", "-i"}, "create(\"t\") > \"1\"\n\nget t/b\n\nget t\n\n"},
      {{"txn", "--interactive"}, "\n\n\n"},
      {{"txn"}, "m(\"t\") = \"0\"\n\n\nput \"t/\\x41\\u00e9\" \"two words\"\nget t/ --prefix\n\n"},
      {{"txn"}, "mod(\"t\")>\"0\"\n\n\n\n"},
      {{"txn"}, "mod(t) > \"0\"\n\n\n\n"},
      {{"txn"}, "mod(\"t\") > 0\n\n\n\n"},
      {{"txn"}, "mod(\"t\") > \"x\"\n\n\n\n"},
      {{"txn"}, "bogus(\"t\") > \"1\"\n\n\n\n"},
      {{"txn"}, "no parenthesis\n\n\n\n"},
      {{"txn"}, "mod(\"t\") > \"0\" trailing words\n\n\n\n"},
      {{"txn"}, "mod( \"t\" ) > \"0\"\n\n\n\n"},
      {{"txn"}, "mod(`t`) > `0`\n\n\n\n"},
      {{"txn"}, "\nput a\n\n\n"},
      {{"txn"}, "\nfrob a b\n\n\n"},
      usage_error({"txn"}, "\nput a b --bogus\n\n\n"),
      {{"txn"}, "\nget a --order up\n\n\n"},
      usage_error({"txn"}, "\nget a --limit x\n\n\n"),
      {{"txn"}, "\nput \"bad\\q\" v\n\n\n"},
      {{"txn"}, "\nput t/dup 1\ndel t/dup\n\n\n"},
      {{"txn"}, "\n\nput x y\n\n"},  // ends inside the failure section
      {{"txn"}, ""},
      {{"txn"}, "mod(\"t\") > \"0\"\n\nput t/c 3"},
      {{"txn", "extra"}},
      {{"-w", "table", "txn"}, "\n\n\n"},
  };
}

std::vector<Step> compaction_steps() {
  return {
      {{"compaction", "3"}},
      {{"compaction", "3"}},
      {{"compaction", "100000"}},
      {{"compaction", "5", "--physical"}},
      {{"-w", "table", "compaction", "6"}},
      {{"get", "t", "--rev", "2"}},
      {{"compaction"}},
      {{"compaction", "abc"}},
      {{"-w", "xml", "compaction", "7"}},
  };
}

std::vector<Step> endpoint_steps() {
  return {
      status_step({"endpoint", "status"}),
      status_step({"-w", "json", "endpoint", "status"}),
      status_step({"-w", "table", "endpoint", "status"}),
      status_step({"-w", "fields", "endpoint", "status"}),
      status_step({"-w", "protobuf", "endpoint", "status"}),
      status_step({"--endpoints", "http://{endpoint}", "-w", "table", "endpoint", "status"}),
      status_step(
          {"--endpoints", "{endpoint},{dead}", "--command-timeout", "1s", "endpoint", "status"}),
      {{"--endpoints", "{dead},{endpoint}", "-w", "json", "get", "foo"}},
  };
}

TEST_F(EtcdctlComparison, SameOutputForEveryCommandAndFormat) {
  ASSERT_NO_FATAL_FAILURE(start_servers());
  for (const std::vector<Step>& steps : {put_steps(), get_steps(), delete_steps(), txn_steps(),
                                         compaction_steps(), endpoint_steps()}) {
    ASSERT_NO_FATAL_FAILURE(expect_same(steps));
  }
}

// A full backend: puts fail with etcd's error and endpoint status carries the NOSPACE alarm,
// long enough for the table printer to wrap it over two lines.
TEST_F(EtcdctlComparison, SameOutputWithTheNoSpaceAlarm) {
  constexpr std::int64_t kQuotaBytes = 100000;
  ASSERT_NO_FATAL_FAILURE(start_servers({"--quota-backend-bytes=" + std::to_string(kQuotaBytes)}));
  const std::string big_value(60000, 'x');
  expect_same(Step({"put", "big/1"}, big_value));
  // etcd checks the quota against the backend's file size, which grows when the backend commits
  // (every 100ms): wait until it leaves no room for another big value on either server.
  ASSERT_NO_FATAL_FAILURE(wait_for_both([&](const nlohmann::json& status) {
    const auto size = status.value("dbSize", std::int64_t{0});
    return size + static_cast<std::int64_t>(big_value.size()) > kQuotaBytes;
  }));
  expect_same(Step({"put", "big/2"}, big_value));
  // The failed put raises the alarm through raft, asynchronously.
  ASSERT_NO_FATAL_FAILURE(wait_for_both([](const nlohmann::json& status) {
    return status.contains("errors") && status["raftIndex"] == status["raftAppliedIndex"];
  }));
  expect_same({
      {{"put", "big/3"}, big_value},
      {{"txn"}, "\nput small 1\n\n\n"},
      {{"get", "big/", "--prefix", "--keys-only"}},
      status_step({"endpoint", "status"}),
      status_step({"-w", "json", "endpoint", "status"}),
      status_step({"-w", "table", "endpoint", "status"}),
      status_step({"-w", "fields", "endpoint", "status"}),
  });
}

}  // namespace
}  // namespace synod::ctl::testing

#pragma once
// Running programs for the etcdctl comparison: a command with given stdin, its stdout, stderr
// and exit code; long-lived etcd servers; free ports on 127.0.0.1; PATH lookup. POSIX only.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace synod::ctl::testing {

struct ProgramResult {
  int exit_code = -1;  // -1: killed or did not start
  std::string out;
  std::string err;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// The environment without ETCDCTL_* and ETCD_* settings, which would change what both clients
// and the servers do; etcdctl is told to use the v3 API.
inline std::vector<std::string> clean_environment() {
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string variable = *entry;
    if (variable.rfind("ETCDCTL_", 0) == 0 || variable.rfind("ETCD_", 0) == 0) continue;
    variables.push_back(variable);
  }
  variables.push_back("ETCDCTL_API=3");
  return variables;
}

// Starts `argv` with stdin, stdout and stderr redirected to files; returns its pid.
inline pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& stdin_path,
                   const std::filesystem::path& stdout_path,
                   const std::filesystem::path& stderr_path) {
  // Everything the child needs is built before fork: it only opens, dups and execs.
  const std::vector<std::string> environment = clean_environment();
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);
  std::vector<char*> variables;
  for (const std::string& variable : environment) {
    variables.push_back(const_cast<char*>(variable.c_str()));
  }
  variables.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int in = open(stdin_path.c_str(), O_RDONLY);
  const int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0) _exit(126);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  execvpe(arguments[0], arguments.data(), variables.data());
  _exit(127);
}

// Waits for `pid`, killing it after `timeout`; its exit code, or -1 if it was killed.
inline int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline ProgramResult run_program(const std::vector<std::string>& argv,
                                 const std::string& stdin_text,
                                 const std::filesystem::path& scratch_dir) {
  const std::filesystem::path in = scratch_dir / "stdin";
  const std::filesystem::path out = scratch_dir / "stdout";
  const std::filesystem::path err = scratch_dir / "stderr";
  write_file(in, stdin_text);
  ProgramResult result;
  result.exit_code = wait_for(spawn(argv, in, out, err), std::chrono::seconds(60));
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

inline std::optional<std::filesystem::path> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::stringstream directories(path);
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    if (directory.empty()) continue;
    const std::filesystem::path candidate = std::filesystem::path(directory) / program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// `count` distinct ports that were free on 127.0.0.1 a moment ago, all of five digits so that
// endpoints of different servers print with the same width.
// Free ports below the kernel's ephemeral range: a port from that range can become the source
// port of another test's outgoing connection between this check and the server's bind.
inline std::vector<int> free_ports(std::size_t count) {
  int ephemeral_low = 32768;
  if (FILE* range = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    int high = 0;
    if (std::fscanf(range, "%d %d", &ephemeral_low, &high) != 2) ephemeral_low = 32768;
    std::fclose(range);
  }
  const int bottom = ephemeral_low > 12000 ? 10000 : ephemeral_low;
  const int top = ephemeral_low > 12000 ? ephemeral_low - 1 : 60999;
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pick(bottom, top);
  static std::set<int> handed_out;  // earlier ports may not be bound yet: never hand one out twice
  std::vector<int> sockets;
  std::vector<int> ports;
  for (int attempt = 0; ports.size() < count && attempt < 1000; ++attempt) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int candidate = pick(random);
    if (handed_out.count(candidate) != 0) {
      close(fd);
      continue;
    }
    address.sin_port = htons(static_cast<std::uint16_t>(candidate));
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      close(fd);
      continue;
    }
    sockets.push_back(fd);  // held open until all are chosen, so none repeats
    ports.push_back(candidate);
    handed_out.insert(candidate);
  }
  for (const int fd : sockets) close(fd);
  return ports;
}

// An etcd server on 127.0.0.1 in its own data directory, stopped when this goes away.
class EtcdServer {
 public:
  EtcdServer(const std::filesystem::path& directory, int client_port, int peer_port,
             std::vector<std::string> extra_flags = {})
      : directory_(directory), client_port_(client_port) {
    std::filesystem::create_directories(directory_);
    const std::string client_url = "http://127.0.0.1:" + std::to_string(client_port);
    std::vector<std::string> argv = {"etcd",
                                     "--data-dir",
                                     (directory_ / "data").string(),
                                     "--listen-client-urls",
                                     client_url,
                                     "--advertise-client-urls",
                                     client_url,
                                     "--listen-peer-urls",
                                     "http://127.0.0.1:" + std::to_string(peer_port)};
    argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
    write_file(directory_ / "etcd.stdin", "");
    pid_ = spawn(argv, directory_ / "etcd.stdin", directory_ / "etcd.out", directory_ / "etcd.log");
  }

  ~EtcdServer() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    if (wait_for(pid_, std::chrono::seconds(10)) == -1) kill(pid_, SIGKILL);
  }

  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  std::string endpoint() const { return "127.0.0.1:" + std::to_string(client_port_); }
  std::string log() const { return read_file(directory_ / "etcd.log"); }

 private:
  std::filesystem::path directory_;
  int client_port_;
  pid_t pid_ = -1;
};

}  // namespace synod::ctl::testing

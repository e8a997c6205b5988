#include "ctl/command_concurrency.h"

#include <grpcpp/channel.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "ctl/command_support.h"
#include "ctl/grpc_error_text.h"
#include "ctl/interrupt_watch.h"
#include "ctl/lease_client.h"
#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.grpc.pb.h"
#include "etcd/etcdserver/api/v3lock/v3lockpb/v3lock.grpc.pb.h"

extern char** environ;

namespace synod::ctl {
namespace {

constexpr int64_t kElectionSessionTtlSeconds = 60;  // concurrency.NewSession's default

// Connected clients and a kept-alive lease: etcdctl's concurrency.Session.
struct Held {
  std::unique_ptr<EtcdClient> client;
  std::unique_ptr<LeaseClient> leases;
  int64_t lease = 0;
  std::unique_ptr<LeaseKeeper> keeper;
};

Outcome<Held> open_session(const Session& session, int64_t ttl_seconds, InterruptWatch& watch) {
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return client.error();
  Held held;
  held.client = std::move(client.value());
  held.leases = std::make_unique<LeaseClient>(held.client->channel(), timeouts_of(session));
  const auto granted = held.leases->grant(ttl_seconds);
  if (!granted.ok()) return granted.error();
  held.lease = granted.value().id();
  held.keeper = std::make_unique<LeaseKeeper>(*held.leases, held.lease, ttl_seconds, watch);
  return held;
}

// A call that only an interrupt ends: no deadline; the interrupt cancels it.
template <typename Call>
grpc::Status interruptible(InterruptWatch& watch, Call&& call) {
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  watch.on_interrupt([&context] { context.TryCancel(); });
  grpc::Status status = call(context);
  watch.on_interrupt(nullptr);
  return status;
}

CtlError call_error(const grpc::Status& status, const InterruptWatch& watch) {
  if (watch.interrupted()) return general_error("context canceled");
  return general_error(etcd_error_text(status, false));
}

std::unique_ptr<grpc::ClientContext> context_with_deadline(const Session& session) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            timeouts_of(session).command));
  return context;
}

// etcdctl's display.Get for the simple printer: each key, then its value.
MaybeError print_key(EtcdClient& client, const std::string& key, std::ostream& out,
                     const char* missing) {
  etcdserverpb::RangeRequest request;
  request.set_key(key);
  const auto response = client.range(request);
  if (!response.ok()) return response.error();
  if (response.value().kvs().empty()) return general_error(missing);
  for (const mvccpb::KeyValue& kv : response.value().kvs()) out << kv.key() << "\n" << kv.value() << "\n";
  out.flush();
  return std::nullopt;
}

// Go's exec: the command's exit as an error text, or nothing when it succeeded.
MaybeError run_child(const std::vector<std::string>& argv, const std::string& key, int64_t revision,
                     const InterruptWatch& watch, std::ostream& out) {
  out.flush();
  std::vector<std::string> environment = {"ETCD_LOCK_KEY=" + key,
                                          "ETCD_LOCK_REV=" + std::to_string(revision)};
  for (char** entry = environ; *entry != nullptr; ++entry) environment.emplace_back(*entry);
  std::vector<char*> env_pointers;
  for (std::string& entry : environment) env_pointers.push_back(entry.data());
  env_pointers.push_back(nullptr);
  std::vector<std::string> arguments = argv;
  std::vector<char*> arg_pointers;
  for (std::string& argument : arguments) arg_pointers.push_back(argument.data());
  arg_pointers.push_back(nullptr);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setsigmask(&attributes, &watch.original_mask());
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t child = 0;
  const int spawned = posix_spawnp(&child, arg_pointers[0], nullptr, &attributes,
                                   arg_pointers.data(), env_pointers.data());
  posix_spawnattr_destroy(&attributes);
  if (spawned == ENOENT) {
    return general_error("exec: \"" + argv[0] + "\": executable file not found in $PATH");
  }
  if (spawned != 0) return general_error("exec: \"" + argv[0] + "\": " + std::strerror(spawned));
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  if (WIFEXITED(status)) return general_error("exit status " + std::to_string(WEXITSTATUS(status)));
  return general_error("signal: " + std::string(strsignal(WTERMSIG(status))));
}

grpc::Status unlock(const Session& session, v3lockpb::Lock::Stub& stub, const std::string& key) {
  v3lockpb::UnlockRequest request;
  request.set_key(key);
  v3lockpb::UnlockResponse response;
  return stub.Unlock(context_with_deadline(session).get(), request, &response);
}

int observe(const Session& session, const std::string& name, InterruptWatch& watch, CommandIo io) {
  Outcome<std::unique_ptr<EtcdClient>> client =
      EtcdClient::connect(session.endpoints, timeouts_of(session));
  if (!client.ok()) return report(client.error(), io.err);
  auto stub = v3electionpb::Election::NewStub(client.value()->channel());
  v3electionpb::LeaderRequest request;
  request.set_name(name);
  interruptible(watch, [&](grpc::ClientContext& context) {
    auto stream = stub->Observe(&context, request);
    v3electionpb::LeaderResponse response;
    while (stream->Read(&response)) {
      io.out << response.kv().key() << "\n" << response.kv().value() << "\n";
      io.out.flush();
    }
    return stream->Finish();
  });
  if (!watch.interrupted()) return report(general_error("elect: observer lost"), io.err);
  return 0;
}

int campaign(const Session& session, const std::string& name, const std::string& proposal,
             InterruptWatch& watch, CommandIo io) {
  Outcome<Held> held = open_session(session, kElectionSessionTtlSeconds, watch);
  if (!held.ok()) return report(held.error(), io.err);
  auto stub = v3electionpb::Election::NewStub(held.value().client->channel());
  v3electionpb::CampaignRequest request;
  request.set_name(name);
  request.set_lease(held.value().lease);
  request.set_value(proposal);
  v3electionpb::CampaignResponse response;
  const grpc::Status status = interruptible(
      watch, [&](grpc::ClientContext& context) { return stub->Campaign(&context, request, &response); });
  if (!status.ok()) return report(call_error(status, watch), io.err);
  if (MaybeError failed = print_key(*held.value().client, response.leader().key(), io.out,
                                    "elect: session expired")) {
    return report(*failed, io.err);
  }
  watch.wait();
  if (watch.session_lost() && !watch.interrupted()) {
    return report(general_error("elect: session expired"), io.err);
  }
  v3electionpb::ResignRequest resign;
  *resign.mutable_leader() = response.leader();
  v3electionpb::ResignResponse resigned;
  const grpc::Status resign_status =
      stub->Resign(context_with_deadline(session).get(), resign, &resigned);
  if (!resign_status.ok()) return report(general_error(etcd_error_text(resign_status, false)), io.err);
  return 0;
}

}  // namespace

int run_lock(const Session& session, const LockFlags& flags, CommandIo io) {
  if (flags.arguments.empty()) {
    return report(bad_args("lock takes a lock name argument and an optional command to execute"),
                  io.err);
  }
  InterruptWatch watch;
  Outcome<Held> held = open_session(session, flags.ttl_seconds, watch);
  if (!held.ok()) return report(held.error(), io.err);
  auto stub = v3lockpb::Lock::NewStub(held.value().client->channel());
  v3lockpb::LockRequest request;
  request.set_name(flags.arguments[0]);
  request.set_lease(held.value().lease);
  v3lockpb::LockResponse response;
  const grpc::Status status = interruptible(
      watch, [&](grpc::ClientContext& context) { return stub->Lock(&context, request, &response); });
  if (!status.ok()) return report(call_error(status, watch), io.err);

  if (flags.arguments.size() > 1) {
    const std::vector<std::string> command(flags.arguments.begin() + 1, flags.arguments.end());
    MaybeError failed =
        run_child(command, response.key(), response.header().revision(), watch, io.out);
    const grpc::Status unlocked = unlock(session, *stub, response.key());
    if (failed) return report(*failed, io.err);
    if (!unlocked.ok()) return report(general_error(etcd_error_text(unlocked, false)), io.err);
    return 0;
  }
  if (MaybeError failed =
          print_key(*held.value().client, response.key(), io.out, "lock lost on init")) {
    return report(*failed, io.err);
  }
  watch.wait();
  if (watch.session_lost() && !watch.interrupted()) {
    return report(general_error("session expired"), io.err);
  }
  const grpc::Status unlocked = unlock(session, *stub, response.key());
  if (!unlocked.ok()) return report(general_error(etcd_error_text(unlocked, false)), io.err);
  return 0;
}

int run_elect(const Session& session, const ElectFlags& flags, CommandIo io) {
  if (flags.arguments.size() != 1 && flags.arguments.size() != 2) {
    return report(bad_args("elect takes one election name argument and an optional proposal "
                           "argument"),
                  io.err);
  }
  if (flags.arguments.size() == 1 && !flags.listen) {
    return report(bad_args("no proposal argument but -l not set"), io.err);
  }
  if (flags.arguments.size() == 2 && flags.listen) {
    return report(bad_args("proposal given but -l is set"), io.err);
  }
  InterruptWatch watch;
  if (flags.listen) return observe(session, flags.arguments[0], watch, io);
  return campaign(session, flags.arguments[0], flags.arguments[1], watch, io);
}

}  // namespace synod::ctl

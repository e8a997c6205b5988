#pragma once
// Status: expected conditions are values the caller handles; programmer errors abort (see check.h).
#include <string>
#include <utility>

namespace synod {

enum class StatusCode {
  kOk = 0,
  kNotLeader,        // this node cannot serve the request; try the leader hint
  kProposalDropped,  // e.g. a leadership transfer or a config change is in progress
  kCompacted,        // the requested log position was compacted away
  kUnavailable,      // no quorum / no leader known
  kInvalidArgument,  // malformed input (from the network, disk or a caller)
  kCorruption,       // a checksum or structural check failed
  kBusy,             // a bounded queue or limit is full
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

const char* status_code_name(StatusCode code);

}  // namespace synod

#pragma once
// synodctl's expected failures: a message printed as "Error: <message>" and etcdctl's exit code
// for it (etcdctl/ctlv3/command/error.go), so scripts written for etcdctl see the same codes.
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace synod::ctl {

enum class ExitCode : int {
  kSuccess = 0,
  kError = 1,
  kBadConnection = 2,
  kInvalidInput = 3,  // txn input
  kBadFeature = 4,    // a valid flag with an unsupported value
  kInterrupted = 5,
  kIO = 6,
  kBadArgs = 128,
};

struct CtlError {
  ExitCode exit_code = ExitCode::kError;
  std::string message;  // without the "Error: " prefix
};

inline CtlError bad_args(std::string message) { return {ExitCode::kBadArgs, std::move(message)}; }
inline CtlError bad_feature(std::string message) {
  return {ExitCode::kBadFeature, std::move(message)};
}
inline CtlError invalid_input(std::string message) {
  return {ExitCode::kInvalidInput, std::move(message)};
}
inline CtlError general_error(std::string message) {
  return {ExitCode::kError, std::move(message)};
}

// A value or the error that stopped it.
template <typename T>
class Outcome {
 public:
  Outcome(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  Outcome(CtlError error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const CtlError& error() const { return std::get<CtlError>(state_); }

 private:
  std::variant<T, CtlError> state_;
};

// For steps that produce nothing but may fail.
using MaybeError = std::optional<CtlError>;

}  // namespace synod::ctl

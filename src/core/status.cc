#include "core/status.h"

namespace synod {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kNotLeader: return "not leader";
    case StatusCode::kProposalDropped: return "proposal dropped";
    case StatusCode::kCompacted: return "compacted";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kBusy: return "busy";
  }
  return "unknown";
}

}  // namespace synod

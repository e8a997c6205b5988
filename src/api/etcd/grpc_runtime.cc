#include "api/etcd/grpc_runtime.h"

#include <absl/synchronization/mutex.h>

namespace synod::api::etcd {

void configure_grpc_runtime() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace synod::api::etcd

#pragma once
// Process-wide settings of the gRPC runtime, made once at the start of main() by every binary
// that serves or drives the API at volume (synod, synod-bench).
namespace synod::api::etcd {

// Turns off Abseil's lock-order (deadlock) detection, which Debian's Abseil leaves on: it records
// a graph edge on every absl::Mutex that gRPC takes, a few percent of CPU per request.
void configure_grpc_runtime();

}  // namespace synod::api::etcd

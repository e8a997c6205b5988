#pragma once
// What the node thread did for the write path, summed since start: logged once at stop, so that a
// benchmark can divide by its operations (entries per sync, messages and bytes per write).
#include <cstdint>
#include <string>

#include "consensus/engine.h"
#include "transport/transport_stats.h"

namespace synod::server {

struct WritePathCounters {
  uint64_t loop_turns = 0;        // wake-ups of the node loop
  uint64_t syncs = 0;             // fdatasyncs of a Ready
  uint64_t synced_entries = 0;    // log entries those syncs made durable
  uint64_t messages_sent = 0;     // handed to the transport
  uint64_t message_bytes_sent = 0;
  // Under kSmallMessageBytes: no log entries in them (acknowledgements, heartbeats, appends that
  // only carry a commit index).
  uint64_t small_messages_sent = 0;
  static constexpr size_t kSmallMessageBytes = 128;

  void count_sync(const consensus::Ready& ready) {
    ++syncs;
    synced_entries += ready.entries.size();
  }
  void count_send(const consensus::Message& message) {
    ++messages_sent;
    message_bytes_sent += message.payload.size();
    if (message.payload.size() < kSmallMessageBytes) ++small_messages_sent;
  }
  // The fields of a JSON log line, each with its leading comma.
  std::string log_fields(const transport::TransportStats& transport) const;
};

}  // namespace synod::server

#include "server/write_path_counters.h"

namespace synod::server {

std::string WritePathCounters::log_fields(const transport::TransportStats& transport) const {
  auto field = [](const char* name, uint64_t value) {
    return std::string(",\"") + name + "\":" + std::to_string(value);
  };
  return field("loop-turns", loop_turns) + field("syncs", syncs) +
         field("synced-entries", synced_entries) + field("messages-sent", messages_sent) +
         field("message-bytes-sent", message_bytes_sent) +
         field("small-messages-sent", small_messages_sent) +
         field("frames-sent", transport.frames_sent) +
         field("frames-received", transport.frames_received) +
         field("messages-received", transport.messages_received);
}

}  // namespace synod::server

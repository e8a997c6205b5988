#pragma once
// The bounded queue of messages waiting for one peer's connection. Not thread-safe: its owner
// (OutboundPeer) locks around it. Full means full: a slow or dead peer costs at most the limits.
#include <cstdint>
#include <deque>
#include <vector>

#include "consensus/log_types.h"

namespace synod::transport {

class SendQueue {
 public:
  SendQueue(uint64_t max_messages, uint64_t max_bytes)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}

  // False (and `message` untouched) when the queue is at either limit.
  bool push(consensus::Message& message);
  // Moves the oldest messages into `out`, in order, while the batch body stays within
  // max_body_bytes and max_messages. Takes at least one message if any is queued (push callers
  // guarantee each message fits a frame on its own).
  void take_batch(uint64_t max_body_bytes, uint64_t max_messages,
                  std::vector<consensus::Message>& out);
  void clear();

  bool empty() const { return messages_.empty(); }
  uint64_t message_count() const { return messages_.size(); }
  uint64_t byte_count() const { return bytes_; }

 private:
  uint64_t max_messages_;
  uint64_t max_bytes_;
  std::deque<consensus::Message> messages_;
  uint64_t bytes_ = 0;  // Invariant: sum of encoded_message_bytes over messages_.
};

}  // namespace synod::transport

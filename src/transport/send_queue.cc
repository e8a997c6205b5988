#include "transport/send_queue.h"

#include "transport/frame.h"

namespace synod::transport {

bool SendQueue::push(consensus::Message& message) {
  const uint64_t size = encoded_message_bytes(message);
  if (messages_.size() >= max_messages_ || bytes_ + size > max_bytes_) return false;
  bytes_ += size;
  messages_.push_back(std::move(message));
  return true;
}

void SendQueue::take_batch(uint64_t max_body_bytes, uint64_t max_messages,
                           std::vector<consensus::Message>& out) {
  uint64_t body_bytes = kMaxCountVarintBytes;
  while (!messages_.empty() && out.size() < max_messages) {
    const uint64_t size = encoded_message_bytes(messages_.front());
    if (!out.empty() && body_bytes + size > max_body_bytes) break;
    body_bytes += size;
    bytes_ -= size;
    out.push_back(std::move(messages_.front()));
    messages_.pop_front();
  }
}

void SendQueue::clear() {
  messages_.clear();
  bytes_ = 0;
}

}  // namespace synod::transport

#pragma once
// Counters of a PeerTransport. Incremented from the io thread and from senders; read any time.
#include <atomic>
#include <cstdint>

namespace synod::transport {

// X(name): one counter each. Drops are messages lost on purpose; rejects are frames refused (the
// connection that carried one is closed).
#define SYNOD_TRANSPORT_COUNTERS(X)                                                     \
  X(frames_sent)              /* batch frames written, handshakes excluded */           \
  X(messages_sent)            /* messages in those frames */                            \
  X(frames_received)          /* valid batch frames read */                             \
  X(messages_received)        /* messages delivered to the callback */                  \
  X(connects)                 /* outbound connections established */                    \
  X(reconnects)               /* outbound attempts scheduled after a failure */         \
  X(connections_accepted)                                                               \
  X(drops_queue_full)         /* the peer's send queue was at its limit */              \
  X(drops_unknown_peer)       /* no such peer configured */                             \
  X(drops_too_large)          /* one message bigger than a frame may be */              \
  X(drops_connection_lost)    /* in a frame whose write failed */                       \
  X(drops_peer_removed)       /* queued for a peer then removed */                      \
  X(rejects_bad_magic)                                                                  \
  X(rejects_oversize)                                                                   \
  X(rejects_bad_checksum)                                                               \
  X(rejects_malformed)        /* a body that does not decode */                         \
  X(rejects_misaddressed)     /* from is not the handshake's sender, or to is not us */ \
  X(rejects_truncated)        /* the connection ended inside a frame */                 \
  X(rejects_wrong_cluster)                                                              \
  X(rejects_unknown_sender)                                                             \
  X(rejects_bad_version)                                                                \
  X(rejects_handshake_timeout)                                                          \
  X(rejects_slow_frame)       /* body not complete within body_timeout_ms */            \
  X(rejects_inbound_limit)    /* max_inbound_connections reached */

struct TransportStats {
#define SYNOD_TRANSPORT_FIELD(name) uint64_t name = 0;
  SYNOD_TRANSPORT_COUNTERS(SYNOD_TRANSPORT_FIELD)
#undef SYNOD_TRANSPORT_FIELD

  uint64_t rejects() const {
    return rejects_bad_magic + rejects_oversize + rejects_bad_checksum + rejects_malformed +
           rejects_misaddressed + rejects_truncated + rejects_wrong_cluster +
           rejects_unknown_sender + rejects_bad_version + rejects_handshake_timeout +
           rejects_slow_frame +
           rejects_inbound_limit;
  }
};

class TransportCounters {
 public:
#define SYNOD_TRANSPORT_ATOMIC(name) std::atomic<uint64_t> name{0};
  SYNOD_TRANSPORT_COUNTERS(SYNOD_TRANSPORT_ATOMIC)
#undef SYNOD_TRANSPORT_ATOMIC

  TransportStats snapshot() const {
    TransportStats stats;
#define SYNOD_TRANSPORT_LOAD(name) stats.name = name.load(std::memory_order_relaxed);
    SYNOD_TRANSPORT_COUNTERS(SYNOD_TRANSPORT_LOAD)
#undef SYNOD_TRANSPORT_LOAD
    return stats;
  }
};

}  // namespace synod::transport

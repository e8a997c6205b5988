#pragma once
// A closed-loop client over gRPC's CompletionQueue API: one request in flight, the next one sent
// from the previous one's completion (after a grpc::Alarm when --rate says it is not due yet).
// Every event of a client comes back on its completion queue, so only that queue's thread
// touches it once the run is going; many clients share each queue, its thread and the
// statistics the thread records into (one histogram per thread stays in the CPU's cache, one
// per client did not).
#include <grpcpp/alarm.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/support/async_unary_call.h>

#include <memory>

#include "bench/completion_queue_threads.h"
#include "bench/run_control.h"
#include "core/random.h"

namespace synod::bench {

class UnaryClient : public CompletionHandler {
 public:
  // stats: where the results go, shared with the other clients of queue.
  UnaryClient(RunControl& control, grpc::CompletionQueue* queue, ClientStats& stats, uint64_t seed)
      : control_(control), queue_(queue), stats_(stats), random_(seed) {}
  virtual ~UnaryClient() = default;

  // Claims and sends operations until the run is over, then calls control.client_finished().
  void start() { send_next(); }
  // The alarm fired or the response arrived.
  void on_completion(bool ok) override;

 protected:
  // Sends one operation on queue() and hands its reader to await_response.
  virtual void send(grpc::ClientContext* context) = 0;
  // Looks at a successful response before it is counted (a lost compare-and-swap may be
  // counted as a notable outcome with report_outcome).
  virtual void on_success() {}

  // Starts the call and asks for its response into *response (which must outlive the call);
  // the reader is kept until the call is over.
  template <typename Response>
  void await_response(std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader,
                      Response* response) {
    reader_ = ReaderHolder(reader.release(), &destroy_reader<Response>);
    auto* started = static_cast<grpc::ClientAsyncResponseReader<Response>*>(reader_.get());
    started->StartCall();
    started->Finish(response, &status_, static_cast<CompletionHandler*>(this));
  }

  grpc::CompletionQueue* queue() const { return queue_; }
  void report_outcome(const char* kind) { outcome_ = kind; }
  uint64_t random_below(uint64_t bound) { return random_.uniform(bound); }
  // The run-wide number of the operation being sent (from 0).
  uint64_t operation_index() const { return operation_index_; }
  // Uniform in [0, 1): the top 53 bits of a random word.
  double random_fraction() { return static_cast<double>(random_.next() >> 11) * 0x1.0p-53; }

 private:
  // The reader of any response type; it lives in its call's arena, so it goes before context_.
  using ReaderHolder = std::unique_ptr<void, void (*)(void*)>;
  template <typename Response>
  static void destroy_reader(void* reader) {
    delete static_cast<grpc::ClientAsyncResponseReader<Response>*>(reader);
  }

  void send_next();
  void send_now();
  void finish();

  RunControl& control_;
  grpc::CompletionQueue* const queue_;
  ClientStats& stats_;
  Random random_;  // 32 bytes of state: std::mt19937_64's 2.5 KB per client missed the cache
  std::unique_ptr<grpc::ClientContext> context_;
  ReaderHolder reader_{nullptr, nullptr};
  grpc::Status status_;
  grpc::Alarm alarm_;
  bool waiting_for_alarm_ = false;
  Clock::time_point sent_at_;
  const char* outcome_ = nullptr;  // a string literal, or none
  uint64_t operation_index_ = 0;
};

}  // namespace synod::bench

#include "ctl/lease_client.h"

#include <grpcpp/channel.h>

#include "ctl/grpc_error_text.h"

namespace synod::ctl {
namespace {

constexpr auto kDeadlineSlack = std::chrono::milliseconds(50);

template <typename Response>
Outcome<Response> answer(const grpc::Status& status, Response response,
                         const grpc::ClientContext& context) {
  if (status.ok()) return response;
  const bool deadline_passed = std::chrono::system_clock::now() + kDeadlineSlack >= context.deadline();
  return general_error(etcd_error_text(status, deadline_passed));
}

}  // namespace

LeaseClient::LeaseClient(std::shared_ptr<grpc::Channel> channel, const ClientTimeouts& timeouts)
    : timeouts_(timeouts), stub_(etcdserverpb::Lease::NewStub(channel)) {}

std::unique_ptr<grpc::ClientContext> LeaseClient::context_with_deadline() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(timeouts_.command));
  context->set_wait_for_ready(true);  // as clientv3: ride out a reconnect until the deadline
  return context;
}

Outcome<etcdserverpb::LeaseGrantResponse> LeaseClient::grant(int64_t ttl) {
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(ttl);
  etcdserverpb::LeaseGrantResponse response;
  auto context = context_with_deadline();
  const grpc::Status status = stub_->LeaseGrant(context.get(), request, &response);
  return answer(status, std::move(response), *context);
}

Outcome<etcdserverpb::LeaseRevokeResponse> LeaseClient::revoke(int64_t id) {
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(id);
  etcdserverpb::LeaseRevokeResponse response;
  auto context = context_with_deadline();
  const grpc::Status status = stub_->LeaseRevoke(context.get(), request, &response);
  return answer(status, std::move(response), *context);
}

Outcome<etcdserverpb::LeaseTimeToLiveResponse> LeaseClient::time_to_live(int64_t id, bool keys) {
  etcdserverpb::LeaseTimeToLiveRequest request;
  request.set_id(id);
  request.set_keys(keys);
  etcdserverpb::LeaseTimeToLiveResponse response;
  auto context = context_with_deadline();
  const grpc::Status status = stub_->LeaseTimeToLive(context.get(), request, &response);
  return answer(status, std::move(response), *context);
}

Outcome<etcdserverpb::LeaseLeasesResponse> LeaseClient::leases() {
  etcdserverpb::LeaseLeasesResponse response;
  auto context = context_with_deadline();
  const grpc::Status status =
      stub_->LeaseLeases(context.get(), etcdserverpb::LeaseLeasesRequest(), &response);
  return answer(status, std::move(response), *context);
}

Outcome<etcdserverpb::LeaseKeepAliveResponse> LeaseClient::keep_alive_once(int64_t id) {
  auto context = context_with_deadline();
  auto stream = stub_->LeaseKeepAlive(context.get());
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(id);
  etcdserverpb::LeaseKeepAliveResponse response;
  const bool answered = stream->Write(request) && stream->WritesDone() && stream->Read(&response);
  if (!answered) return answer(stream->Finish(), std::move(response), *context);
  context->TryCancel();  // the server's end of the stream is of no further interest
  (void)stream->Finish();
  if (response.ttl() <= 0) return general_error("etcdserver: requested lease not found");
  return response;
}

}  // namespace synod::ctl

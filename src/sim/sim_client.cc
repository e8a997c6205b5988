#include "sim/sim_client.h"

#include <algorithm>

namespace synod::sim {

using Outcome = ClientReply::Outcome;

void SimClient::start() {
  last_seen_.assign(options_.keys, std::nullopt);
  const auto& nodes = host_.contact_points();
  leader_guess_ = nodes[random_.uniform(nodes.size())];
  host_.schedule_after(random_.between(0, options_.max_think_ticks), [this]() { issue(); });
}

void SimClient::issue() {
  if (stopped_ || current_) return;
  Operation operation;
  operation.command.request_id = host_.next_request_id();
  const uint32_t key = static_cast<uint32_t>(random_.uniform(options_.keys));
  operation.command.key = "k" + std::to_string(key);
  const uint64_t dice = random_.uniform(100);
  const std::string fresh = std::to_string(index_) + "." + std::to_string(++value_counter_);
  if (dice < options_.read_percent) {
    operation.command.op = RegisterOp::kRead;
  } else if (dice < options_.read_percent + options_.write_percent) {
    operation.command.op = RegisterOp::kWrite;
    operation.command.value = fresh;
  } else {
    operation.command.op = RegisterOp::kCas;
    operation.command.value = fresh;
    // Expect what this client last saw, so that a good share of cas can succeed.
    operation.command.expected = last_seen_[key].value_or(fresh + "x");
  }
  operation.invoked = host_.now();
  operation.target = leader_guess_;
  current_ = std::move(operation);
  host_.record(event(check::EventType::kInvoke));
  send();
}

void SimClient::send() {
  ClientRequest request;
  request.client = index_;
  request.command = current_->command;
  host_.submit(current_->target, std::move(request));
}

void SimClient::on_reply(const ClientReply& reply) {
  if (!current_ || reply.request_id != current_->command.request_id) return;  // a late answer
  switch (reply.outcome) {
    case Outcome::kAccepted: {
      if (current_->accepted) return;
      current_->accepted = true;
      leader_guess_ = current_->target;
      const uint64_t request_id = reply.request_id;
      host_.schedule_after(options_.timeout_ticks, [this, request_id]() { on_timeout(request_id); });
      return;
    }
    case Outcome::kRedirect: {
      if (current_->accepted) return;
      const bool hinted = reply.leader_hint != consensus::kNoNode && reply.leader_hint != current_->target;
      current_->target = hinted ? reply.leader_hint : pick_other_node(current_->target);
      leader_guess_ = current_->target;
      // Back off a little so that a leaderless cluster is not flooded.
      host_.schedule_after(hinted ? 1 : random_.between(2, 5), [this, request_id = reply.request_id]() {
        if (current_ && current_->command.request_id == request_id) send();
      });
      return;
    }
    case Outcome::kOk: end(check::EventType::kOk, reply.value); return;
    case Outcome::kFail: end(check::EventType::kFail); return;
    case Outcome::kUnknown: end(check::EventType::kInfo); return;
  }
}

void SimClient::on_timeout(uint64_t request_id) {
  if (!current_ || current_->command.request_id != request_id) return;
  end(check::EventType::kInfo, std::nullopt, /*timed_out=*/true);
}

void SimClient::finish() {
  if (current_) end(check::EventType::kInfo, std::nullopt, /*timed_out=*/true);
}

void SimClient::end(check::EventType type, std::optional<std::string> read_value, bool timed_out) {
  check::Event completion = event(type);
  const RegisterCommand& command = current_->command;
  const uint32_t key = static_cast<uint32_t>(std::stoul(command.key.substr(1)));
  if (command.op == RegisterOp::kRead) {
    completion.value = type == check::EventType::kOk ? read_value : std::nullopt;
    if (type == check::EventType::kOk) last_seen_[key] = read_value;
  } else if (type == check::EventType::kOk) {
    last_seen_[key] = command.value;
  }
  host_.record(std::move(completion));
  host_.on_operation_end(current_->invoked, timed_out, describe());
  current_.reset();
  ++completed_;
  if (type == check::EventType::kInfo) {
    // This process may still have an operation in effect: continue as a fresh one.
    ++generation_;
    process_ = static_cast<int64_t>(index_ + generation_ * options_.clients);
  }
  host_.schedule_after(random_.between(0, options_.max_think_ticks), [this]() { issue(); });
}

check::Event SimClient::event(check::EventType type) const {
  const RegisterCommand& command = current_->command;
  check::Event event;
  event.process = process_;
  event.type = type;
  event.key = command.key;
  switch (command.op) {
    case RegisterOp::kRead: event.function = check::Function::kRead; break;
    case RegisterOp::kWrite: event.function = check::Function::kWrite; break;
    case RegisterOp::kCas: event.function = check::Function::kCas; break;
  }
  if (command.op != RegisterOp::kRead) event.value = command.value;
  if (command.op == RegisterOp::kCas) event.expected = command.expected;
  return event;  // the host stamps the time
}

consensus::NodeId SimClient::pick_other_node(consensus::NodeId avoid) {
  const auto& nodes = host_.contact_points();
  if (nodes.size() == 1) return nodes.front();
  consensus::NodeId choice;
  do {
    choice = nodes[random_.uniform(nodes.size())];
  } while (choice == avoid);
  return choice;
}

std::string SimClient::describe() const {
  const RegisterCommand& command = current_->command;
  const char* names[] = {"read", "write", "cas"};
  return std::string("client ") + std::to_string(index_) + " " + names[static_cast<int>(command.op)] +
         " " + command.key + " (request " + std::to_string(command.request_id) + ")";
}

}  // namespace synod::sim

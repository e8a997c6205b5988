#include "sim/sim_client.h"

#include <algorithm>

namespace synod::sim {

using Kind = RegisterOutcome::Kind;

void SimClient::start() {
  last_seen_.assign(options_.keys, std::nullopt);
  const auto& nodes = host_.contact_points();
  target_ = nodes[random_.uniform(nodes.size())];
  host_.schedule_after(random_.between(0, options_.max_think_ticks), [this]() { issue(); });
}

void SimClient::issue() {
  if (stopped_ || current_) return;
  Operation operation;
  RegisterOperation& register_operation = operation.operation;
  const uint32_t key = static_cast<uint32_t>(random_.uniform(options_.keys));
  register_operation.key = "k" + std::to_string(key);
  const uint64_t dice = random_.uniform(100);
  const std::string fresh = std::to_string(index_) + "." + std::to_string(++value_counter_);
  if (dice < options_.read_percent) {
    register_operation.op = RegisterOp::kRead;
  } else if (dice < options_.read_percent + options_.write_percent) {
    register_operation.op = RegisterOp::kWrite;
    register_operation.value = fresh;
  } else {
    register_operation.op = RegisterOp::kCas;
    register_operation.value = fresh;
    // Expect what this client last saw, so that a good share of cas can succeed.
    register_operation.expected = last_seen_[key].value_or(fresh + "x");
  }
  operation.invoked = host_.now();
  current_ = std::move(operation);
  host_.record(event(check::EventType::kInvoke));
  send();
}

void SimClient::send() {
  current_->attempt = ++attempts_;
  ClientRequest request;
  request.client = index_;
  request.attempt = current_->attempt;
  request.operation = current_->operation;
  host_.submit(target_, std::move(request));
  // A live node answers within its request timeout; hearing nothing a little later means it died.
  host_.schedule_after(options_.timeout_ticks + 2 * options_.hop_ticks + 1,
                       [this, attempt = current_->attempt]() { on_timeout(attempt); });
}

void SimClient::on_reply(const ClientReply& reply) {
  if (!current_ || reply.attempt != current_->attempt) return;  // a late answer
  switch (reply.outcome.kind) {
    case Kind::kOk:
      end(check::EventType::kOk, reply.outcome.value);
      retarget(reply.leader_hint, /*move_away=*/false);
      return;
    case Kind::kFail:
      end(check::EventType::kFail);
      retarget(reply.leader_hint, /*move_away=*/false);
      return;
    case Kind::kUnknown:
      end(check::EventType::kInfo, std::nullopt, /*timed_out=*/true);
      retarget(reply.leader_hint, /*move_away=*/!seeks_leader_);
      return;
    case Kind::kRefused: {
      // Nothing happened: send the same operation elsewhere, after a little back-off so that a
      // leaderless cluster is not flooded. The timeout of this attempt no longer applies.
      retarget(reply.leader_hint, /*move_away=*/true);
      current_->attempt = ++attempts_;
      host_.schedule_after(random_.between(2, 5), [this, attempt = current_->attempt]() {
        if (current_ && current_->attempt == attempt) send();
      });
      return;
    }
  }
}

void SimClient::on_timeout(uint64_t attempt) {
  if (!current_ || current_->attempt != attempt) return;
  end(check::EventType::kInfo, std::nullopt, /*timed_out=*/true);
  retarget(consensus::kNoNode, /*move_away=*/true);
}

void SimClient::retarget(consensus::NodeId hint, bool move_away) {
  if (seeks_leader_ && hint != consensus::kNoNode && hint != target_) {
    target_ = hint;
  } else if (move_away) {
    target_ = pick_other_node(target_);
  }
}

void SimClient::finish() {
  if (current_) end(check::EventType::kInfo, std::nullopt, /*timed_out=*/true);
}

void SimClient::end(check::EventType type, std::optional<std::string> read_value, bool timed_out) {
  check::Event completion = event(type);
  const RegisterOperation& operation = current_->operation;
  const uint32_t key = static_cast<uint32_t>(std::stoul(operation.key.substr(1)));
  if (operation.op == RegisterOp::kRead) {
    completion.value = type == check::EventType::kOk ? read_value : std::nullopt;
    if (type == check::EventType::kOk) last_seen_[key] = read_value;
  } else if (type == check::EventType::kOk) {
    last_seen_[key] = operation.value;
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
  const RegisterOperation& operation = current_->operation;
  check::Event event;
  event.process = process_;
  event.type = type;
  event.key = operation.key;
  switch (operation.op) {
    case RegisterOp::kRead: event.function = check::Function::kRead; break;
    case RegisterOp::kWrite: event.function = check::Function::kWrite; break;
    case RegisterOp::kCas: event.function = check::Function::kCas; break;
  }
  if (operation.op != RegisterOp::kRead) event.value = operation.value;
  if (operation.op == RegisterOp::kCas) event.expected = operation.expected;
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
  const RegisterOperation& operation = current_->operation;
  return std::string("client ") + std::to_string(index_) + " " + register_op_name(operation.op) + " " +
         operation.key + " (attempt " + std::to_string(current_->attempt) + " at n" +
         std::to_string(target_) + ")";
}

}  // namespace synod::sim

// The owner's end of forwarding (contract in rpc_server.hpp): decode on
// nats.c's thread, run on the engine, answer from the completion; a table
// of recent ids turns repeats into one run.

#include "cluster/rpc_server.hpp"

#include "cluster/rpc_codec.hpp"
#include "cluster/rpc_ops.hpp"
#include "cluster/rpc_subjects.hpp"

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace switchboard::cluster {

using json = nlohmann::json;

struct rpc_server::state {
  natsConnection* nc = nullptr;
  std::string events_subject;
  /// Not owned: the owner decides when its engine goes (and a completion
  /// holding the state must never be the engine's last owner).
  std::weak_ptr<actors::engine> eng;
  std::size_t max_remembered = 0;

  struct call {
    bool done = false;
    std::string reply;                // the answer, once done
    std::vector<std::string> waiting; // reply subjects to answer
  };
  std::mutex mtx;
  bool open = true;
  std::unordered_map<std::string, call> calls;
  std::deque<std::string> order; // ids, oldest first

  /// Publishes `data` to `subject`. REQUIRES: mtx held and open.
  void send(const std::string& subject, const std::string& data) {
    natsConnection_Publish(nc, subject.c_str(), data.data(),
                           static_cast<int>(data.size()));
  }

  /// The answer text of `result` for `id`, within the max payload.
  std::string answer(const std::string& id, json result) {
    result["id"] = id;
    auto text = result.dump();
    auto max = natsConnection_GetMaxPayload(nc);
    if (max > 0 && static_cast<std::int64_t>(text.size()) > max) {
      auto e = core::error{core::errc::payload_too_large,
                           "reply of " + std::to_string(text.size()) +
                             " bytes exceeds the NATS max payload of " +
                             std::to_string(max) + " bytes"};
      json small = rpc::to_wire(core::status(e));
      small["id"] = id;
      text = small.dump();
    }
    return text;
  }

  /// Records the request; true when it is new and must be run.
  bool admit(const std::string& id, const std::string& reply_to) {
    std::lock_guard lock(mtx);
    if (!open)
      return false;
    auto [it, fresh] = calls.try_emplace(id);
    if (!fresh) {
      if (it->second.done)
        send(reply_to, it->second.reply);
      else
        it->second.waiting.push_back(reply_to);
      return false;
    }
    it->second.waiting.push_back(reply_to);
    order.push_back(id);
    while (order.size() > max_remembered && calls[order.front()].done) {
      calls.erase(order.front());
      order.pop_front();
    }
    return true;
  }

  /// Answers every waiter of `id` and remembers the answer.
  void finish(const std::string& id, json result) {
    auto text = answer(id, std::move(result));
    std::lock_guard lock(mtx);
    if (!open)
      return;
    auto it = calls.find(id);
    if (it == calls.end())
      return;
    it->second.done = true;
    it->second.reply = std::move(text);
    for (const auto& to : it->second.waiting)
      send(to, it->second.reply);
    it->second.waiting.clear();
  }

  /// Publishes the engine's buffered events.
  void publish_events(actors::subscription& sub) {
    auto events = sub.drain();
    std::lock_guard lock(mtx);
    if (!open)
      return;
    for (const auto& e : events)
      send(events_subject, rpc::to_wire(e).dump());
  }
};

namespace {

using state_ptr = std::shared_ptr<rpc_server::state>;

void run(const state_ptr& st, actors::engine& eng, const std::string& id,
         const std::string& op, const json& args) {
  auto finish = [st, id](json result) {
    st->finish(id, std::move(result));
  };
  if (rpc::is_reader_op(op)) {
    eng.read([op, args, finish](core::store_reader& r) {
      finish(rpc::run_reader_op(r, op, args));
    });
    return;
  }
  rpc::run_engine_op(eng, op, args, finish);
}

void on_request(natsConnection*, natsSubscription*, natsMsg* raw,
                void* closure) {
  msg_ptr msg(raw);
  const auto& st = *static_cast<state_ptr*>(closure);
  const char* reply_to = natsMsg_GetReply(msg.get());
  if (!reply_to || !*reply_to)
    return;
  auto body = json::parse(std::string_view(natsMsg_GetData(msg.get()),
                                           static_cast<std::size_t>(
                                             natsMsg_GetDataLength(msg.get()))),
                          nullptr, false);
  if (!body.is_object() || !body.contains("id") || !body["id"].is_string() ||
      !body.contains("op") || !body["op"].is_string()) {
    std::lock_guard lock(st->mtx);
    if (st->open)
      st->send(reply_to,
               st->answer("", rpc::to_wire(core::status(rpc::malformed(
                                "request", "expected {id, op, args}")))));
    return;
  }
  auto eng = st->eng.lock();
  if (!eng)
    return;
  auto id = body["id"].get<std::string>();
  if (!st->admit(id, reply_to))
    return;
  static const json no_args = json::object();
  auto it = body.find("args");
  run(st, *eng, id, body["op"].get<std::string>(),
      it == body.end() ? no_args : *it);
}

void on_complete(void* closure) {
  delete static_cast<state_ptr*>(closure);
}

/// Subscribes on_request to `subject` (in queue group "sb.rpc" unless
/// `queue` is false); the subscription owns a reference to `st`.
core::result<natsSubscription*> subscribe(natsConnection* nc,
                                          const std::string& subject,
                                          bool queue, const state_ptr& st) {
  auto* closure = new state_ptr(st);
  natsSubscription* sub = nullptr;
  // A queue group: while two nodes both serve p (an owner not yet aware
  // that it was deposed), each call runs on one of them, not on both.
  auto s = queue ? natsConnection_QueueSubscribe(&sub, nc, subject.c_str(),
                                                 "sb.rpc", on_request, closure)
                 : natsConnection_Subscribe(&sub, nc, subject.c_str(),
                                            on_request, closure);
  if (s == NATS_OK)
    s = natsSubscription_SetOnCompleteCB(sub, on_complete, closure);
  if (s != NATS_OK) {
    natsSubscription_Destroy(sub);
    delete closure;
    return nats_error("subscribe to " + subject, s);
  }
  return sub;
}

void unsubscribe(natsSubscription* sub) {
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
}

} // namespace

core::result<std::unique_ptr<rpc_server>>
rpc_server::start(nats_client& nats, int partition,
                  std::shared_ptr<actors::engine> eng,
                  rpc_server_options opts) {
  std::unique_ptr<rpc_server> srv(new rpc_server());
  auto st = std::make_shared<state>();
  st->nc = nats.connection();
  st->events_subject = events_subject(partition);
  st->eng = eng;
  st->max_remembered = opts.max_remembered;
  srv->state_ = st;

  std::vector<std::string> subjects{rpc_subject(partition)};
  if (!opts.node_id.empty())
    subjects.push_back(rpc_subject(partition, opts.node_id));
  for (const auto& subject : subjects) {
    auto sub =
      subscribe(nats.connection(), subject, subject == subjects.front(), st);
    if (!sub)
      return std::move(sub).err(); // the destructor drops the others
    srv->subs_.push_back(*sub);
  }
  // Make sure the server knows the subscription before callers are told
  // that p is served here.
  natsConnection_FlushTimeout(nats.connection(), 2000);

  if (opts.publish_events) {
    srv->events_ = eng->subscribe(4096);
    auto* sub = srv->events_.get();
    sub->on_ready([st, sub] { st->publish_events(*sub); });
  }
  return srv;
}

rpc_server::~rpc_server() {
  {
    std::lock_guard lock(state_->mtx);
    state_->open = false;
  }
  if (events_)
    events_->close();
  for (auto* sub : subs_)
    unsubscribe(sub);
}

} // namespace switchboard::cluster

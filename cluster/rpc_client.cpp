// The caller's end of forwarding (contract in rpc_client.hpp). Each call is
// a pending entry keyed by its number; each attempt publishes with the
// reply subject <inbox>.<call>.<attempt>, so an answer names both. One
// attempt at a time: a failed attempt (no responders, moved, a timeout, a
// refused publish) schedules the next one after the backoff unless the
// deadline comes first.

#include "cluster/rpc_client.hpp"

#include "cluster/rpc_codec.hpp"
#include "cluster/rpc_subjects.hpp"
#include "cluster/rpc_timer.hpp"

#include <cstdio>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace switchboard::cluster {

using json = nlohmann::json;
using ms = std::chrono::milliseconds;
using tclock = rpc_timer::clock;

namespace {

/// "10 s", "0.3 s".
std::string seconds_text(ms d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(d.count()) / 1000);
  return buf;
}

} // namespace

struct rpc_client::state {
  natsConnection* nc = nullptr;
  std::string inbox; // "_INBOX.xyz"
  rpc_options opts;

  struct pending {
    int partition = 0;
    std::string payload;
    tclock::time_point deadline;
    ms attempt_timeout{};
    ms total{};
    ms backoff{};
    int attempt = 0;
    bool waiting = false; // between attempts (a retry is scheduled)
    done_fn done;
  };

  std::mutex mtx;
  bool closed = false;
  rpc_timer* timer = nullptr;
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, pending> calls;
  std::unordered_map<int, std::string> owners; // set_owner's, "" unset

  /// Where partition p's next attempt goes. REQUIRES: mtx held.
  std::string subject_locked(int partition) const {
    auto it = owners.find(partition);
    return it == owners.end() || it->second.empty()
             ? rpc_subject(partition)
             : rpc_subject(partition, it->second);
  }

  using outcome = std::optional<std::pair<done_fn, core::result<json>>>;

  /// Sends the next attempt of call `id`. REQUIRES: mtx held.
  outcome send_locked(const std::shared_ptr<state>& self, std::uint64_t id) {
    auto it = calls.find(id);
    if (it == calls.end() || closed)
      return std::nullopt;
    auto& p = it->second;
    p.waiting = false;
    int attempt = ++p.attempt;
    auto reply =
      inbox + "." + std::to_string(id) + "." + std::to_string(attempt);
    auto subject = subject_locked(p.partition);
    auto s = natsConnection_PublishRequest(nc, subject.c_str(), reply.c_str(),
                                           p.payload.data(),
                                           static_cast<int>(p.payload.size()));
    if (s == NATS_MAX_PAYLOAD)
      return too_large_locked(id);
    if (s != NATS_OK)
      return retry_locked(self, id);
    timer->at(tclock::now() + p.attempt_timeout,
              [self, id, attempt] { self->on_timeout(self, id, attempt); });
    return std::nullopt;
  }

  /// A request no server accepts: payload_too_large, not retried.
  /// REQUIRES: mtx held; the call exists.
  outcome too_large_locked(std::uint64_t id) {
    auto it = calls.find(id);
    auto e = core::error{
      core::errc::payload_too_large,
      "partition " + std::to_string(it->second.partition) + ": request of " +
        std::to_string(it->second.payload.size()) +
        " bytes exceeds the NATS max payload of " +
        std::to_string(natsConnection_GetMaxPayload(nc)) + " bytes"};
    outcome o{{std::move(it->second.done), std::move(e)}};
    calls.erase(it);
    return o;
  }

  /// Schedules the next attempt after the backoff, or gives up past the
  /// deadline. REQUIRES: mtx held; the call exists.
  outcome retry_locked(const std::shared_ptr<state>& self, std::uint64_t id) {
    auto it = calls.find(id);
    auto& p = it->second;
    auto now = tclock::now();
    if (now >= p.deadline) {
      auto e = core::overloaded("partition " + std::to_string(p.partition) +
                                ": no owner answered for " +
                                seconds_text(p.total) + "; retry");
      outcome o{{std::move(p.done), std::move(e)}};
      calls.erase(it);
      return o;
    }
    // The last attempt goes out at the deadline.
    auto when = std::min(now + p.backoff, p.deadline);
    p.waiting = true;
    p.backoff = std::min(p.backoff * 2, opts.backoff_max);
    timer->at(when, [self, id] { self->resend(self, id); });
    return std::nullopt;
  }

  static void deliver(outcome o) {
    if (o)
      o->first(std::move(o->second));
  }

  void resend(const std::shared_ptr<state>& self, std::uint64_t id) {
    outcome o;
    {
      std::lock_guard lock(mtx);
      o = send_locked(self, id);
    }
    deliver(std::move(o));
  }

  /// A failed attempt: retried unless it is stale (a newer attempt runs,
  /// or a retry is already scheduled).
  void failed_attempt(const std::shared_ptr<state>& self, std::uint64_t id,
                      int attempt) {
    outcome o;
    {
      std::lock_guard lock(mtx);
      auto it = calls.find(id);
      if (closed || it == calls.end() || it->second.attempt != attempt ||
          it->second.waiting)
        return;
      o = retry_locked(self, id);
    }
    deliver(std::move(o));
  }

  void on_timeout(const std::shared_ptr<state>& self, std::uint64_t id,
                  int attempt) {
    failed_attempt(self, id, attempt);
  }

  /// An answer: the call's result, unless it asks for a retry.
  void on_answer(const std::shared_ptr<state>& self, std::uint64_t id,
                 int attempt, natsMsg* msg) {
    if (natsMsg_IsNoResponders(msg)) {
      failed_attempt(self, id, attempt);
      return;
    }
    auto body = json::parse(
      std::string_view(natsMsg_GetData(msg),
                       static_cast<std::size_t>(natsMsg_GetDataLength(msg))),
      nullptr, false);
    core::result<json> result{json()};
    if (auto r = rpc::decode<core::result<json>>(body, "reply"); r)
      result = std::move(*r);
    else
      result = r.err();
    if (!result && result.err().code == core::errc::overloaded &&
        result.err().message.starts_with("moved:")) {
      failed_attempt(self, id, attempt);
      return;
    }
    done_fn done;
    {
      std::lock_guard lock(mtx);
      auto it = calls.find(id);
      if (closed || it == calls.end())
        return;
      done = std::move(it->second.done);
      calls.erase(it);
    }
    done(std::move(result));
  }
};

namespace {

using state_ptr = std::shared_ptr<rpc_client::state>;

void on_reply(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) {
  msg_ptr msg(raw);
  const auto& st = *static_cast<state_ptr*>(closure);
  // <inbox>.<id>.<attempt>
  std::string_view subject = natsMsg_GetSubject(msg.get());
  if (subject.size() <= st->inbox.size() + 1)
    return;
  subject.remove_prefix(st->inbox.size() + 1);
  auto dot = subject.find('.');
  if (dot == std::string_view::npos)
    return;
  std::uint64_t id = 0;
  int attempt = 0;
  try {
    id = std::stoull(std::string(subject.substr(0, dot)));
    attempt = std::stoi(std::string(subject.substr(dot + 1)));
  } catch (const std::exception&) {
    return;
  }
  st->on_answer(st, id, attempt, msg.get());
}

void on_complete(void* closure) {
  delete static_cast<state_ptr*>(closure);
}

} // namespace

core::result<std::unique_ptr<rpc_client>> rpc_client::start(nats_client& nats,
                                                            rpc_options opts) {
  std::unique_ptr<rpc_client> c(new rpc_client());
  auto st = std::make_shared<state>();
  st->nc = nats.connection();
  st->opts = opts;
  natsInbox* inbox = nullptr;
  if (auto s = natsInbox_Create(&inbox); s != NATS_OK)
    return nats_error("create an inbox", s);
  st->inbox = inbox;
  natsInbox_Destroy(inbox);
  c->timer_ = std::make_unique<rpc_timer>();
  st->timer = c->timer_.get();
  c->state_ = st;

  auto* closure = new state_ptr(st);
  auto wildcard = st->inbox + ".>";
  auto s = natsConnection_Subscribe(&c->sub_, nats.connection(),
                                    wildcard.c_str(), on_reply, closure);
  if (s == NATS_OK)
    s = natsSubscription_SetOnCompleteCB(c->sub_, on_complete, closure);
  if (s != NATS_OK) {
    natsSubscription_Destroy(c->sub_);
    c->sub_ = nullptr;
    delete closure;
    return nats_error("subscribe to the forwarding inbox", s);
  }
  natsConnection_FlushTimeout(nats.connection(), 2000);
  return c;
}

rpc_client::~rpc_client() {
  std::unordered_map<std::uint64_t, state::pending> left;
  {
    std::lock_guard lock(state_->mtx);
    state_->closed = true;
    left.swap(state_->calls);
  }
  if (sub_) {
    natsSubscription_Unsubscribe(sub_);
    natsSubscription_Destroy(sub_);
  }
  timer_.reset(); // joins: no timer callback runs after this
  for (auto& [id, p] : left)
    p.done(core::overloaded("partition " + std::to_string(p.partition) +
                            ": the forwarding client stopped"));
}

const rpc_options& rpc_client::options() const {
  return state_->opts;
}

void rpc_client::set_owner(int partition, std::string node) {
  std::lock_guard lock(state_->mtx);
  state_->owners[partition] = std::move(node);
}

void rpc_client::call(int partition, const std::string& op, json args,
                      done_fn done, ms attempt_timeout, ms deadline) {
  state::outcome o;
  {
    std::lock_guard lock(state_->mtx);
    if (state_->closed) {
      o = {{std::move(done),
            core::overloaded("partition " + std::to_string(partition) +
                             ": the forwarding client stopped")}};
    } else {
      auto id = ++state_->next_id;
      auto& p = state_->calls[id];
      p.partition = partition;
      auto client = state_->inbox.substr(state_->inbox.rfind('.') + 1);
      p.payload = json{{"id", client + "." + std::to_string(id)},
                       {"op", op},
                       {"args", std::move(args)}}
                    .dump();
      p.attempt_timeout = attempt_timeout.count() > 0
                            ? attempt_timeout
                            : state_->opts.attempt_timeout;
      p.total = deadline.count() > 0 ? deadline : state_->opts.deadline;
      p.deadline = tclock::now() + p.total;
      p.backoff = state_->opts.backoff_first;
      p.done = std::move(done);
      o = state_->send_locked(state_, id);
    }
  }
  state::deliver(std::move(o));
}

} // namespace switchboard::cluster

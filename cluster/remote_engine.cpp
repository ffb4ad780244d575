// The engine proxy of a partition owned elsewhere (contract in
// remote_engine.hpp): each operation encodes its arguments, forwards them
// and decodes the owner's result; reads run on a small pool of threads
// that may block on the network; events come from sb.events.NN.

#include "cluster/remote_engine.hpp"

#include "cluster/job_thread.hpp"
#include "cluster/remote_reader.hpp"
#include "cluster/rpc_codec.hpp"
#include "cluster/rpc_subjects.hpp"

namespace switchboard::cluster {

using json = nlohmann::json;

struct remote_engine::events {
  std::mutex mtx;
  std::vector<std::weak_ptr<actors::subscription>> subs;
  natsSubscription* sub = nullptr; // once someone subscribed
  bool closed = false;

  /// Pushes `e` to every live subscriber, forgetting the closed ones.
  void deliver(const actors::event& e) {
    std::lock_guard lock(mtx);
    std::erase_if(subs, [&](const std::weak_ptr<actors::subscription>& w) {
      auto s = w.lock();
      return !s || !s->push(e);
    });
  }

  /// Stops the NATS subscription and closes every subscriber.
  void close() {
    std::vector<std::weak_ptr<actors::subscription>> left;
    natsSubscription* nats_sub = nullptr;
    {
      std::lock_guard lock(mtx);
      closed = true;
      left.swap(subs);
      std::swap(nats_sub, sub);
    }
    if (nats_sub) {
      natsSubscription_Unsubscribe(nats_sub);
      natsSubscription_Destroy(nats_sub);
    }
    for (auto& w : left)
      if (auto s = w.lock())
        s->close();
  }
};

namespace {

using events_ptr = std::shared_ptr<remote_engine::events>;

void on_event(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) {
  msg_ptr msg(raw);
  const auto& ev = *static_cast<events_ptr*>(closure);
  auto body = json::parse(std::string_view(natsMsg_GetData(msg.get()),
                                           static_cast<std::size_t>(
                                             natsMsg_GetDataLength(msg.get()))),
                          nullptr, false);
  auto e = rpc::decode<actors::event>(body, "event");
  if (e)
    ev->deliver(*e);
}

void on_events_complete(void* closure) {
  delete static_cast<events_ptr*>(closure);
}

/// {name: value, ...} with unset optionals left out.
struct args {
  json j = json::object();
  template <class T>
  args& operator()(const char* name, const T& v) {
    rpc::put_field(j, name, v);
    return *this;
  }
};

} // namespace

remote_engine::remote_engine(std::shared_ptr<rpc_client> client,
                             nats_client& nats, int partition,
                             core::settings cfg,
                             std::shared_ptr<core::clock> clk,
                             remote_engine_options opts)
  : client_(std::move(client)), nats_(nats), partition_(partition),
    cfg_(std::move(cfg)),
    clk_(clk ? std::move(clk) : std::make_shared<core::system_clock>()),
    opts_(opts), events_(std::make_shared<events>()) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, opts_.read_threads); ++i)
    readers_.push_back(std::make_unique<job_thread>(opts_.read_queue));
}

remote_engine::~remote_engine() {
  stop();
}

bool remote_engine::enter() {
  std::lock_guard lock(mtx_);
  if (stopping_)
    return false;
  ++in_flight_;
  return true;
}

void remote_engine::leave() {
  std::lock_guard lock(mtx_);
  if (--in_flight_ == 0)
    idle_.notify_all();
}

void remote_engine::stop() {
  std::vector<std::unique_ptr<job_thread>> readers;
  {
    std::unique_lock lock(mtx_);
    stopping_ = true;
    idle_.wait(lock, [this] { return in_flight_ == 0; });
    readers.swap(readers_);
  }
  for (auto& r : readers)
    r->stop(); // queued reads see stopping_ and skip fn
  events_->close();
}

template <class T>
void remote_engine::forward(const char* op, json a, actors::completion<T> done,
                            speed s) {
  if (!enter()) {
    done(core::overloaded("engine is stopping"));
    return;
  }
  auto attempt =
    s == speed::slow ? opts_.slow_attempt_timeout : std::chrono::milliseconds{};
  auto deadline =
    s == speed::slow ? opts_.slow_deadline : std::chrono::milliseconds{};
  client_->call(
    partition_, op, std::move(a),
    [this, op, done = std::move(done)](core::result<json> r) {
      if (!r)
        done(std::move(r).err());
      else
        done(rpc::decode<T>(*r, op));
      leave();
    },
    attempt, deadline);
}

void remote_engine::route(actors::route_request req,
                          actors::completion<actors::route_reply> done) {
  forward("route", args()("req", req).j, std::move(done));
}

void remote_engine::route_batch(
  std::vector<actors::route_request> reqs,
  std::function<void(std::vector<core::result<actors::route_reply>>)> done) {
  auto n = reqs.size();
  using results = std::vector<core::result<actors::route_reply>>;
  forward<results>("route_batch", args()("reqs", reqs).j,
                   [n, done = std::move(done)](core::result<results> r) {
                     if (r) {
                       done(std::move(*r));
                       return;
                     }
                     // The whole batch failed: each item reports why.
                     done(results(n, r.err()));
                   });
}

void remote_engine::append(std::string key, core::message msg,
                           actors::completion<actors::append_reply> done,
                           std::optional<std::string> request_id) {
  forward("append", args()("key", key)("msg", msg)("request_id", request_id).j,
          std::move(done));
}

void remote_engine::update_usage(std::string key, core::usage_update u,
                                 actors::completion<core::session_entry> done) {
  forward("update_usage", args()("key", key)("usage", u).j, std::move(done));
}

void remote_engine::reset(std::string key, std::optional<std::string> title,
                          actors::completion<core::session_entry> done) {
  forward("reset", args()("key", key)("title", title).j, std::move(done));
}

void remote_engine::switch_to(std::string key, actors::switch_target target,
                              actors::completion<core::session_entry> done) {
  forward("switch_to", args()("key", key)("target", target).j, std::move(done));
}

void remote_engine::set_busy(std::string key, bool busy,
                             std::optional<double> ttl_seconds,
                             actors::completion<core::session_entry> done) {
  forward("set_busy",
          args()("key", key)("busy", busy)("ttl_seconds", ttl_seconds).j,
          std::move(done));
}

void remote_engine::rewrite_transcript(
  std::string key, std::vector<core::message> messages,
  actors::completion<actors::rewrite_reply> done) {
  forward("rewrite_transcript", args()("key", key)("messages", messages).j,
          std::move(done));
}

void remote_engine::get_entry(std::string key,
                              actors::completion<core::session_entry> done) {
  forward("get_entry", args()("key", key).j, std::move(done));
}

void remote_engine::set_title(
  std::string session_id, std::string title,
  actors::completion<std::optional<std::string>> done) {
  forward("set_title", args()("session_id", session_id)("title", title).j,
          std::move(done));
}

void remote_engine::delete_session(std::string session_id,
                                   actors::completion<bool> done) {
  forward("delete_session", args()("session_id", session_id).j,
          std::move(done));
}

void remote_engine::expire_now(actors::completion<actors::sweep_report> done) {
  forward("expire_now", json::object(), std::move(done), speed::slow);
}

void remote_engine::expire_key(std::string key,
                               std::optional<std::string> session_id,
                               actors::completion<actors::expire_reply> done) {
  forward("expire_key", args()("key", key)("session_id", session_id).j,
          std::move(done), speed::slow);
}

void remote_engine::prune(actors::prune_request req,
                          actors::completion<actors::prune_report> done) {
  forward("prune", args()("req", req).j, std::move(done), speed::slow);
}

void remote_engine::apply_retention(
  actors::completion<actors::prune_report> done) {
  forward("apply_retention", json::object(), std::move(done), speed::slow);
}

void remote_engine::read(std::function<void(core::store_reader&)> fn) {
  auto job = [this, fn] {
    {
      std::lock_guard lock(mtx_);
      if (stopping_)
        return;
    }
    remote_reader r(*client_, partition_);
    fn(r);
  };
  {
    // Under the lock: stop() empties readers_.
    std::lock_guard lock(mtx_);
    if (stopping_)
      return;
    auto n = readers_.size();
    auto first = next_reader_.fetch_add(1);
    for (std::size_t i = 0; i < n; ++i)
      if (readers_[(first + i) % n]->post(job))
        return;
  }
  remote_reader refused(*client_, partition_,
                        core::overloaded("partition " +
                                         std::to_string(partition_) +
                                         ": too many reads waiting"));
  fn(refused);
}

std::shared_ptr<actors::subscription>
remote_engine::subscribe(std::size_t capacity) {
  auto s = std::make_shared<actors::subscription>(capacity);
  std::lock_guard lock(events_->mtx);
  if (events_->closed) {
    s->close();
    return s;
  }
  if (!events_->sub) {
    auto* closure = new events_ptr(events_);
    auto subject = events_subject(partition_);
    auto st = natsConnection_Subscribe(&events_->sub, nats_.connection(),
                                       subject.c_str(), on_event, closure);
    if (st == NATS_OK)
      st = natsSubscription_SetOnCompleteCB(events_->sub, on_events_complete,
                                            closure);
    if (st != NATS_OK) {
      natsSubscription_Destroy(events_->sub);
      events_->sub = nullptr;
      delete closure;
      s->close();
      return s;
    }
    natsConnection_FlushTimeout(nats_.connection(), 2000);
  }
  events_->subs.push_back(s);
  return s;
}

actors::metrics_snapshot remote_engine::metrics() const {
  return {};
}

} // namespace switchboard::cluster

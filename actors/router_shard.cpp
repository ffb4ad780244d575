// The router shards and the session actors they own.
//
// Session actor protocol (one per key, spawned by its shard):
//   keyed_op       -> queued; ops run strictly one at a time (session_ops.hpp)
//   run_closure    -> a continuation of the running op (writer ack, read, flush)
//   passivate_atom -> queued behind every op already received; when reached,
//                     sends session_stopped{stopped=true} to the shard and quits
// Shard protocol:
//   keyed_op        -> forwarded to the key's actor (spawned on first use, its
//                      entry loaded from the routing index); held while that
//                      actor is stopping and forwarded to its successor
//   session_stopped -> {stopped=false}: the actor asks to be let go;
//                      {stopped=true}: it has stopped
//   idle_sweep      -> passivates every actor idle for passivate_after_seconds
//                      (engine clock), answers after they all stopped

#include "actors/messages.hpp"
#include "actors/pools.hpp"

#include <deque>
#include <list>
#include <unordered_map>

namespace switchboard::actors {

namespace {

/// The state of one session actor; the op context its ops see.
class session_state final : public session_ctx {
public:
  session_state(caf::event_based_actor* self, runtime* rt, caf::actor writer,
                caf::actor shard, std::string key, std::uint64_t gen,
                core::result<std::optional<core::session_entry>> loaded)
    : self_(self), rt_(rt), writer_(std::move(writer)),
      shard_(std::move(shard)), key_(std::move(key)), gen_(gen) {
    if (loaded)
      entry_ = std::move(*loaded);
    else
      load_error_ = loaded.err();
  }

  const std::string& key() const override { return key_; }
  std::optional<core::session_entry>& entry() override { return entry_; }
  runtime& rt() override { return *rt_; }

  void write(write_fn fn, std::function<void(core::status)> then) override {
    rt_->writer_queue.fetch_add(1, std::memory_order_relaxed);
    auto me = caf::actor_cast<caf::actor>(self_);
    // `done` runs once: it moves `then` on instead of copying it (and what
    // it captured) twice per request.
    auto done = [me, then = std::move(then)](core::status st) mutable {
      caf::anon_send(me, run_closure{[then = std::move(then),
                                      st = std::move(st)] { then(st); }});
    };
    self_->send(writer_, write_job{std::move(fn), std::move(done)});
  }

  void read(read_fn fn, std::function<void()> then) override {
    auto me = caf::actor_cast<caf::actor>(self_);
    auto job = [me, fn, then](core::store_reader& r) {
      fn(r);
      caf::anon_send(me, run_closure{then});
    };
    if (!rt_->readers->post(job))
      self_->send(me, run_closure{then});
  }

  void flush(nlohmann::json payload,
             std::function<void(bool, int)> then) override;

  void request_passivation() override {
    self_->send(shard_, session_stopped{key_, gen_, false});
  }

  void finish() override {
    running_ = false;
    if (!dispatching_)
      run_next();
  }

  void enqueue(session_op op) {
    queue_.push_back(std::move(op));
    run_next();
  }

  void run_closure_now(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      fail_running(e.what());
    }
  }

private:
  void run_next();
  void fail_running(const char* what) {
    // A continuation threw: the op is over; answer its caller (a no-op
    // when its own completion was what threw after answering).
    if (auto fail = std::move(current_fail_))
      try {
        fail(core::internal_error(std::string("session op failed: ") + what));
      } catch (...) {
      }
    finish();
  }
  void stop_now() {
    self_->send(shard_, session_stopped{key_, gen_, true});
    self_->quit();
  }

  caf::event_based_actor* self_;
  runtime* rt_;
  caf::actor writer_;
  caf::actor shard_;
  std::string key_;
  std::uint64_t gen_;
  std::optional<core::session_entry> entry_;
  std::optional<core::error> load_error_;
  std::deque<session_op> queue_;
  std::function<void(core::error)> current_fail_;
  bool running_ = false;
  bool dispatching_ = false;
  bool asked_to_go_ = false;
};

void session_state::run_next() {
  dispatching_ = true;
  while (!running_ && !queue_.empty()) {
    auto op = std::move(queue_.front());
    queue_.pop_front();
    if (!op.run) { // the passivation marker
      dispatching_ = false;
      return stop_now();
    }
    if (load_error_) {
      op.fail(*load_error_);
      if (!std::exchange(asked_to_go_, true))
        request_passivation(); // a successor retries the load
      continue;
    }
    running_ = true;
    current_fail_ = std::move(op.fail);
    try {
      op.run(*this);
    } catch (const std::exception& e) {
      running_ = false;
      if (auto fail = std::move(current_fail_))
        fail(core::internal_error(std::string("session op failed: ") +
                                  e.what()));
    }
  }
  dispatching_ = false;
}

/// Runs the hook with retries and backoff on a hook thread (never on a CAF
/// scheduler thread); the pool's size bounds concurrent hook calls.
void session_state::flush(nlohmann::json payload,
                          std::function<void(bool, int)> then) {
  auto me = caf::actor_cast<caf::actor>(self_);
  auto* rt = rt_;
  auto job = [rt, me, payload, then](int) {
    int attempts = 0;
    bool ok = false;
    auto backoff = rt->flush_backoff_seconds;
    while (!ok && attempts < std::max(1, rt->cfg.flush.max_attempts)) {
      if (attempts > 0 && !rt->hooks->sleep_for(
                             std::chrono::duration<double>(backoff))) {
        attempts = 0; // stopping: not finalized, retried after a restart
        break;
      }
      ++attempts;
      ok = static_cast<bool>(rt->flush_hook(payload));
      backoff *= 2;
    }
    caf::anon_send(me, run_closure{[then, ok, attempts] { then(ok, attempts); }});
  };
  if (!rt_->hooks->post(job))
    then(false, 0);
}

caf::behavior session_actor(caf::event_based_actor* self, runtime* rt,
                            caf::actor writer, caf::actor shard,
                            std::string key, std::uint64_t gen,
                            core::result<std::optional<core::session_entry>>
                              loaded) {
  auto st = std::make_shared<session_state>(self, rt, std::move(writer),
                                            std::move(shard), std::move(key),
                                            gen, std::move(loaded));
  return {
    [st](keyed_op& m) { st->enqueue(std::move(m.op)); },
    [st](run_closure& m) { st->run_closure_now(m.fn); },
    [st](passivate_atom) { st->enqueue(session_op{}); },
  };
}

// -- the shard ---------------------------------------------------------------

/// Waits for the actors an idle sweep passivated.
struct sweep_wait {
  std::int64_t remaining = 0;
  std::int64_t count = 0;
  std::function<void(std::int64_t)> done;
};

struct slot {
  caf::actor hdl;
  std::uint64_t gen = 0;
  core::time_point last_used;
  bool stopping = false;
  std::vector<session_op> held;
  std::list<std::string>::iterator lru; // valid unless stopping
  std::shared_ptr<sweep_wait> wait;
};

class shard_state {
public:
  shard_state(caf::event_based_actor* self, runtime* rt, caf::actor writer)
    : self_(self), rt_(rt), writer_(std::move(writer)) {
    auto n = static_cast<std::int64_t>(std::max(1, rt->shard_count));
    cap_ = static_cast<std::size_t>(std::max<std::int64_t>(
      1, rt->cfg.actors.max_resident / n));
  }

  void on_op(keyed_op& m);
  void on_stopped(const session_stopped& m);
  void on_sweep(const idle_sweep& m);
  void on_exit(const caf::exit_msg& m);

private:
  slot& spawn(const std::string& key);
  void touch(const std::string& key, slot& s);
  void begin_passivation(slot& s, std::shared_ptr<sweep_wait> wait);
  core::result<std::optional<core::session_entry>>
  load(const std::string& key);

  caf::event_based_actor* self_;
  runtime* rt_;
  caf::actor writer_;
  std::unique_ptr<core::store_reader> reader_;
  std::unordered_map<std::string, slot> slots_;
  std::list<std::string> lru_; // front = most recently used
  std::size_t cap_;
  std::uint64_t next_gen_ = 1;
};

core::result<std::optional<core::session_entry>>
shard_state::load(const std::string& key) {
  if (!reader_) {
    auto r = rt_->open_reader();
    if (!r)
      return r.err();
    reader_ = std::move(*r);
  }
  return reader_->get_entry(key);
}

slot& shard_state::spawn(const std::string& key) {
  auto& s = slots_[key];
  s.gen = next_gen_++;
  s.stopping = false;
  s.hdl = self_->spawn(session_actor, rt_, writer_,
                       caf::actor_cast<caf::actor>(self_), key, s.gen,
                       load(key));
  lru_.push_front(key);
  s.lru = lru_.begin();
  rt_->stats.resident.fetch_add(1, std::memory_order_relaxed);
  return s;
}

void shard_state::touch(const std::string& key, slot& s) {
  (void)key;
  s.last_used = rt_->now();
  lru_.splice(lru_.begin(), lru_, s.lru);
}

void shard_state::begin_passivation(slot& s,
                                    std::shared_ptr<sweep_wait> wait) {
  s.stopping = true;
  lru_.erase(s.lru);
  if (wait) {
    ++wait->remaining;
    ++wait->count;
  }
  s.wait = std::move(wait);
  self_->send(s.hdl, passivate_atom::value);
}

void shard_state::on_op(keyed_op& m) {
  auto it = slots_.find(m.key);
  slot& s = it == slots_.end() ? spawn(m.key) : it->second;
  if (s.stopping) {
    s.held.push_back(std::move(m.op));
    return;
  }
  touch(m.key, s);
  self_->send(s.hdl, std::move(m));
  while (lru_.size() > cap_)
    begin_passivation(slots_[lru_.back()], nullptr);
}

void shard_state::on_stopped(const session_stopped& m) {
  auto it = slots_.find(m.key);
  if (it == slots_.end() || it->second.gen != m.gen)
    return;
  auto& s = it->second;
  if (!m.stopped) {
    if (!s.stopping)
      begin_passivation(s, nullptr);
    return;
  }
  rt_->stats.resident.fetch_sub(1, std::memory_order_relaxed);
  if (auto w = std::move(s.wait); w && --w->remaining == 0 && w->done)
    w->done(w->count);
  auto held = std::move(s.held);
  if (held.empty()) {
    slots_.erase(it);
    return;
  }
  // Messages arrived while it stopped: a successor (which reloads the entry
  // the stopped actor left durable) takes them, in arrival order.
  auto& next = spawn(m.key);
  next.last_used = rt_->now();
  for (auto& op : held)
    self_->send(next.hdl, keyed_op{m.key, std::move(op)});
}

void shard_state::on_sweep(const idle_sweep& m) {
  auto wait = std::make_shared<sweep_wait>();
  wait->done = m.done;
  auto idle = std::chrono::duration_cast<core::duration>(
    std::chrono::duration<double>(rt_->cfg.actors.passivate_after_seconds));
  std::vector<std::string> victims;
  for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
    if (m.now - slots_[*it].last_used < idle)
      break;
    victims.push_back(*it);
  }
  for (auto& k : victims)
    begin_passivation(slots_[k], wait);
  if (wait->remaining == 0 && wait->done)
    wait->done(0);
}

void shard_state::on_exit(const caf::exit_msg& m) {
  for (auto& [key, s] : slots_)
    self_->send_exit(s.hdl, m.reason);
  slots_.clear();
  self_->quit(m.reason);
}

} // namespace

caf::behavior router_shard(caf::event_based_actor* self, runtime* rt,
                           caf::actor writer) {
  auto st = std::make_shared<shard_state>(self, rt, std::move(writer));
  self->set_exit_handler([st](caf::exit_msg& m) { st->on_exit(m); });
  return {
    [st](keyed_op& m) { st->on_op(m); },
    [st](const session_stopped& m) { st->on_stopped(m); },
    [st](const idle_sweep& m) { st->on_sweep(m); },
  };
}

void send_to_shard(const std::vector<caf::actor>& shards, std::string key,
                   session_op op) {
  auto i = std::hash<std::string>{}(key) % shards.size();
  caf::anon_send(shards[i], keyed_op{std::move(key), std::move(op)});
}

} // namespace switchboard::actors

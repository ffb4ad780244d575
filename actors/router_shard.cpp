// The router shards: each owns its keys' state (no actor per key).
//
// Shard protocol:
//   keyed_op      -> the op joins its key's queue; ops of one key run one
//                    at a time, in arrival order (session_ops.hpp). One
//                    exception: a route that continues the session with a
//                    message pipelines its write (write_pipelined), and the
//                    key's next route may start before that write is
//                    answered; every other op waits for those answers. A
//                    key not in memory is loaded from the routing index
//                    first.
//   keyed_ops     -> several keyed_op in order (a batch request's items).
//   run_closure(s)-> continuations of running ops (writer acks, reads,
//                    flushes), run on this shard; the writer's acks of one
//                    batch arrive in one run_closures.
// The writes that one message's work causes go to the writer in one
// write_jobs message.
//   idle_sweep    -> drops every key idle for passivate_after_seconds (engine
//                    clock) and answers with how many.
// A key's state leaves memory when it has been idle that long, when the
// shard holds more than its share of actors.max_resident (least recently
// used first), when its op asked for it (request_passivation, e.g. after an
// expiry) or when its entry could not be loaded; its state lives in the
// index, so it comes back on its next op. Only a key with no running or
// queued op leaves.
//
// Why not an actor per key (the first design): each resident key cost a CAF
// actor (~1.5 KB plus its mailbox and state, 3.9 KB RSS per session in
// `serve`), every op crossed one more mailbox (shard -> session actor and
// back from the writer), and stopping 400k actors took 5 s. A shard runs
// the same session ops against a plain per-key record.
//
// Memory: an idle key keeps its entry packed (core/packed_entry.hpp, ~70
// bytes for a typical entry instead of a ~650-byte session_entry); a key
// unpacks it when an op starts and packs it again when it has no op left.

#include "actors/messages.hpp"
#include "actors/pools.hpp"
#include "core/packed_entry.hpp"

#include <list>
#include <unordered_map>

namespace switchboard::actors {

namespace {

class shard_state;

// How many pipelined writes of one key may be unanswered at once: enough
// for a hot key to fill a writer batch; beyond it the key's routes wait.
constexpr int max_pipelined_per_key = 256;

/// One key's state: its entry and its ops. The op context its ops see.
class key_state final : public session_ctx {
public:
  key_state(shard_state* shard,
            core::result<std::optional<core::session_entry>> loaded);
  /// The shard's map key, stable in its node (set once, after emplace).
  void bind_key(const std::string* key) { key_ = key; }

  const std::string& key() const override { return *key_; }
  std::optional<core::session_entry>& entry() override {
    return unpacked().entry;
  }
  runtime& rt() override;
  void write(write_fn fn, std::function<void(core::status)> then) override;
  void write_pipelined(write_fn fn,
                       std::function<void(core::status)> then) override;
  int pipelined_writes() const override { return pipelined_; }
  void read(read_fn fn, std::function<void()> then) override;
  void flush(nlohmann::json payload,
             std::function<void(bool, int)> then) override;
  void request_passivation() override { leave_ = true; }
  void finish() override {
    running_ = false;
    if (!dispatching_)
      run_next();
  }

  void enqueue(session_op op) {
    queue_.push_back(std::move(op));
    run_next();
  }
  /// Runs a continuation of the running op.
  void resume(const std::function<void()>& fn);
  bool idle() const { return !running_ && queue_.empty() && pipelined_ == 0; }
  /// Idle and asked to leave memory (or unable to load its entry).
  bool should_leave() const { return idle() && (leave_ || load_error_); }
  /// Packs the entry of an idle key (no-op when it is already packed).
  void pack();

  core::time_point last_used;
  std::list<key_state*>::iterator lru;

private:
  void run_next();
  /// May the op at the front of the queue start now?
  bool may_start_next() const;
  /// A pipelined write was answered: its op's completion, then the ops
  /// that waited for the key's pipelined writes.
  void end_pipelined(const std::function<void(core::status)>& then,
                     const std::function<void(core::error)>& fail,
                     core::status st);
  void fail_running(const char* what);
  /// A continuation for this key, delivered through the shard's mailbox.
  std::function<void()> on_shard(std::function<void()> fn);

  /// What a key holds only while it has ops: its entry unpacked, and how to
  /// answer the running op's caller if a continuation throws.
  struct unpacked_state {
    std::optional<core::session_entry> entry;
    std::function<void(core::error)> fail;
  };
  unpacked_state& unpacked();

  shard_state* shard_;
  const std::string* key_ = nullptr;
  std::string packed_; // the entry when idle; empty: no entry
  std::unique_ptr<unpacked_state> unpacked_;
  std::unique_ptr<core::error> load_error_;
  std::list<session_op> queue_; // empty: no allocation (unlike a deque)
  bool running_ = false;
  int pipelined_ = 0; // writes of finished ops not yet answered
  bool dispatching_ = false;
  bool leave_ = false;
};

class shard_state {
public:
  shard_state(caf::event_based_actor* self, runtime* rt, caf::actor writer)
    : self_(self), rt_(rt), writer_(std::move(writer)) {
    auto n = static_cast<std::int64_t>(std::max(1, rt->shard_count));
    cap_ = static_cast<std::size_t>(
      std::max<std::int64_t>(1, rt->cfg.actors.max_resident / n));
  }
  ~shard_state() {
    rt_->stats.resident.fetch_sub(static_cast<std::int64_t>(keys_.size()),
                                  std::memory_order_relaxed);
  }

  void on_op(keyed_op& m);
  void on_sweep(const idle_sweep& m);
  /// Runs `fn` for `k`, then lets `k` leave memory if it should.
  void resume(key_state& k, const std::function<void()>& fn) {
    k.resume(fn);
    settle(k);
  }

  runtime& rt() { return *rt_; }
  caf::event_based_actor* self() { return self_; }

  /// Queues a write; the writes of one handler run go out in one message.
  void post_write(write_job job) {
    rt_->writer_queue.fetch_add(1, std::memory_order_relaxed);
    outbox_.push_back(std::move(job));
  }
  /// Runs one message's work, then sends its writes to the writer.
  template <class F>
  void handle(F&& f) {
    f();
    if (outbox_.empty())
      return;
    if (outbox_.size() == 1)
      self_->send(writer_, std::move(outbox_.front()));
    else
      self_->send(writer_, write_jobs{std::move(outbox_)});
    outbox_.clear();
  }

private:
  key_state& find_or_load(const std::string& key);
  core::result<std::optional<core::session_entry>> load(const std::string& key);
  void settle(key_state& k) {
    if (k.should_leave())
      drop(k);
    else
      k.pack();
  }
  void drop(key_state& k);
  void evict_over_cap();

  caf::event_based_actor* self_;
  runtime* rt_;
  caf::actor writer_;
  std::unique_ptr<core::store_reader> reader_;
  std::unordered_map<std::string, key_state> keys_;
  std::list<key_state*> lru_; // front = most recently used
  std::size_t cap_;
  std::vector<write_job> outbox_;
};

// -- key_state ----------------------------------------------------------------

key_state::key_state(shard_state* shard,
                     core::result<std::optional<core::session_entry>> loaded)
  : shard_(shard) {
  if (!loaded)
    load_error_ = std::make_unique<core::error>(loaded.err());
  else if (*loaded) // packed once the key is bound (pack() needs the key)
    unpacked_ = std::make_unique<unpacked_state>(
      unpacked_state{std::move(*loaded), nullptr});
}

key_state::unpacked_state& key_state::unpacked() {
  if (!unpacked_) {
    unpacked_ = std::make_unique<unpacked_state>();
    if (!packed_.empty())
      unpacked_->entry = core::unpack_entry(packed_, *key_);
  }
  return *unpacked_;
}

void key_state::pack() {
  if (!unpacked_ || !idle())
    return;
  thread_local std::string scratch;
  scratch.clear();
  if (unpacked_->entry)
    core::pack_entry(*unpacked_->entry, *key_, scratch);
  packed_.assign(scratch); // exact size: no growth slack per key
  if (scratch.empty())
    std::string().swap(packed_);
  unpacked_.reset();
}

runtime& key_state::rt() {
  return shard_->rt();
}

std::function<void()> key_state::on_shard(std::function<void()> fn) {
  auto me = caf::actor_cast<caf::actor>(shard_->self());
  auto* shard = shard_;
  auto* k = this; // lives while its op runs: an idle key never has one
  return [me, shard, k, fn = std::move(fn)]() mutable {
    caf::anon_send(me, run_closure{[shard, k, fn = std::move(fn)] {
                     shard->resume(*k, fn);
                   }});
  };
}

void key_state::write(write_fn fn, std::function<void(core::status)> then) {
  // `done` runs once, on this shard (reply_to), with the batch's other acks.
  auto* shard = shard_;
  auto* k = this;
  auto done = [shard, k, then = std::move(then)](core::status st) {
    shard->resume(*k, [&] { then(st); });
  };
  shard_->post_write(write_job{std::move(fn), std::move(done),
                               caf::actor_cast<caf::actor>(shard_->self())});
}

void key_state::write_pipelined(write_fn fn,
                                std::function<void(core::status)> then) {
  ++pipelined_;
  // The op ends now; its caller is answered from the write's completion,
  // also when that completion throws.
  auto fail = std::move(unpacked().fail);
  auto* shard = shard_;
  auto* k = this; // not idle (pipelined_ > 0): stays in memory
  auto done = [shard, k, then = std::move(then),
               fail = std::move(fail)](core::status st) {
    shard->resume(*k, [&] { k->end_pipelined(then, fail, std::move(st)); });
  };
  shard_->post_write(write_job{std::move(fn), std::move(done),
                               caf::actor_cast<caf::actor>(shard_->self())});
  finish();
}

void key_state::end_pipelined(const std::function<void(core::status)>& then,
                              const std::function<void(core::error)>& fail,
                              core::status st) {
  try {
    then(std::move(st));
  } catch (const std::exception& e) {
    if (fail)
      try {
        fail(
          core::internal_error(std::string("session op failed: ") + e.what()));
      } catch (...) {
      }
  }
  --pipelined_; // after `then`: the key stays unpacked while it runs
  if (!dispatching_)
    run_next();
}

void key_state::read(read_fn fn, std::function<void()> then) {
  auto back = on_shard(std::move(then));
  auto job = [fn = std::move(fn), back](core::store_reader& r) mutable {
    fn(r);
    back();
  };
  if (!rt().readers->post(job))
    back();
}

/// Runs the hook with retries and backoff on a hook thread (never on a CAF
/// scheduler thread); the pool's size bounds concurrent hook calls.
void key_state::flush(nlohmann::json payload,
                      std::function<void(bool, int)> then) {
  auto* rt = &shard_->rt();
  auto result = std::make_shared<std::pair<bool, int>>(false, 0);
  auto back = on_shard(
    [result, then = std::move(then)] { then(result->first, result->second); });
  auto job = [rt, payload, result, back](int) mutable {
    int attempts = 0;
    bool ok = false;
    auto backoff = rt->flush_backoff_seconds;
    while (!ok && attempts < std::max(1, rt->cfg.flush.max_attempts)) {
      if (attempts > 0 &&
          !rt->hooks->sleep_for(std::chrono::duration<double>(backoff))) {
        attempts = 0; // stopping: not finalized, retried after a restart
        break;
      }
      ++attempts;
      ok = static_cast<bool>(rt->flush_hook(payload));
      backoff *= 2;
    }
    *result = {ok, attempts};
    back();
  };
  if (!rt->hooks->post(job))
    back(); // stopping: the op hears (false, 0 attempts), as from the hook
}

void key_state::resume(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    fail_running(e.what());
  }
}

void key_state::fail_running(const char* what) {
  // A continuation threw: the op is over; answer its caller (a no-op when
  // its own completion was what threw after answering).
  if (auto fail = std::move(unpacked().fail))
    try {
      fail(core::internal_error(std::string("session op failed: ") + what));
    } catch (...) {
    }
  finish();
}

bool key_state::may_start_next() const {
  if (running_ || queue_.empty())
    return false;
  if (pipelined_ == 0)
    return true;
  return queue_.front().pipelinable && pipelined_ < max_pipelined_per_key;
}

void key_state::run_next() {
  dispatching_ = true;
  while (may_start_next()) {
    auto op = std::move(queue_.front());
    queue_.pop_front();
    if (load_error_) { // fails alone; the key leaves and reloads next time
      op.fail(*load_error_);
      continue;
    }
    running_ = true;
    unpacked().fail = std::move(op.fail);
    try {
      op.run(*this);
    } catch (const std::exception& e) {
      running_ = false;
      if (auto fail = std::move(unpacked().fail))
        fail(
          core::internal_error(std::string("session op failed: ") + e.what()));
    }
  }
  dispatching_ = false;
}

// -- shard_state --------------------------------------------------------------

core::result<std::optional<core::session_entry>>
shard_state::load(const std::string& key) {
  if (!reader_) {
    auto r =
      rt_->open_lookup_reader ? rt_->open_lookup_reader() : rt_->open_reader();
    if (!r)
      return r.err();
    reader_ = std::move(*r);
  }
  return reader_->get_entry(key);
}

key_state& shard_state::find_or_load(const std::string& key) {
  auto it = keys_.find(key);
  if (it != keys_.end()) {
    auto& k = it->second;
    lru_.splice(lru_.begin(), lru_, k.lru);
    k.last_used = rt_->now();
    return k;
  }
  auto pos = keys_.try_emplace(key, this, load(key)).first;
  auto& k = pos->second;
  k.bind_key(&pos->first);
  lru_.push_front(&k);
  k.lru = lru_.begin();
  k.last_used = rt_->now();
  rt_->stats.resident.fetch_add(1, std::memory_order_relaxed);
  return k;
}

void shard_state::drop(key_state& k) {
  lru_.erase(k.lru);
  keys_.erase(keys_.find(k.key())); // by iterator: k.key() lives in the node
  rt_->stats.resident.fetch_sub(1, std::memory_order_relaxed);
}

void shard_state::evict_over_cap() {
  // Only idle keys leave; a key busy with an op is passed over this time.
  auto it = lru_.end();
  for (int looked = 0; keys_.size() > cap_ && it != lru_.begin() && looked < 16;
       ++looked) {
    auto* k = *std::prev(it);
    if (k->idle())
      drop(*k); // erases std::prev(it): `it` stays valid
    else
      --it;
  }
}

void shard_state::on_op(keyed_op& m) {
  auto& k = find_or_load(m.key);
  k.enqueue(std::move(m.op));
  settle(k);
  evict_over_cap();
}

void shard_state::on_sweep(const idle_sweep& m) {
  auto idle_for = std::chrono::duration_cast<core::duration>(
    std::chrono::duration<double>(rt_->cfg.actors.passivate_after_seconds));
  std::int64_t dropped = 0;
  auto it = lru_.end();
  while (it != lru_.begin()) {
    auto* k = *std::prev(it);
    if (m.now - k->last_used < idle_for)
      break;
    if (k->idle()) {
      drop(*k); // erases std::prev(it): `it` stays valid
      ++dropped;
    } else {
      k->request_passivation(); // leaves when its op is done
      --it;
    }
  }
  if (m.done)
    m.done(dropped);
}

} // namespace

caf::behavior router_shard(caf::event_based_actor* self, runtime* rt,
                           caf::actor writer) {
  auto st = std::make_shared<shard_state>(self, rt, std::move(writer));
  return {
    [st](keyed_op& m) { st->handle([&] { st->on_op(m); }); },
    [st](keyed_ops& m) {
      st->handle([&] {
        for (auto& op : m.ops)
          st->on_op(op);
      });
    },
    [st](run_closure& m) { st->handle([&] { m.fn(); }); },
    [st](run_closures& m) {
      st->handle([&] {
        for (auto& fn : m.fns)
          fn();
      });
    },
    [st](const idle_sweep& m) { st->handle([&] { st->on_sweep(m); }); },
  };
}

std::size_t shard_of(const std::vector<caf::actor>& shards,
                     const std::string& key) {
  return std::hash<std::string>{}(key) % shards.size();
}

void send_to_shard(const std::vector<caf::actor>& shards, std::string key,
                   session_op op) {
  auto i = shard_of(shards, key);
  caf::anon_send(shards[i], keyed_op{std::move(key), std::move(op)});
}

} // namespace switchboard::actors

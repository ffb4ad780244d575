// The writer (SPEC 7): the only store_writer.
//
// Protocol:
//   write_job(s)       -> runs in the open batch (see "No SAVEPOINT" below);
//   the
//                         first job of a batch opens the transaction and sends
//                         (commit_atom, gen) to itself, which therefore runs
//                         after every job already queued: adaptive group
//                         commit. A batch also commits at writer.max_batch,
//                         or when the store says it is full (batch_full:
//                         a replicated store bounds a record's bytes).
//   (commit_atom, gen) -> when jobs arrived behind it (writer_queue > 0) and
//                         the batch grew since the last look, it re-sends
//                         itself behind them; with writer.commit_delay_us it
//                         may wait once for requests still on their way
//                         (wait_for_others); otherwise COMMIT; then every
//                         job's `done` gets its own status,
//                         or the COMMIT's error for all of them.
//   mirror_atom        -> refreshes the sessions.json mirror when dirty.
//   flush_atom         -> idle timer: folds the derived state in (see below)
//                         once no commit ran for flush_idle and no batch is
//                         open or queued.
//   exit               -> commits what is open (with the derived state),
//                         refreshes the mirror, quits.
// Derived state (store.hpp, persistence/derived_state.cpp) is written
// behind: when due (fold_every_ jobs, sized by core/fold_pacing.hpp from the
// last sweep's cost, or flush_interval since the last one) a sweep starts
// over the sessions with unfolded messages, cut into as many slices as the
// last sweep had jobs per session (at most 16; core/fold_pacing.hpp says
// why): one slice in a transaction of its own right after each batch's
// replies went out, until the sweep reached the last session (so no request
// waits for a fold it did not need, nor for more than a slice of one). An
// idle writer folds everything in flush_idle after its last commit. Counting
// jobs, not commits: under single-message load (batches of ~20) a fold every 20
// commits dirtied each key's counter and updated_at pages every ~400 messages;
// per 20000 jobs, each page is dirtied about once per fold, in key order. The
// fold is computed from the committed rows, so a crash between folds loses
// nothing (the next open folds the rest in) and readers stay exact. Replies go
// out only after COMMIT: nothing is acknowledged that is not on disk. WAL
// checkpoints run on a thread of the store's own
// (persistence/wal_checkpointer.hpp), not inside COMMIT; between_batches()
// after each batch's replies finishes one when the WAL is at its limit.
//
// No SAVEPOINT per job (they were 10-15% of the writer's time, mostly the
// sub-journal): a job runs bare. When one fails (error or exception), its
// partial writes are undone by rolling the whole transaction back and
// replaying the batch's earlier successful jobs, each in its own SAVEPOINT
// (a job that now fails gets its own error); the failed job answers with its
// error. Nothing was acknowledged yet, so the replay is invisible: a failing
// request still fails alone. REQUIRES: a write_fn only writes through the
// store_writer and overwrites (never accumulates) its outputs, so it can run
// again.
// The same path covers a failure after which SQLite rolled the transaction
// back by itself (SQLITE_FULL, IOERR, NOMEM): recover() starts with ROLLBACK
// either way. Should a replayed job do that, the replayed jobs before it are
// gone as well, and every job of the batch fails (fail_replayed).
//
// Why a replier: a batch's `done`s (one mailbox send per request, each
// scheduling its session actor) were ~7% of the writer thread, which is the
// engine's bottleneck; the writer hands them over in one message to a
// scheduled actor that runs them on the worker pool, in commit order.
// The replier is linked to the writer: should the writer die abnormally,
// the replier goes too instead of keeping stop() waiting.

#include "actors/messages.hpp"
#include "core/fold_pacing.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>

namespace switchboard::actors {

namespace {

using steady = std::chrono::steady_clock;

// Write-behind of derived state: a sweep every fold_pacing jobs (2,000 to
// writer.fold_max_jobs, 20,000 by default, each sweep aimed at 50 ms of
// work) or this much time under load, in at most max_slices slices;
// everything this long after the last commit when idle.
constexpr std::int64_t max_slices = 16; // per sweep
constexpr auto flush_interval = std::chrono::seconds(1);
constexpr auto flush_idle = std::chrono::milliseconds(50);

/// Runs each batch's replies; quits on stop_atom (sent by the writer after
/// its last batch, so no reply is dropped).
/// Why a class: CAF 0.17 spawns a function-based actor that takes no extra
/// arguments by dereferencing a null std::shared_ptr<std::tuple<>> (UBSan:
/// "reference binding to null pointer" in init_fun_factory_helper).
class replier_actor : public caf::event_based_actor {
public:
  using caf::event_based_actor::event_based_actor;

  /// Runs the replies without a reply_to here; the others go to their actor
  /// in one message each (a shard gets all of its keys' acks at once).
  static void deliver(reply_batch& b) {
    std::vector<std::pair<caf::actor, run_closures>> to;
    for (auto& p : b.replies) {
      if (!p.reply_to) {
        p.done(std::move(p.st));
        continue;
      }
      auto it = std::find_if(to.begin(), to.end(), [&](const auto& g) {
        return g.first == p.reply_to;
      });
      if (it == to.end())
        it = to.insert(to.end(), {p.reply_to, run_closures{}});
      it->second.fns.push_back(
        [done = std::move(p.done), st = std::move(p.st)]() mutable {
          done(std::move(st));
        });
    }
    for (auto& [actor, closures] : to)
      caf::anon_send(actor, std::move(closures));
  }

  caf::behavior make_behavior() override {
    return {
      [](reply_batch& b) { deliver(b); },
      [this](stop_atom) { quit(); },
    };
  }
};

class writer_state {
public:
  writer_state(caf::event_based_actor* self, runtime* rt,
               std::shared_ptr<core::store_writer> w)
    : self_(self), rt_(rt), w_(std::move(w)),
      replier_(self->spawn<replier_actor, caf::linked>()),
      fold_pace_(core::fold_pacing_up_to(rt->cfg.writer.fold_max_jobs)),
      fold_every_(fold_pace_.max_jobs) {}

  void on_job(write_job& job);
  /// Why re-arm: committing at the first commit_atom cut the batch at what
  /// had arrived when it opened, while the next requests already waited in
  /// the mailbox: many small batches (p50 <= 50 of 1000 in flight), each
  /// COMMIT rewriting the same index pages. Only jobs already queued extend
  /// the batch (no timer); `looked_at_` stops a spin on a job that is
  /// counted in writer_queue but not yet in the mailbox.
  void on_commit(std::uint64_t gen) {
    if (!open_ || gen != gen_)
      return;
    bool queued = rt_->writer_queue.load(std::memory_order_relaxed) > 0;
    if (queued && pending_.size() > looked_at_) {
      looked_at_ = pending_.size();
      self_->send(self_, commit_atom::value, gen);
      return;
    }
    if (wait_for_others()) {
      waited_ = true;
      self_->delayed_send(
        self_, std::chrono::microseconds(rt_->cfg.writer.commit_delay_us),
        commit_atom::value, gen);
      return;
    }
    commit();
  }
  /// writer.commit_delay_us (off by default): once per batch, when at least
  /// as many other requests are in flight as the batch holds, their jobs
  /// are probably on their way: a COMMIT now would leave them a batch of
  /// their own (many small COMMITs under single-message HTTP load).
  bool wait_for_others() const {
    if (rt_->cfg.writer.commit_delay_us <= 0 || waited_)
      return false;
    auto mine = static_cast<std::int64_t>(pending_.size());
    return rt_->in_flight.load(std::memory_order_relaxed) - mine >= mine;
  }
  void on_mirror() {
    mirror_timer_ = false;
    maybe_mirror();
  }
  /// Folds only after flush_idle without a commit. Being idle at the
  /// instant the timer fires is not enough: under closed-loop load the
  /// writer is briefly idle after nearly every batch (its requests wait for
  /// their replies), and folds then ran every 65-360 ms instead of every
  /// fold_every_ jobs (session 12: 80 folds in 700k jobs at 100k keys, 8.7
  /// s of the writer's time).
  void on_flush() {
    flush_timer_ = false;
    if (unfolded_jobs_ == 0 && !sweeping_)
      return;
    auto quiet = steady::now() - last_commit_;
    bool idle =
      !open_ && rt_->writer_queue.load(std::memory_order_relaxed) == 0;
    if (idle && quiet >= flush_idle)
      return flush_alone();
    arm_flush_timer(quiet < flush_idle ? flush_idle - quiet : flush_idle);
  }
  void on_exit(const caf::exit_msg& m) {
    if (open_)
      commit(true);
    else if (unfolded_jobs_ > 0 || sweeping_)
      flush_alone();
    if (mirror_dirty_ && rt_->write_mirror)
      (void)rt_->write_mirror();
    self_->send(replier_, stop_atom::value);
    self_->quit(m.reason);
  }

private:
  core::status run_bare(write_fn& fn);
  core::status run_one(write_fn& fn);
  void recover();
  core::status fail_replayed(std::size_t upto);
  void send_replies(const core::status& commit_st);
  void commit(bool force_fold = false);
  bool fold_due(steady::time_point now) const {
    return unfolded_jobs_ >= fold_every_ ||
           (unfolded_jobs_ > 0 && now - last_fold_ >= flush_interval);
  }
  void after_commit(bool folded, std::size_t jobs);
  void arm_flush_timer(steady::duration after);
  void flush_alone();
  void start_sweep();
  std::int64_t next_slice_size() const;
  void fold_next_slice();
  void maybe_mirror();

  caf::event_based_actor* self_;
  runtime* rt_;
  std::shared_ptr<core::store_writer> w_;
  caf::actor replier_;
  std::vector<pending_reply> pending_;
  std::vector<write_fn> fns_; // pending_'s jobs for a replay; empty: failed
  bool open_ = false;
  std::optional<core::error> lost_; // a replay lost the transaction
  std::uint64_t gen_ = 0;
  std::size_t looked_at_ = 0; // pending_.size() at the last re-arm
  bool waited_ = false;       // this batch waited writer.commit_delay_us
  bool mirror_dirty_ = false;
  bool mirror_timer_ = false;
  std::int64_t unfolded_jobs_ = 0; // committed since the last fold
  core::fold_pacing fold_pace_;
  std::int64_t fold_every_;         // jobs between sweeps
  bool sweeping_ = false;           // a sweep is under way: a slice per batch
  std::int64_t sweep_jobs_ = 0;     // unfolded when it started
  double sweep_seconds_ = 0;        // its slices' time so far
  std::int64_t sweep_sessions_ = 0; // its slices' sessions so far
  std::int64_t slice_size_ = 0;     // sessions per slice; 0: one slice
  std::int64_t jobs_since_slice_ = 0;
  std::int64_t last_sweep_jobs_ = 0; // jobs committed before it ended
  std::int64_t last_sweep_sessions_ = 0;
  steady::time_point last_fold_ = steady::now();
  steady::time_point last_commit_ = steady::now();
  bool flush_timer_ = false;
  steady::time_point last_mirror_{};
};

core::status writer_state::run_bare(write_fn& fn) {
  try {
    return fn(*w_);
  } catch (const std::exception& e) {
    return core::internal_error(std::string("write failed: ") + e.what());
  }
}

/// The replay path: `fn` in its own SAVEPOINT.
core::status writer_state::run_one(write_fn& fn) {
  if (auto st = w_->savepoint(); !st)
    return st;
  auto st = run_bare(fn);
  if (st) {
    st = w_->release_savepoint();
    if (st)
      return st;
  }
  if (auto rb = w_->rollback_to_savepoint(); !rb)
    lost_ = core::error{core::errc::internal,
                        st.err().message + "; " + rb.err().message};
  return st;
}

void writer_state::on_job(write_job& job) {
  rt_->writer_queue.fetch_sub(1, std::memory_order_relaxed);
  if (!open_) {
    if (auto st = w_->begin(); !st) {
      reply_batch one;
      one.replies.push_back({std::move(job.done), st, std::move(job.reply_to)});
      return replier_actor::deliver(one);
    }
    open_ = true;
    looked_at_ = 0;
    waited_ = false;
    self_->send(self_, commit_atom::value, ++gen_);
  }
  auto st = run_bare(job.fn);
  if (!st)
    recover();
  fns_.push_back(st ? std::move(job.fn) : write_fn{});
  pending_.push_back(
    {std::move(job.done), std::move(st), std::move(job.reply_to)});
  if (!open_) // recover() could not reopen the transaction
    return send_replies(core::status{});
  if (pending_.size() >=
        static_cast<std::size_t>(std::max(1, rt_->cfg.writer.max_batch)) ||
      w_->batch_full())
    commit();
}

/// Undoes a failed job's partial writes: ROLLBACK, BEGIN, then the batch's
/// earlier successful jobs again, each in its own SAVEPOINT. When BEGIN
/// fails, every job of the batch fails with its error and the batch closes.
void writer_state::recover() {
  w_->rollback();
  auto st = w_->begin();
  for (std::size_t i = 0; i < fns_.size(); ++i) {
    if (!fns_[i])
      continue;
    auto again = st ? run_one(fns_[i]) : st;
    if (!again) {
      pending_[i].st = std::move(again);
      fns_[i] = nullptr;
    }
    if (lost_) // the replayed jobs before i went with the transaction
      st = fail_replayed(i);
  }
  open_ = static_cast<bool>(st);
}

/// A replayed job's failure made SQLite roll the transaction back by itself
/// (FULL, IOERR, NOMEM): jobs [0, upto) that were replayed are gone too and
/// fail with that error, like every job after them. Returns the error.
core::status writer_state::fail_replayed(std::size_t upto) {
  core::status err{std::move(*lost_)};
  lost_.reset();
  w_->rollback();
  for (std::size_t j = 0; j < upto; ++j)
    if (fns_[j]) {
      pending_[j].st = err;
      fns_[j] = nullptr;
    }
  return err;
}

/// Hands the batch's replies to the replier; a failed COMMIT fails them all.
void writer_state::send_replies(const core::status& commit_st) {
  rt_->batch_sizes.record(static_cast<double>(pending_.size()));
  reply_batch batch{std::move(pending_)};
  pending_.clear();
  fns_.clear();
  if (!commit_st)
    for (auto& p : batch.replies)
      p.st = core::status(commit_st.err());
  self_->send(replier_, std::move(batch));
}

/// COMMITs the open batch (with the derived state only on exit), replies,
/// then folds the derived state in its own transaction when it is due.
void writer_state::commit(bool force_fold) {
  auto t0 = steady::now();
  // A failed fold rolled itself back and leaves the batch intact: it is
  // retried by the next one.
  bool folded = force_fold && w_->flush_derived();
  std::size_t jobs = pending_.size();
  auto st = w_->commit();
  open_ = false;
  rt_->commit_seconds.record(
    std::chrono::duration<double>(steady::now() - t0).count());
  send_replies(st);
  w_->between_batches();
  if (!st)
    return;
  after_commit(folded, jobs);
  if (!folded && !sweeping_ && fold_due(steady::now()))
    start_sweep();
  if (!folded && sweeping_)
    fold_next_slice();
  mirror_dirty_ = true;
  maybe_mirror();
}

void writer_state::after_commit(bool folded, std::size_t jobs) {
  last_commit_ = steady::now();
  if (folded) { // everything: a sweep under way has nothing left
    unfolded_jobs_ = 0;
    sweeping_ = false;
    last_fold_ = steady::now();
    return;
  }
  unfolded_jobs_ += static_cast<std::int64_t>(jobs);
  jobs_since_slice_ += static_cast<std::int64_t>(jobs);
  arm_flush_timer(flush_idle);
}

void writer_state::arm_flush_timer(steady::duration after) {
  if (flush_timer_)
    return;
  flush_timer_ = true;
  self_->delayed_send(self_, after, flush_atom::value);
}

/// Cuts the sweep into as many slices as the last sweep had jobs per
/// session (core/fold_pacing.hpp: why).
void writer_state::start_sweep() {
  sweeping_ = true;
  sweep_jobs_ = unfolded_jobs_;
  sweep_seconds_ = 0;
  sweep_sessions_ = 0;
  unfolded_jobs_ = 0;
  jobs_since_slice_ = 0;
  last_fold_ = steady::now();
  auto slices =
    core::slices_per_sweep(max_slices, last_sweep_jobs_, last_sweep_sessions_);
  slice_size_ = slices <= 1 ? 0 : (last_sweep_sessions_ + slices - 1) / slices;
}

/// The next slice's size in sessions: the sweep's share, or more when
/// sessions arrive faster (the last sweep's sessions per job, for the jobs
/// committed since the previous slice), so that the sweep ends.
std::int64_t writer_state::next_slice_size() const {
  if (slice_size_ <= 0)
    return std::numeric_limits<std::int64_t>::max();
  auto keep_up =
    (last_sweep_sessions_ * jobs_since_slice_ + last_sweep_jobs_ - 1) /
    std::max<std::int64_t>(1, last_sweep_jobs_);
  return std::max(slice_size_, keep_up);
}

/// A transaction of its own that folds the next slice of the sweep. When
/// the sweep is done, sizes the next one by its cost per job
/// (core/fold_pacing.hpp). A failed slice changes nothing: the next batch's
/// slice tries again.
void writer_state::fold_next_slice() {
  auto t0 = steady::now();
  if (!w_->begin())
    return;
  auto r = w_->fold_slice(next_slice_size());
  jobs_since_slice_ = 0;
  if (!r)
    w_->rollback();
  bool ok = r && w_->commit();
  auto seconds = std::chrono::duration<double>(steady::now() - t0).count();
  w_->between_batches();
  if (!ok)
    return;
  sweep_seconds_ += seconds;
  sweep_sessions_ += r->sessions;
  if (!r->done)
    return;
  sweeping_ = false;
  last_sweep_jobs_ = sweep_jobs_ + unfolded_jobs_;
  last_sweep_sessions_ = sweep_sessions_;
  fold_every_ =
    core::next_fold_jobs(fold_pace_, last_sweep_jobs_, sweep_seconds_);
}

/// A transaction of its own that folds all of the derived state in (it ends
/// a sweep under way). Sizes the next sweep by this fold's cost per job.
void writer_state::flush_alone() {
  auto t0 = steady::now();
  auto jobs = unfolded_jobs_ + (sweeping_ ? sweep_jobs_ : 0);
  if (!w_->begin())
    return;
  bool folded = static_cast<bool>(w_->flush_derived());
  if (w_->commit()) {
    after_commit(folded, 0);
    if (folded)
      fold_every_ = core::next_fold_jobs(
        fold_pace_, jobs,
        std::chrono::duration<double>(steady::now() - t0).count());
  }
  w_->between_batches();
}

/// At most once per mirror_interval_seconds, and only when something was
/// committed since the last refresh.
void writer_state::maybe_mirror() {
  if (!rt_->write_mirror || !mirror_dirty_ || mirror_timer_)
    return;
  auto interval =
    std::chrono::duration<double>(rt_->cfg.index.mirror_interval_seconds);
  auto due =
    last_mirror_ + std::chrono::duration_cast<steady::duration>(interval);
  auto now = steady::now();
  if (now < due) {
    mirror_timer_ = true;
    self_->delayed_send(self_, due - now, mirror_atom::value);
    return;
  }
  mirror_dirty_ = false;
  last_mirror_ = now;
  (void)rt_->write_mirror();
}

} // namespace

caf::behavior writer_actor(caf::event_based_actor* self, runtime* rt,
                           std::shared_ptr<core::store_writer> w) {
  auto st = std::make_shared<writer_state>(self, rt, std::move(w));
  self->set_exit_handler([st](caf::exit_msg& m) { st->on_exit(m); });
  return {
    [st](write_job& job) { st->on_job(job); },
    [st](write_jobs& batch) {
      for (auto& job : batch.jobs)
        st->on_job(job);
    },
    [st](commit_atom, std::uint64_t gen) { st->on_commit(gen); },
    [st](mirror_atom) { st->on_mirror(); },
    [st](flush_atom) { st->on_flush(); },
  };
}

} // namespace switchboard::actors

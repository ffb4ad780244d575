#pragma once

// WAL checkpoints off the writer's COMMIT.
//
// Why: SQLite's auto-checkpoint runs inside COMMIT on the committing thread.
// On the engine's single writer that made commit latency bimodal (p75 15 ms
// at a p50 of 5 ms): every 1000 pages one batch also copied the whole WAL
// into the database before its requests were acknowledged.
//
// How: the writer connection's auto-checkpoint is replaced by a WAL hook
// (called after each commit with the WAL's size in pages) that only wakes a
// thread of our own each time the WAL has grown by `step_pages`; that thread
// copies the WAL into the database with PASSIVE checkpoints on its own
// connection, which block neither the writer nor the readers.
//
// Why a step: a pass copies every page the WAL holds, once. Under load the
// same pages (the message index's leaves, one per key of a batch) are
// rewritten by almost every commit, so each pass copies nearly the same set
// again; fewer passes copy less.
// Measured (session 12, 2026-12-01, Release, `wrk -t2 -c64 -d15s` single
// messages over 1k chats; writer stalls timed on its thread, those > 5 ms):
//   before the thread's connection opened the WAL (its passes copied
//   nothing): 22.9k req/s, the writer's own copies at the limit 144 stalls,
//   2.4 s of the 15 s;
//   step/limit 1000/4000: 24.7k req/s, 53 stalls, 0.42 s;
//               250/4000: 25.0k req/s, 28 stalls, 0.22 s;
//              1000/8000: 25.0k req/s, 52 stalls, 0.42 s;
//               250/2000: 23.9k req/s, 27 stalls, 0.20 s.
// p99 was 47-51 ms in all four: the rest of the tail is elsewhere (the
// README's Performance section). engine_bench at 1k keys: +10%.
//
// A PASSIVE checkpoint cannot rewind a WAL that the writer keeps appending to,
// so when the WAL still holds `limit_pages` the writer itself, between two
// batches (after their replies), waits for a pass of the thread under way,
// then copies the few frames the thread has not (a PASSIVE checkpoint on the
// writer connection); its next transaction then starts the WAL over. The WAL
// therefore stays bounded under sustained load, and a `journal_size_limit`
// truncates the file when it restarts.
//
// REQUIRES: between_batches() and the destructor run on the writer's thread
// (or with the writer connection otherwise idle).

#include "core/result.hpp"

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace switchboard::persistence {

class connection;

struct checkpoint_options {
  int step_pages = 1000;  // a thread pass each time the WAL grew this much
  int limit_pages = 4000; // the writer finishes the copy from this size
};

class wal_checkpointer {
public:
  /// Opens the thread's connection on `path` and hooks `writer_db`.
  static core::result<std::unique_ptr<wal_checkpointer>>
  start(const std::string& path, sqlite3* writer_db, checkpoint_options opt);
  ~wal_checkpointer();
  wal_checkpointer(const wal_checkpointer&) = delete;
  wal_checkpointer& operator=(const wal_checkpointer&) = delete;

  /// Writer thread, outside a transaction: finishes the copy when the WAL
  /// has reached limit_pages (cheap otherwise).
  void between_batches();
  /// PASSIVE checkpoints of the thread that copied frames (tests, metrics).
  std::int64_t background_checkpoints() const { return done_.load(); }

private:
  wal_checkpointer(std::unique_ptr<connection> own, sqlite3* writer_db,
                   checkpoint_options opt);
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  std::unique_ptr<connection> own_;
  sqlite3* writer_db_;
  checkpoint_options opt_;
  std::atomic<int> wal_pages_{0};
  int next_pass_ = 0; // WAL size of the next thread pass (writer's thread)
  std::atomic<std::int64_t> done_{0};
  std::mutex mtx_;
  std::condition_variable wake_;
  std::mutex pass_mtx_; // held by every checkpoint pass, the writer's too
  bool pending_ = false;
  bool stop_ = false;
  std::thread thread_;
};

} // namespace switchboard::persistence

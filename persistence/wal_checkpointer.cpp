#include "persistence/wal_checkpointer.hpp"

#include "persistence/sqlite.hpp"

namespace switchboard::persistence {

namespace {

// The WAL file is cut back to this size when it restarts (bytes).
constexpr const char* journal_size_limit = "PRAGMA journal_size_limit=67108864";
constexpr int busy_timeout_ms = 30000;

} // namespace

core::result<std::unique_ptr<wal_checkpointer>>
wal_checkpointer::start(const std::string& path, sqlite3* writer_db,
                        checkpoint_options opt) {
  auto own = connection::open(path, SQLITE_OPEN_READWRITE);
  if (!own)
    return std::move(own).err();
  sqlite3_busy_timeout((*own)->raw(), busy_timeout_ms);
  // A connection learns that the file is in WAL mode, and opens the WAL,
  // only when it first reads the database. Until then each checkpoint on it
  // returns SQLITE_OK having done nothing (log and copied -1; SQLite
  // 3.40), and the writer copied the whole WAL at the limit itself, 10-18
  // ms per pass on its thread (found in session 12: 2.4 s of such stalls in
  // 15 s of wrk; wal_checkpointer.hpp has the numbers).
  if (auto st = (*own)->exec("PRAGMA schema_version"); !st)
    return std::move(st).err();
  sqlite3_stmt* limit = nullptr;
  if (sqlite3_prepare_v2(writer_db, journal_size_limit, -1, &limit, nullptr) ==
      SQLITE_OK)
    (void)sqlite3_step(limit);
  sqlite3_finalize(limit);
  return std::unique_ptr<wal_checkpointer>(
    new wal_checkpointer(std::move(*own), writer_db, opt));
}

wal_checkpointer::wal_checkpointer(std::unique_ptr<connection> own,
                                   sqlite3* writer_db, checkpoint_options opt)
  : own_(std::move(own)), writer_db_(writer_db), opt_(opt),
    next_pass_(opt.step_pages) {
  // Replaces the auto-checkpoint, which is itself a WAL hook.
  sqlite3_wal_hook(writer_db_, &wal_checkpointer::on_commit, this);
  thread_ = std::thread([this] { run(); });
}

wal_checkpointer::~wal_checkpointer() {
  sqlite3_wal_hook(writer_db_, nullptr, nullptr);
  {
    std::lock_guard<std::mutex> lk(mtx_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int wal_checkpointer::on_commit(void* self, sqlite3*, const char*, int pages) {
  auto* c = static_cast<wal_checkpointer*>(self);
  c->wal_pages_.store(pages, std::memory_order_relaxed);
  if (pages < c->next_pass_ - c->opt_.step_pages) // the WAL restarted
    c->next_pass_ = c->opt_.step_pages;
  if (pages >= c->next_pass_) {
    c->next_pass_ = pages + c->opt_.step_pages;
    std::lock_guard<std::mutex> lk(c->mtx_);
    c->pending_ = true;
    c->wake_.notify_one();
  }
  return SQLITE_OK;
}

void wal_checkpointer::run() {
  std::unique_lock<std::mutex> lk(mtx_);
  for (;;) {
    wake_.wait(lk, [this] { return pending_ || stop_; });
    if (stop_)
      return;
    pending_ = false;
    // At the limit the writer finishes the copy (between_batches): a
    // checkpoint of ours would only make its attempt find the lock taken.
    if (wal_pages_.load(std::memory_order_relaxed) >= opt_.limit_pages)
      continue;
    lk.unlock();
    int log = 0, copied = 0;
    // BUSY (another checkpoint is running) is fine: the next commit wakes
    // this thread again. Only a pass that copied frames counts.
    {
      std::lock_guard<std::mutex> pass(pass_mtx_);
      if (sqlite3_wal_checkpoint_v2(own_->raw(), nullptr,
                                    SQLITE_CHECKPOINT_PASSIVE, &log,
                                    &copied) == SQLITE_OK &&
          copied > 0)
        done_.fetch_add(1, std::memory_order_relaxed);
    }
    lk.lock();
  }
}

void wal_checkpointer::between_batches() {
  if (wal_pages_.load(std::memory_order_relaxed) < opt_.limit_pages)
    return;
  // Waits for a pass of the thread that is under way: a PASSIVE checkpoint
  // of ours would find the checkpoint lock taken (BUSY) and the WAL would
  // keep growing for as long as that pass runs.
  std::lock_guard<std::mutex> pass(pass_mtx_);
  int log = 0, copied = 0;
  if (sqlite3_wal_checkpoint_v2(writer_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                &log, &copied) == SQLITE_OK &&
      log == copied)
    wal_pages_.store(0, std::memory_order_relaxed); // restarts at next write
}

} // namespace switchboard::persistence

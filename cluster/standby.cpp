#include "cluster/standby.hpp"

#include "cluster/changeset.hpp"
#include "cluster/replica.hpp"
#include "cluster/snapshot.hpp"

#include <utility>

namespace switchboard::cluster {

core::result<std::unique_ptr<standby>>
standby::start(std::shared_ptr<nats_client> nats, int partition,
               std::string path, std::chrono::milliseconds interval,
               std::function<void(const std::string&)> log) {
  if (auto st = finish_snapshot_install(path); !st)
    return std::move(st).err();
  std::unique_ptr<standby> s{
    new standby(std::move(nats), partition, std::move(path), interval)};
  s->log_ = std::move(log);
  if (auto st = s->open_file(); !st)
    return std::move(st).err();
  s->thread_ = std::thread([p = s.get()] { p->run(); });
  return s;
}

standby::standby(std::shared_ptr<nats_client> nats, int partition,
                 std::string path, std::chrono::milliseconds interval)
  : nats_(std::move(nats)), partition_(partition), path_(std::move(path)),
    interval_(interval) {}

core::status standby::open_file() {
  auto file = persistence::open_writer(path_, core::durability::normal,
                                       persistence::open_fold::deferred);
  if (!file)
    return std::move(file).err();
  auto* db = (*file)->db().raw();
  if (auto st = ensure_applied_table(db); !st)
    return std::move(st).err();
  auto seq = applied_seq(db, partition_);
  if (!seq)
    return std::move(seq).err();
  file_ = std::move(*file);
  applied_.store(*seq, std::memory_order_release);
  return {};
}

/// Closes the file, installs the newest snapshot over it and reopens it.
core::status standby::install_snapshot() {
  file_.reset();
  auto installed = bootstrap_from_snapshot(*nats_, partition_, path_);
  auto reopened = open_file();
  if (!installed)
    return std::move(installed).err();
  if (log_)
    log_("installed the snapshot at record " + std::to_string(*installed));
  return reopened;
}

standby::~standby() {
  stop();
}

std::optional<core::error> standby::last_error() const {
  std::lock_guard lock(mtx_);
  return error_;
}

void standby::stop() {
  {
    std::lock_guard lock(mtx_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
  file_.reset();
}

bool standby::round() {
  auto before = applied();
  if (!file_)
    if (auto st = open_file(); !st)
      return note_round(st.err());
  auto reached = catch_up(*nats_, partition_, file_->db().raw());
  if (!reached && is_trimmed(reached.err())) {
    // Behind the trimmed log: continue from the newest snapshot.
    if (auto st = install_snapshot(); !st)
      return note_round(st.err());
    reached = catch_up(*nats_, partition_, file_->db().raw());
  }
  // Records before a failing one stay applied: read the file's own value.
  auto seq = applied_seq(file_->db().raw(), partition_);
  if (seq)
    applied_.store(*seq, std::memory_order_release);
  std::lock_guard lock(mtx_);
  if (reached) {
    error_.reset();
  } else {
    error_ = reached.err();
    if (reached.err().message.find("replica diverged") != std::string::npos)
      diverged_.store(true, std::memory_order_release);
  }
  return applied() > before;
}

bool standby::note_round(core::error e) {
  std::lock_guard lock(mtx_);
  error_ = std::move(e);
  return false;
}

void standby::run() {
  for (;;) {
    bool more = round();
    std::unique_lock lock(mtx_);
    if (stopping_ || diverged_.load(std::memory_order_acquire))
      return;
    if (!more)
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_)
      return;
  }
}

} // namespace switchboard::cluster

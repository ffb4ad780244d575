#include "cluster/standby.hpp"

#include "cluster/changeset.hpp"
#include "cluster/replica.hpp"

#include <utility>

namespace switchboard::cluster {

core::result<std::unique_ptr<standby>>
standby::start(std::shared_ptr<nats_client> nats, int partition,
               std::string path, std::chrono::milliseconds interval) {
  auto file = persistence::open_writer(path, core::durability::normal,
                                       persistence::open_fold::deferred);
  if (!file)
    return std::move(file).err();
  auto* db = (*file)->db().raw();
  if (auto st = ensure_applied_table(db); !st)
    return std::move(st).err();
  auto seq = applied_seq(db, partition);
  if (!seq)
    return std::move(seq).err();
  std::unique_ptr<standby> s{
    new standby(std::move(nats), partition, std::move(*file), interval)};
  s->applied_.store(*seq, std::memory_order_release);
  s->thread_ = std::thread([p = s.get()] { p->run(); });
  return s;
}

standby::standby(std::shared_ptr<nats_client> nats, int partition,
                 std::unique_ptr<persistence::sqlite_writer> file,
                 std::chrono::milliseconds interval)
  : nats_(std::move(nats)), partition_(partition), file_(std::move(file)),
    interval_(interval) {}

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
  auto reached = catch_up(*nats_, partition_, file_->db().raw());
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

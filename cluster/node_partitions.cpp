#include "cluster/node_partitions.hpp"

#include "cluster/partition_log.hpp"
#include "cluster/remote_engine.hpp"
#include "cluster/replicated_writer.hpp"
#include "cluster/snapshot.hpp"

#include <cstdio>
#include <filesystem>

namespace switchboard::cluster {

node_partitions::node_partitions(node_partitions_options o,
                                 actors::partitioned_engine& front)
  : opts_(std::move(o)), front_(front),
    slots_(static_cast<std::size_t>(front.partitions())),
    serving_(new std::atomic<bool>[slots_.size()]) {
  for (std::size_t p = 0; p < slots_.size(); ++p)
    serving_[p].store(false);
}

node_partitions::~node_partitions() {
  stop_all();
}

std::string node_partitions::dir_of(int p) const {
  char nn[8];
  std::snprintf(nn, sizeof nn, "%02d", p);
  return (std::filesystem::path(opts_.engine_cfg.data_dir) / "partitions" / nn)
    .string();
}

std::string node_partitions::file_of(int p) const {
  return (std::filesystem::path(dir_of(p)) / "state.db").string();
}

bool node_partitions::serves(int p) const {
  return serving_[static_cast<std::size_t>(p)].load(std::memory_order_acquire);
}

void node_partitions::log(const std::string& line) const {
  if (opts_.log)
    opts_.log(line);
}

std::optional<std::uint64_t>
node_partitions::apply(int p, partition_action action, std::uint64_t last_seq) {
  if (writer_deposed(p)) {
    // The log was read before the deposing record, or the takeover raced:
    // either way this engine may not write. The next pass decides afresh.
    facts_unknown(p);
    return std::nullopt;
  }
  switch (action) {
    case partition_action::serve:
    case partition_action::take_over:
      return serve(p, last_seq);
    case partition_action::hand_off:
      hand_off(p);
      return follow(p);
    case partition_action::follow:
      note_deposed(p);
      return follow(p);
    case partition_action::forward:
      note_deposed(p);
      stop_local(p);
      stop_follower(p);
      point_front_at_remote(p);
      return std::nullopt;
  }
  return std::nullopt;
}

void node_partitions::log_owner_is(int p, const std::string& node) {
  opts_.rpc->set_owner(p, node);
}

bool node_partitions::writer_deposed(int p) const {
  const auto& s = slots_[static_cast<std::size_t>(p)];
  return s.local && s.deposed && s.deposed->load(std::memory_order_acquire);
}

/// A deposed local engine stops serving (its reads would be stale from
/// now on and its writes fail): calls are forwarded to the new owner.
void node_partitions::facts_unknown(int p) {
  if (!writer_deposed(p))
    return;
  log("partition " + std::to_string(p) +
      ": no longer served here (its writer was deposed)");
  stop_local(p);
  opts_.rpc->set_owner(p, ""); // the new owner serves sb.rpc.NN too
}

/// Logs that a partition served here is owned elsewhere now (another node
/// took it over while this one looked gone); stopping it follows.
void node_partitions::note_deposed(int p) const {
  if (slots_[static_cast<std::size_t>(p)].local)
    log("partition " + std::to_string(p) +
        ": no longer served here (the log names another owner)");
}

/// Starts the local engine (its writer takes the partition over, fenced)
/// unless it runs already.
std::optional<std::uint64_t> node_partitions::serve(int p,
                                                    std::uint64_t last_seq) {
  auto& s = slots_[static_cast<std::size_t>(p)];
  if (s.local)
    return last_seq;
  stop_follower(p);
  std::filesystem::create_directories(dir_of(p));
  if (auto reachable = ensure_log_reachable(*opts_.nats, p, file_of(p));
      !reachable) {
    log("partition " + std::to_string(p) +
        ": take over failed (retried next pass): " + reachable.err().message);
    return std::nullopt;
  }
  auto cfg = opts_.engine_cfg;
  cfg.data_dir = dir_of(p);
  actors::start_options start;
  auto deposed = std::make_shared<std::atomic<bool>>(false);
  start.replicate = replicate_to({opts_.nats, p, opts_.node_id, 0, deposed});
  auto eng = actors::engine::start(cfg, opts_.clock, std::move(start));
  if (!eng) {
    log("partition " + std::to_string(p) +
        ": take over failed (retried next pass): " + eng.err().message);
    return std::nullopt;
  }
  std::shared_ptr<actors::engine> local = std::move(*eng);
  rpc_server_options server_opts;
  server_opts.node_id = opts_.node_id;
  auto server = rpc_server::start(*opts_.nats, p, local, server_opts);
  if (!server) {
    log("partition " + std::to_string(p) +
        ": cannot answer forwarded calls (retried next pass): " +
        server.err().message);
    local->stop();
    return std::nullopt;
  }
  s.local = local;
  s.deposed = std::move(deposed);
  s.server = std::move(*server);
  s.remote = false;
  // The proxy's calls in flight (stopping it waits for them) and every
  // later one come here now, not to the owner the last pass named.
  opts_.rpc->set_owner(p, opts_.node_id);
  replace_front(p, local);
  serving_[static_cast<std::size_t>(p)].store(true, std::memory_order_release);
  log("partition " + std::to_string(p) + ": serving");
  return last_seq + 1; // the takeover record
}

std::optional<std::uint64_t> node_partitions::follow(int p) {
  stop_local(p);
  point_front_at_remote(p);
  auto& s = slots_[static_cast<std::size_t>(p)];
  if (!s.follower) {
    std::filesystem::create_directories(dir_of(p));
    auto f =
      standby::start(opts_.nats, p, file_of(p), std::chrono::milliseconds(200),
                     [this, p](const std::string& line) {
                       log("partition " + std::to_string(p) + ": " + line);
                     });
    if (!f) {
      log("partition " + std::to_string(p) +
          ": cannot follow (retried next pass): " + f.err().message);
      return std::nullopt;
    }
    s.follower = std::move(*f);
  }
  return s.follower->applied();
}

/// Stops serving, then appends `handoff` after this node's last record (a
/// fenced append: when another node appended meanwhile, nothing to do).
/// Also when nothing runs here: a handoff whose write failed (NATS was
/// electing a leader) is retried by the next pass, which decides hand_off
/// again because the log still names this node; without the retry the
/// partition had no owner until this node left.
void node_partitions::hand_off(int p) {
  stop_local(p);
  auto last = last_sequence(*opts_.nats, p);
  if (!last)
    return log("partition " + std::to_string(p) +
               ": handoff not written: " + last.err().message);
  auto r = read_record(*opts_.nats, p, *last);
  if (!r || r->node != opts_.node_id)
    return;
  auto appended = append(
    *opts_.nats, p, {record_kind::handoff, r->epoch, opts_.node_id, {}}, *last);
  if (appended)
    opts_.rpc->set_owner(p, ""); // whoever takes it over next
  log("partition " + std::to_string(p) +
      (appended ? ": handed off"
                : ": handoff not written: " + appended.err().message));
}

void node_partitions::hand_off_all() {
  for (int p = 0; p < static_cast<int>(slots_.size()); ++p)
    if (slots_[static_cast<std::size_t>(p)].local)
      hand_off(p);
}

void node_partitions::stop_local(int p) {
  auto& s = slots_[static_cast<std::size_t>(p)];
  if (!s.local)
    return;
  serving_[static_cast<std::size_t>(p)].store(false, std::memory_order_release);
  s.server.reset(); // forwarded calls now find the next owner (or retry)
  point_front_at_remote(p); // stops the local engine: its last batch
  s.local.reset();
}

void node_partitions::stop_follower(int p) {
  slots_[static_cast<std::size_t>(p)].follower.reset();
}

void node_partitions::point_front_at_remote(int p) {
  auto& s = slots_[static_cast<std::size_t>(p)];
  if (s.remote)
    return;
  replace_front(p, std::make_shared<remote_engine>(
                     opts_.rpc, *opts_.nats, p, opts_.engine_cfg, opts_.clock));
  s.remote = true;
}

void node_partitions::replace_front(int p, std::shared_ptr<actors::engine> e) {
  if (auto old = front_.set_slot(p, std::move(e)))
    old->stop();
}

void node_partitions::stop_all() {
  for (int p = 0; p < static_cast<int>(slots_.size()); ++p) {
    auto& s = slots_[static_cast<std::size_t>(p)];
    serving_[static_cast<std::size_t>(p)].store(false);
    s.server.reset();
    if (auto old = front_.set_slot(p, nullptr))
      old->stop();
    s.local.reset();
    s.remote = false;
    stop_follower(p);
  }
}

} // namespace switchboard::cluster

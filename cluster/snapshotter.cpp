#include "cluster/snapshotter.hpp"

namespace switchboard::cluster {

snapshotter::snapshotter(snapshotter_options o)
  : opts_(std::move(o)), last_(static_cast<std::size_t>(opts_.partitions)) {
  thread_ = std::make_unique<periodic_thread>(opts_.period, [this] { pass(); });
}

snapshotter::~snapshotter() {
  stop();
}

void snapshotter::stop() {
  if (thread_)
    thread_->stop();
}

void snapshotter::report(const std::string& line) {
  if (line == last_report_ || !opts_.log)
    return;
  last_report_ = line;
  opts_.log(line);
}

void snapshotter::pass() {
  if (!stream_ready_) {
    auto st = ensure_snapshot_stream(*opts_.nats, opts_.replicas);
    if (!st)
      return report("snapshots: " + st.err().message + " (retried)");
    stream_ready_ = true;
  }
  for (int p = 0; p < opts_.partitions; ++p)
    if (opts_.serves(p))
      snapshot_partition(p);
}

void snapshotter::snapshot_partition(int p) {
  auto& last = last_[static_cast<std::size_t>(p)];
  auto prefix = "partition " + std::to_string(p) + ": ";
  if (!last) {
    auto m = latest_snapshot(*opts_.nats, p);
    if (!m)
      return report(prefix + "snapshot: " + m.err().message + " (retried)");
    last = *m ? (*m)->seq : 0;
  }
  auto made = snapshot_if_due(*opts_.nats, p, opts_.file_of(p), opts_.node_id,
                              opts_.policy, *last);
  if (!made)
    return report(prefix + "snapshot: " + made.err().message + " (retried)");
  if (*made)
    report(prefix + "snapshot at record " + std::to_string((*made)->seq) +
           " (" + std::to_string((*made)->bytes) + " bytes); log kept from " +
           std::to_string((*made)->seq > opts_.policy.keep_records
                            ? (*made)->seq - opts_.policy.keep_records + 1
                            : 1));
}

} // namespace switchboard::cluster

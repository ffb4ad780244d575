#include "cluster/replicated_writer.hpp"

#include "cluster/partition.hpp"
#include "cluster/partition_log.hpp"
#include "cluster/replica.hpp"

#include <utility>

namespace switchboard::cluster {

namespace {

/// The size of a batch record's JSON for a changeset of `bytes` bytes: its
/// base64 plus the fields around it (epoch, node, sequences; generous).
std::size_t record_bytes(std::size_t bytes, const std::string& node) {
  return 4 * ((bytes + 2) / 3) + 512 + node.size();
}

std::size_t max_record_of(const replication_target& t) {
  if (t.max_record_bytes > 0)
    return t.max_record_bytes;
  auto payload = natsConnection_GetMaxPayload(t.nats->connection());
  auto bytes = static_cast<std::size_t>(payload > 0 ? payload : 1 << 20);
  return bytes > 2 * record_headroom ? bytes - record_headroom : bytes / 2;
}

} // namespace

replicated_writer::replicated_writer(
  std::unique_ptr<persistence::sqlite_writer> inner, replication_target target)
  : inner_(std::move(inner)), target_(std::move(target)),
    max_record_(max_record_of(target_)),
    // Why half: base64 takes 4/3 of the changeset, the estimate of the
    // queued FTS rows is rough, and the derived-state fold joins the
    // changeset only at commit.
    cut_bytes_(max_record_ / 2) {}

core::result<std::unique_ptr<replicated_writer>>
replicated_writer::open(std::unique_ptr<persistence::sqlite_writer> inner,
                        replication_target target) {
  std::unique_ptr<replicated_writer> w{
    new replicated_writer(std::move(inner), std::move(target))};
  auto& t = w->target_;
  if (auto st = ensure_applied_table(w->db()); !st)
    return std::move(st).err();
  auto owned = take_over(*t.nats, t.partition, w->db(), t.node);
  if (!owned)
    return std::move(owned).err();
  w->applied_ = owned->seq;
  w->epoch_ = owned->epoch;
  if (auto st = w->reread_sequences(); !st)
    return std::move(st).err();
  return w;
}

core::error replicated_writer::moved() const {
  std::string text{moved_prefix};
  text += "partition ";
  text += std::to_string(target_.partition);
  text += " is owned by another node (" + deposed_why_ +
          "); this node no longer writes it";
  return core::overloaded(std::move(text));
}

core::error replicated_writer::depose(std::string why) {
  if (!deposed()) {
    deposed_why_ = std::move(why);
    deposed_.store(true, std::memory_order_release);
    if (target_.deposed_flag)
      target_.deposed_flag->store(true, std::memory_order_release);
  }
  return moved();
}

/// sqlite_sequence now, outside a transaction (an empty capture's take).
core::status replicated_writer::reread_sequences() {
  auto capture = changeset_capture::start(db());
  if (!capture)
    return std::move(capture).err();
  auto effects = capture->take();
  if (!effects)
    return std::move(effects).err();
  sequences_ = std::move(effects->sequences);
  return {};
}

/// After an unknown outcome: applies this epoch's own batches that landed;
/// any other record means another node owns the partition now.
core::status replicated_writer::resync() {
  auto& t = target_;
  auto stop =
    catch_up_until(*t.nats, t.partition, db(), [this](const log_record& r) {
      return r.kind == record_kind::batch && r.node == target_.node &&
             r.epoch == epoch_;
    });
  if (!stop) {
    // The records before the failing one stay applied.
    if (auto seq = applied_seq(db(), t.partition))
      applied_ = *seq;
    return std::move(stop).err();
  }
  applied_ = stop->applied;
  if (stop->refused) {
    const auto& [seq, r] = *stop->refused;
    return depose("record " + std::to_string(seq) + " of " +
                  stream_name(t.partition) + " is a " +
                  std::string{to_string(r.kind)} + " of node '" + r.node +
                  "', epoch " + std::to_string(r.epoch));
  }
  if (auto st = reread_sequences(); !st)
    return st;
  needs_catch_up_ = false;
  return {};
}

/// A fenced append (the transaction is rolled back): deposed, unless every
/// record after the applied one is this epoch's own batch, an in-doubt
/// batch that reached the log late (a proposal made without quorum commits
/// when the quorum is back); those are applied and the caller may retry.
core::status replicated_writer::after_fence(core::error fenced) {
  if (auto st = resync(); !st)
    return st; // moved, or NATS unavailable (a catch-up is still due)
  return core::overloaded("replication: an earlier batch of this node "
                          "reached the log late and is applied now; retry (" +
                          fenced.message + ")");
}

core::status replicated_writer::begin() {
  if (deposed())
    return moved();
  if (needs_catch_up_)
    if (auto st = resync(); !st)
      return st;
  if (auto st = inner_->begin(); !st)
    return st;
  auto capture = changeset_capture::start(db());
  if (!capture) {
    inner_->rollback();
    return std::move(capture).err();
  }
  capture_.emplace(std::move(*capture));
  return {};
}

bool replicated_writer::batch_full() const {
  if (!capture_)
    return false;
  auto bytes = static_cast<std::size_t>(capture_->size());
  if (bytes >= cut_bytes_)
    return true;
  // Measured (ReplicatedWriterTest.ManyKilobyteMessages...): 1500 routes
  // of 1 KB on new keys, cut when the changeset reached 326 KB: plain text
  // added 0.36x its queued content at the flush, text of CJK words 2.5x.
  // 3x (and more for trigram rows) keeps the record under the limit.
  auto fts = inner_->pending_fts_bytes();
  return bytes + 3 * fts.all + 6 * fts.trigram >= cut_bytes_;
}

/// Everything up to the ack: the last writes, the changeset, the fenced
/// append, the new applied sequence. Nothing to publish: ok.
core::status replicated_writer::publish() {
  if (!write_behind_)
    if (auto st = inner_->flush_derived(); !st)
      return st;
  if (auto st = inner_->flush_fts(); !st)
    return st;
  auto effects = capture_->take();
  if (!effects)
    return std::move(effects).err();
  published_sequences_ = effects->sequences;
  if (effects->changeset.empty() && effects->sequences == sequences_)
    return {};
  auto& t = target_;
  auto bytes = record_bytes(effects->changeset.size(), t.node);
  if (bytes > max_record_)
    return core::error{core::errc::payload_too_large,
                       "replication: this batch's log record would be about " +
                         std::to_string(bytes) + " bytes, above the limit of " +
                         std::to_string(max_record_) +
                         " (NATS max_payload): nothing written"};
  auto seq =
    publish_effects(*t.nats, t.partition, db(), *effects, epoch_, t.node);
  if (!seq) {
    needs_catch_up_ = true; // the record may be in the log
    fenced_ = is_fenced(seq.err());
    return std::move(seq).err();
  }
  applied_ = *seq;
  return {};
}

core::status replicated_writer::commit() {
  if (!capture_) // not begun here: nothing was captured
    return inner_->commit();
  auto before = applied_;
  auto st = publish();
  capture_.reset();
  if (!st) {
    inner_->rollback();
    applied_ = before;
    if (std::exchange(fenced_, false))
      return after_fence(std::move(st).err());
    return st;
  }
  st = inner_->commit(); // rolls back on error
  if (!st) {
    if (applied_ != before)
      needs_catch_up_ = true; // the log has it, the file does not
    applied_ = before;
    return st;
  }
  sequences_ = std::move(published_sequences_);
  return {};
}

void replicated_writer::rollback() {
  capture_.reset();
  inner_->rollback();
}

std::function<core::result<std::unique_ptr<core::store_writer>>(
  std::unique_ptr<persistence::sqlite_writer>)>
replicate_to(replication_target target) {
  return [target = std::move(target)](
           std::unique_ptr<persistence::sqlite_writer> inner)
           -> core::result<std::unique_ptr<core::store_writer>> {
    auto w = replicated_writer::open(std::move(inner), target);
    if (!w)
      return std::move(w).err();
    return std::unique_ptr<core::store_writer>(std::move(*w));
  };
}

} // namespace switchboard::cluster

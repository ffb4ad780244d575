#include "cluster/replica.hpp"

#include "cluster/base64.hpp"
#include "cluster/partition.hpp"
#include "cluster/partition_log.hpp"

#include <utility>

namespace switchboard::cluster {

namespace {

core::error malformed(const std::string& field, const std::string& why) {
  return core::bad_request("record." + field + ": " + why);
}

core::result<std::map<std::string, std::int64_t>>
sequences_of(const nlohmann::json& j) {
  if (!j.is_object())
    return malformed("ops[0].sequences", "expected object");
  std::map<std::string, std::int64_t> out;
  for (const auto& [name, value] : j.items()) {
    if (!value.is_number_integer())
      return malformed("ops[0].sequences." + name, "expected integer");
    out[name] = value.get<std::int64_t>();
  }
  return out;
}

core::error at_record(int partition, std::uint64_t seq, core::error e) {
  e.message = stream_name(partition) + " record " + std::to_string(seq) + ": " +
              e.message;
  return e;
}

} // namespace

log_record batch_record(std::uint64_t epoch, std::string node,
                        const batch_effects& effects) {
  nlohmann::json op = {{"changeset", base64_encode(effects.changeset)},
                       {"sequences", effects.sequences}};
  return {record_kind::batch, epoch, std::move(node),
          nlohmann::json::array({std::move(op)})};
}

core::result<batch_effects> effects_of(const log_record& r) {
  if (r.kind != record_kind::batch)
    return batch_effects{};
  if (!r.ops.is_array() || r.ops.size() != 1)
    return malformed("ops", "expected one element");
  const auto& op = r.ops[0];
  if (!op.is_object())
    return malformed("ops[0]", "expected object");
  auto cs = op.find("changeset");
  if (cs == op.end() || !cs->is_string())
    return malformed("ops[0].changeset", "expected base64");
  auto bytes =
    base64_decode(cs->get_ref<const std::string&>(), "record.ops[0].changeset");
  if (!bytes)
    return std::move(bytes).err();
  batch_effects out{std::move(*bytes), {}};
  if (auto seqs = op.find("sequences"); seqs != op.end()) {
    auto parsed = sequences_of(*seqs);
    if (!parsed)
      return std::move(parsed).err();
    out.sequences = std::move(*parsed);
  }
  return out;
}

core::status apply_record(sqlite3* db, int partition, std::uint64_t seq,
                          const log_record& r) {
  auto effects = effects_of(r);
  if (!effects)
    return std::move(effects).err();
  return apply_effects(db, partition, seq, *effects);
}

core::result<std::uint64_t> publish_effects(nats_client& c, int partition,
                                            sqlite3* db,
                                            const batch_effects& effects,
                                            std::uint64_t epoch,
                                            const std::string& node) {
  auto applied = applied_seq(db, partition);
  if (!applied)
    return std::move(applied).err();
  auto seq = append(c, partition, batch_record(epoch, node, effects), *applied);
  if (!seq)
    return std::move(seq).err();
  if (auto st = record_applied(db, partition, *seq); !st)
    return std::move(st).err();
  return *seq;
}

core::result<std::uint64_t> publish_batch(nats_client& c, int partition,
                                          sqlite3* db,
                                          changeset_capture& capture,
                                          std::uint64_t epoch,
                                          const std::string& node) {
  auto effects = capture.take();
  if (!effects)
    return std::move(effects).err();
  return publish_effects(c, partition, db, *effects, epoch, node);
}

core::result<catch_up_stop>
catch_up_until(nats_client& c, int partition, sqlite3* db,
               const std::function<bool(const log_record&)>& accept) {
  auto applied = applied_seq(db, partition);
  if (!applied)
    return std::move(applied).err();
  auto bounds = bounds_of(c, partition);
  if (!bounds)
    return std::move(bounds).err();
  auto last = bounds->last;
  if (last < *applied)
    return core::internal_error(
      stream_name(partition) + " ends at record " + std::to_string(last) +
      " but this file has applied record " + std::to_string(*applied) +
      ": the log lost acknowledged records or the file is not this "
      "cluster's");
  if (*applied < last && *applied + 1 < bounds->first)
    return core::not_found(
      stream_name(partition) + " was trimmed below record " +
      std::to_string(bounds->first) + " and this file has applied record " +
      std::to_string(*applied) + ": it continues from a snapshot");
  catch_up_stop out{*applied, std::nullopt};
  for (auto seq = *applied + 1; seq <= last; ++seq) {
    auto r = read_record(c, partition, seq);
    if (!r)
      return at_record(partition, seq, std::move(r).err());
    if (!accept(*r)) {
      out.refused.emplace(seq, std::move(*r));
      return out;
    }
    if (auto st = apply_record(db, partition, seq, *r); !st)
      return at_record(partition, seq, std::move(st).err());
    out.applied = seq;
  }
  return out;
}

core::result<std::uint64_t> catch_up(nats_client& c, int partition,
                                     sqlite3* db) {
  auto r =
    catch_up_until(c, partition, db, [](const log_record&) { return true; });
  if (!r)
    return std::move(r).err();
  return r->applied;
}

namespace {

/// One attempt of take_over (conflict: another node appended meanwhile).
core::result<ownership> take_over_once(nats_client& c, int partition,
                                       sqlite3* db, const std::string& node) {
  auto reached = catch_up(c, partition, db);
  if (!reached)
    return std::move(reached).err();
  std::uint64_t epoch = 1;
  if (*reached > 0) {
    auto last = read_record(c, partition, *reached);
    if (!last)
      return at_record(partition, *reached, std::move(last).err());
    epoch = last->epoch + 1;
  }
  log_record takeover{record_kind::takeover, epoch, node, {}};
  auto seq = append(c, partition, takeover, *reached);
  if (!seq)
    return std::move(seq).err();
  if (auto st = apply_record(db, partition, *seq, takeover); !st)
    return at_record(partition, *seq, std::move(st).err());
  return ownership{*seq, epoch};
}

} // namespace

core::result<ownership> take_over(nats_client& c, int partition, sqlite3* db,
                                  const std::string& node) {
  // Why retry: a live owner keeps appending (its batches, its folds) while
  // the standby catches up; each lost race applies what it lost to.
  constexpr int attempts = 10;
  for (int i = 1;; ++i) {
    auto r = take_over_once(c, partition, db, node);
    if (r || !is_fenced(r.err()) || i == attempts)
      return r;
  }
}

} // namespace switchboard::cluster

#include "cluster/admin.hpp"

#include "cluster/kv.hpp"
#include "cluster/log_record.hpp"
#include "cluster/membership.hpp"
#include "cluster/ownership.hpp"
#include "cluster/partition_log.hpp"
#include "cluster/placement.hpp"
#include "cluster/snapshot.hpp"

#include "core/json_decode.hpp"

namespace switchboard::cluster {

namespace {

std::string describe(const cluster_config& c) {
  return std::to_string(c.partitions) + " partitions, " +
         std::to_string(c.replicas) + " replicas, member TTL " +
         std::to_string(c.member_ttl_seconds) + " s";
}

/// The stored config, created from `cfg` when there is none.
core::result<init_report> store_config(nats_client& c,
                                       const cluster_config& cfg) {
  auto bucket = find_bucket(c, config_bucket);
  if (bucket && !*bucket)
    bucket = create_bucket(c, {std::string{config_bucket}, cfg.replicas, 0});
  if (!bucket)
    return bucket.err();
  auto created = kv_create(bucket->get(), config_key, to_json(cfg).dump());
  if (!created)
    return created.err();
  if (*created)
    return init_report{cfg, true};
  auto stored = read_config(c);
  if (!stored)
    return stored.err();
  return init_report{*stored, false};
}

/// Appends the genesis record to an empty partition stream.
core::status write_genesis(nats_client& c, int partition) {
  auto last = last_sequence(c, partition);
  if (!last)
    return last.err();
  if (*last > 0)
    return {};
  log_record genesis{record_kind::genesis, 0, "", nlohmann::json::array()};
  auto seq = append(c, partition, genesis, 0);
  if (!seq && !is_fenced(seq.err()))
    return seq.err();
  return {}; // fenced: a concurrent init wrote it
}

nlohmann::json optional_id(const std::string& id) {
  return id.empty() ? nlohmann::json(nullptr) : nlohmann::json(id);
}

core::result<nlohmann::json>
partitions_json(nats_client& c, int partitions, const std::vector<member>& live,
                const std::map<int, std::uint64_t>* applied) {
  std::vector<std::string> ids;
  for (const auto& m : live)
    ids.push_back(m.node_id);
  auto out = nlohmann::json::array();
  for (int p = 0; p < partitions; ++p) {
    auto last = last_sequence(c, p);
    if (!last)
      return last.err();
    log_tail tail;
    if (*last > 0) {
      auto r = read_record(c, p, *last);
      if (!r)
        return r.err();
      tail = {r->kind, r->node};
    }
    auto owner = log_owner(tail);
    auto where = place(p, ids);
    auto next = where.owner != owner ? where.owner : where.standby;
    nlohmann::json applied_seq = *last; // the CLI is no node
    if (applied) {
      auto it = applied->find(p);
      applied_seq = it == applied->end() ? nlohmann::json(nullptr)
                                         : nlohmann::json(it->second);
    }
    out.push_back({{"id", p},
                   {"owner", optional_id(owner)},
                   {"standby", optional_id(next)},
                   {"applied_seq", std::move(applied_seq)},
                   {"last_seq", *last}});
  }
  return out;
}

} // namespace

core::status check_config(const cluster_config& cfg) {
  if (auto s = check_partitions(cfg.partitions, "cluster.partitions"); !s)
    return s;
  if (auto s = check_replicas(cfg.replicas, "cluster.replicas"); !s)
    return s;
  if (cfg.member_ttl_seconds < 1 ||
      cfg.member_ttl_seconds > core::max_member_ttl_seconds)
    return core::bad_request(
      "cluster.member_ttl_seconds must be between 1 and 3600");
  return {};
}

nlohmann::json to_json(const cluster_config& cfg) {
  return {{"partitions", cfg.partitions},
          {"replicas", cfg.replicas},
          {"member_ttl_seconds", cfg.member_ttl_seconds}};
}

core::result<cluster_config> decode_config(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded())
    return core::json_error("config", "malformed JSON");
  core::object_reader r(j, "config");
  auto p = r.optional_int("partitions", 1, max_partitions);
  auto rep = r.optional_int("replicas", 1, max_replicas);
  auto ttl = r.optional_int("member_ttl_seconds", 1, 3600);
  if (r.ok() && !(p && rep && ttl))
    r.fail(!p     ? "partitions"
           : !rep ? "replicas"
                  : "member_ttl_seconds",
           "required");
  if (!r.ok())
    return r.err();
  return cluster_config{static_cast<int>(*p), static_cast<int>(*rep),
                        static_cast<int>(*ttl)};
}

core::result<init_report> init_cluster(nats_client& c,
                                       const cluster_config& cfg) {
  if (auto s = check_config(cfg); !s)
    return s.err();
  auto report = store_config(c, cfg);
  if (!report)
    return report.err();
  if (report->config != cfg)
    return core::conflict("the cluster was initialised with " +
                          describe(report->config) + "; this init asks for " +
                          describe(cfg) +
                          " (they are fixed at the first init)");
  auto members = membership::create(c, cfg.member_ttl_seconds, cfg.replicas);
  if (!members)
    return members.err();
  for (int p = 0; p < cfg.partitions; ++p) {
    if (auto s = ensure_partition_stream(c, p, cfg.replicas); !s)
      return s.err();
    if (auto s = write_genesis(c, p); !s)
      return s.err();
  }
  if (auto s = ensure_snapshot_stream(c, cfg.replicas); !s)
    return s.err();
  return report;
}

core::result<cluster_config> read_config(nats_client& c) {
  auto not_initialised = core::not_found(
    "the cluster is not initialised (no " + std::string{config_bucket} +
    " config): run switchboard cluster init");
  auto bucket = find_bucket(c, config_bucket);
  if (!bucket)
    return bucket.err();
  if (!*bucket)
    return not_initialised;
  auto text = kv_get(bucket->get(), config_key);
  if (!text)
    return text.err();
  if (!*text)
    return not_initialised;
  return decode_config(**text);
}

core::result<nlohmann::json>
cluster_status(nats_client& c, const std::optional<std::string>& node_id,
               const std::map<int, std::uint64_t>* applied) {
  auto cfg = read_config(c);
  if (!cfg)
    return cfg.err();
  auto members = membership::open(c);
  if (!members)
    return members.err();
  auto live = members->list();
  if (!live)
    return live.err();
  auto partitions = partitions_json(c, cfg->partitions, *live, applied);
  if (!partitions)
    return partitions.err();
  auto members_json = nlohmann::json::array();
  for (const auto& m : *live)
    members_json.push_back(
      {{"node_id", m.node_id}, {"url", m.url}, {"last_seen", m.last_seen}});
  return nlohmann::json{
    {"node_id", node_id ? nlohmann::json(*node_id) : nlohmann::json(nullptr)},
    {"members", std::move(members_json)},
    {"partitions", std::move(*partitions)}};
}

} // namespace switchboard::cluster

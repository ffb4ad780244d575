#include "cluster/membership.hpp"

#include "cluster/kv.hpp"

#include "core/json_decode.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>

namespace switchboard::cluster {

namespace {

constexpr std::size_t max_node_id_bytes = 64;

std::string encode(const member& m) {
  nlohmann::json j{
    {"node_id", m.node_id}, {"url", m.url}, {"last_seen", m.last_seen}};
  if (!m.applied.empty()) {
    auto& applied = j["applied"] = nlohmann::json::object();
    for (const auto& [partition, seq] : m.applied)
      applied[std::to_string(partition)] = seq;
  }
  return j.dump();
}

/// The "applied" map, or empty when absent or malformed (it only steers
/// handoffs; a member with a bad one is still a member).
std::map<int, std::uint64_t> decode_applied(const nlohmann::json& j) {
  std::map<int, std::uint64_t> out;
  auto it = j.find("applied");
  if (it == j.end() || !it->is_object())
    return out;
  for (const auto& [key, seq] : it->items()) {
    int partition = -1;
    auto [end, ec] =
      std::from_chars(key.data(), key.data() + key.size(), partition);
    if (ec != std::errc{} || end != key.data() + key.size() || partition < 0 ||
        partition >= max_partitions || !seq.is_number_unsigned())
      return {};
    out[partition] = seq.get<std::uint64_t>();
  }
  return out;
}

std::optional<member> decode(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded())
    return std::nullopt;
  core::object_reader r(j, "member");
  auto id = r.required_string("node_id", max_node_id_bytes);
  auto url = r.optional_string("url", 2048);
  auto seen = r.optional_string("last_seen", 64);
  if (!r.ok())
    return std::nullopt;
  return member{*id, url.value_or(""), seen.value_or(""), decode_applied(j)};
}

} // namespace

core::result<membership> membership::create(nats_client& c, int ttl_seconds,
                                            int replicas,
                                            std::string_view bucket) {
  auto kv = create_bucket(c, {std::string{bucket}, replicas, ttl_seconds});
  if (!kv)
    return kv.err();
  return membership{c, std::move(*kv)};
}

core::result<membership> membership::open(nats_client& c,
                                          std::string_view bucket) {
  auto kv = find_bucket(c, bucket);
  if (!kv)
    return kv.err();
  if (!*kv)
    return core::not_found("the cluster is not initialised (no KV bucket " +
                           std::string{bucket} +
                           "): run switchboard cluster init");
  return membership{c, std::move(*kv)};
}

core::status membership::put(const member& m) {
  return kv_put(kv_.get(), m.node_id, encode(m));
}

core::result<bool> membership::create(const member& m) {
  return kv_create(kv_.get(), m.node_id, encode(m));
}

core::result<std::optional<member>> membership::find(std::string_view node_id) {
  auto text = kv_get(kv_.get(), node_id);
  if (!text)
    return text.err();
  if (!*text)
    return std::optional<member>{};
  auto m = decode(**text);
  if (m && m->node_id != node_id)
    m.reset();
  return m;
}

core::status membership::remove(std::string_view node_id) {
  return kv_delete(kv_.get(), node_id);
}

core::result<std::vector<member>> membership::list() {
  auto entries = kv_entries(*client_, kv_.get());
  if (!entries)
    return entries.err();
  std::vector<member> out;
  for (const auto& [key, value] : *entries)
    if (auto m = decode(value); m && m->node_id == key)
      out.push_back(std::move(*m));
  return out;
}

} // namespace switchboard::cluster

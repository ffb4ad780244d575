#include "cluster/log_record.hpp"

#include "core/json_decode.hpp"

#include <array>
#include <limits>
#include <optional>

namespace switchboard::cluster {

namespace {

constexpr std::array kinds{record_kind::genesis, record_kind::takeover,
                           record_kind::batch, record_kind::handoff};

/// Node ids are short (membership checks them); 256 bytes leaves room.
constexpr std::size_t max_node_bytes = 256;

std::optional<record_kind> kind_of(std::string_view name) {
  for (auto k : kinds)
    if (to_string(k) == name)
      return k;
  return std::nullopt;
}

} // namespace

std::string_view to_string(record_kind kind) {
  switch (kind) {
    case record_kind::genesis:
      return "genesis";
    case record_kind::takeover:
      return "takeover";
    case record_kind::batch:
      return "batch";
    case record_kind::handoff:
      return "handoff";
  }
  return "batch"; // unreachable: every enumerator is handled above
}

std::string encode(const log_record& r) {
  nlohmann::json j = {
    {"kind", to_string(r.kind)},
    {"epoch", r.epoch},
    {"node", r.node},
    {"ops", r.ops.is_null() ? nlohmann::json::array() : r.ops}};
  return j.dump();
}

core::result<log_record> decode_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded())
    return core::json_error("record", "malformed JSON");
  core::object_reader r(j, "record");
  auto kind_name = r.required_string("kind", 16);
  auto epoch = r.optional_int("epoch", 0);
  auto node = r.optional_string("node", max_node_bytes);
  const auto* ops = r.find("ops");
  std::optional<record_kind> kind;
  if (kind_name && !(kind = kind_of(*kind_name)))
    r.fail("kind", "expected one of genesis, takeover, batch, handoff");
  if (r.ok() && !epoch)
    r.fail("epoch", "required");
  if (r.ok() && !node)
    r.fail("node", "required");
  if (r.ok() && (!ops || !ops->is_array()))
    r.fail("ops", "expected array");
  if (!r.ok())
    return r.err();
  return log_record{*kind, static_cast<std::uint64_t>(*epoch), std::move(*node),
                    *ops};
}

} // namespace switchboard::cluster

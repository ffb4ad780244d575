#include "config/schema.hpp"

#include "core/source.hpp"
#include "core/zone.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <type_traits>
#include <utility>

namespace switchboard::config {

namespace {

// Field factories. `ref` is a generic lambda `[](auto& s) -> auto& {...}`
// so one accessor serves both reading (const) and writing.

/// An integer in [min, max] (max: the field type's largest by default).
template <class Ref>
field int_field(std::string_view path, Ref ref, std::int64_t min,
                std::int64_t max = no_max) {
  using T =
    std::remove_reference_t<decltype(ref(std::declval<core::settings&>()))>;
  max = std::min<std::int64_t>(max, std::numeric_limits<T>::max());
  return {path, value_kind::integer,
          [ref, min, max](const json& v, core::settings& s,
                          std::string_view p) -> core::status {
            auto n = read_int(v, p, min, max);
            if (!n)
              return n.err();
            ref(s) = static_cast<T>(*n);
            return {};
          },
          [ref](const core::settings& s) {
            return json(ref(s));
          }};
}

template <class Ref>
field positive_number_field(std::string_view path, Ref ref) {
  return {path, value_kind::number,
          [ref](const json& v, core::settings& s,
                std::string_view p) -> core::status {
            auto n = read_positive_number(v, p);
            if (!n)
              return n.err();
            ref(s) = *n;
            return {};
          },
          [ref](const core::settings& s) {
            return json(ref(s));
          }};
}

template <class Ref>
field bool_field(std::string_view path, Ref ref) {
  return {path, value_kind::boolean,
          [ref](const json& v, core::settings& s,
                std::string_view p) -> core::status {
            auto b = read_bool(v, p);
            if (!b)
              return b.err();
            ref(s) = *b;
            return {};
          },
          [ref](const core::settings& s) {
            return json(ref(s));
          }};
}

/// A non-empty string, further checked by `check` (error `rule`).
template <class Ref>
field string_field(std::string_view path, Ref ref,
                   bool (*check)(std::string_view) = nullptr,
                   std::string_view rule = {}) {
  return {path, value_kind::string,
          [ref, check, rule](const json& v, core::settings& s,
                             std::string_view p) -> core::status {
            auto text = read_string(v, p);
            if (!text)
              return text.err();
            if (check && !check(*text))
              return value_error(p, rule);
            ref(s) = std::move(*text);
            return {};
          },
          [ref](const core::settings& s) {
            return json(ref(s));
          }};
}

template <class Ref>
field nullable_string_field(std::string_view path, Ref ref) {
  return {path, value_kind::nullable_string,
          [ref](const json& v, core::settings& s,
                std::string_view p) -> core::status {
            auto text = read_nullable_string(v, p);
            if (!text)
              return text.err();
            ref(s) = std::move(*text);
            return {};
          },
          [ref](const core::settings& s) {
            return ref(s) ? json(*ref(s)) : json(nullptr);
          }};
}

bool valid_agent_name(std::string_view s) {
  for (unsigned char c : s)
    if (c == ':' || std::isspace(c) || std::iscntrl(c))
      return false;
  return true;
}

bool valid_zone(std::string_view s) {
  return core::zone::make(s).ok();
}

bool valid_chat_type(std::string_view s) {
  return core::parse_chat_type(s).has_value();
}

bool valid_platform_type(std::string_view s) {
  auto slash = s.find('/');
  return slash != std::string_view::npos &&
         valid_platform(s.substr(0, slash)) &&
         valid_chat_type(s.substr(slash + 1));
}

auto& policies(core::settings& s) {
  return s.reset.policies;
}
const auto& policies(const core::settings& s) {
  return s.reset.policies;
}

field default_policy_field() {
  return {
    "reset.default", value_kind::json_text,
    [](const json& v, core::settings& s, std::string_view p) -> core::status {
      auto policy = read_policy(v, p, core::reset_policy{});
      if (!policy)
        return policy.err();
      policies(s).default_policy = *policy;
      return {};
    },
    [](const core::settings& s) {
      return policy_json(policies(s).default_policy);
    }};
}

template <class Ref>
field policy_map_field(std::string_view path, Ref ref, key_check check,
                       std::string_view rule) {
  return {path, value_kind::json_text,
          [ref, check, rule](const json& v, core::settings& s,
                             std::string_view p) -> core::status {
            auto m =
              read_policy_map(v, p, policies(s).default_policy, check, rule);
            if (!m)
              return m.err();
            ref(s) = std::move(*m);
            return {};
          },
          [ref](const core::settings& s) {
            json out = json::object();
            for (const auto& [key, policy] : ref(s))
              out[key] = policy_json(policy);
            return out;
          }};
}

field flush_hook_field() {
  return {
    "flush.hook", value_kind::string,
    [](const json& v, core::settings& s, std::string_view p) -> core::status {
      auto c = read_choice(v, p, {"none", "webhook", "command"});
      if (!c)
        return c.err();
      s.flush.hook = *c == "webhook"   ? core::flush_hook::webhook
                     : *c == "command" ? core::flush_hook::command
                                       : core::flush_hook::none;
      return {};
    },
    [](const core::settings& s) {
      switch (s.flush.hook) {
        case core::flush_hook::none:
          return json("none");
        case core::flush_hook::webhook:
          return json("webhook");
        case core::flush_hook::command:
          return json("command");
      }
      return json("none");
    }};
}

field durability_field() {
  return {
    "writer.durability", value_kind::string,
    [](const json& v, core::settings& s, std::string_view p) -> core::status {
      auto c = read_choice(v, p, {"normal", "full"});
      if (!c)
        return c.err();
      s.writer.mode =
        *c == "full" ? core::durability::full : core::durability::normal;
      return {};
    },
    [](const core::settings& s) {
      return json(s.writer.mode == core::durability::full ? "full" : "normal");
    }};
}

field connected_platforms_field() {
  return {
    "context.connected_platforms", value_kind::json_text,
    [](const json& v, core::settings& s, std::string_view p) -> core::status {
      auto list = read_platform_list(v, p);
      if (!list)
        return list.err();
      s.context.connected_platforms = std::move(*list);
      return {};
    },
    [](const core::settings& s) {
      return json(s.context.connected_platforms);
    }};
}

field home_channels_field() {
  return {
    "context.home_channels", value_kind::json_text,
    [](const json& v, core::settings& s, std::string_view p) -> core::status {
      auto list = read_home_channels(v, p);
      if (!list)
        return list.err();
      s.context.home_channels = std::move(*list);
      return {};
    },
    [](const core::settings& s) {
      return home_channels_json(s.context.home_channels);
    }};
}

// cluster.nats_urls: a comma-separated string (as --nats and the
// environment give it) or an array of URLs; [] is single-node mode.
field nats_urls_field() {
  return {
    "cluster.nats_urls", value_kind::string,
    [](const json& v, core::settings& s, std::string_view p) -> core::status {
      auto urls = read_nats_urls(v, p);
      if (!urls)
        return urls.err();
      s.cluster.nats_urls = std::move(*urls);
      return {};
    },
    [](const core::settings& s) {
      return json(s.cluster.nats_urls);
    }};
}

field node_id_field() {
  return {
    "cluster.node_id", value_kind::nullable_string,
    [](const json& v, core::settings& s, std::string_view p) -> core::status {
      if (v.is_null()) {
        s.cluster.node_id.reset();
        return {};
      }
      if (!v.is_string())
        return value_error(p, "expected null or a node id");
      const auto& id = v.get_ref<const std::string&>();
      if (auto st = core::check_node_id(id, p); !st)
        return st;
      s.cluster.node_id = id;
      return {};
    },
    [](const core::settings& s) {
      return s.cluster.node_id ? json(*s.cluster.node_id) : json(nullptr);
    }};
}

#define SB_REF(expr)                                                           \
  [](auto& s) -> auto& {                                                       \
    return s.expr;                                                             \
  }

std::vector<field> make_fields() {
  return {
    string_field("listen", SB_REF(listen), valid_listen,
                 "expected HOST:PORT with a port 0-65535"),
    string_field("data_dir", SB_REF(data_dir)),
    string_field("agent_name", SB_REF(keys.agent_name), valid_agent_name,
                 "expected a name without ':', spaces or control characters"),
    bool_field("group_sessions_per_user", SB_REF(keys.group_sessions_per_user)),
    bool_field("thread_sessions_per_user",
               SB_REF(keys.thread_sessions_per_user)),
    default_policy_field(),
    policy_map_field("reset.by_type", SB_REF(reset.policies.by_type),
                     valid_chat_type,
                     "expected a chat type: dm, group, channel or thread"),
    policy_map_field("reset.by_platform", SB_REF(reset.policies.by_platform),
                     valid_platform,
                     "expected a platform name of a-z, 0-9, _ (1-32 "
                     "characters)"),
    policy_map_field("reset.by_platform_type",
                     SB_REF(reset.policies.by_platform_type),
                     valid_platform_type,
                     "expected \"platform/type\" with type dm, group, channel "
                     "or thread"),
    string_field("reset.timezone", SB_REF(reset.timezone), valid_zone,
                 "expected \"local\", \"UTC\" or a known IANA time zone"),
    int_field("reset.busy_max_hours", SB_REF(reset.busy_max_hours), 1),
    positive_number_field("expiry.interval_seconds",
                          SB_REF(expiry_interval_seconds)),
    flush_hook_field(),
    nullable_string_field("flush.url", SB_REF(flush.url)),
    nullable_string_field("flush.command", SB_REF(flush.command)),
    int_field("flush.min_messages", SB_REF(flush.min_messages), 0),
    int_field("flush.max_attempts", SB_REF(flush.max_attempts), 1),
    positive_number_field("flush.timeout_seconds",
                          SB_REF(flush.timeout_seconds)),
    int_field("flush.concurrency", SB_REF(flush.concurrency), 1),
    int_field("retention.max_age_days", SB_REF(retention.max_age_days), 0),
    int_field("retention.max_ended_sessions",
              SB_REF(retention.max_ended_sessions), 0),
    positive_number_field("retention.interval_seconds",
                          SB_REF(retention.interval_seconds)),
    int_field("writer.max_batch", SB_REF(writer.max_batch), 1),
    durability_field(),
    int_field("writer.max_queue", SB_REF(writer.max_queue), 1),
    int_field("writer.commit_delay_us", SB_REF(writer.commit_delay_us), 0),
    int_field("writer.fold_max_jobs", SB_REF(writer.fold_max_jobs), 1),
    positive_number_field("actors.passivate_after_seconds",
                          SB_REF(actors.passivate_after_seconds)),
    int_field("actors.max_resident", SB_REF(actors.max_resident), 1),
    int_field("actors.threads", SB_REF(actors.threads), 0),
    int_field("actors.shards", SB_REF(actors.shards), 0),
    nullable_string_field("api.token_file", SB_REF(api.token_file)),
    int_field("api.max_body_bytes", SB_REF(api.max_body_bytes), 1),
    int_field("api.max_in_flight", SB_REF(api.max_in_flight), 1),
    int_field("api.max_connections", SB_REF(api.max_connections), 1),
    bool_field("index.sessions_json_mirror",
               SB_REF(index.sessions_json_mirror)),
    positive_number_field("index.mirror_interval_seconds",
                          SB_REF(index.mirror_interval_seconds)),
    positive_number_field("idempotency.window_hours",
                          SB_REF(idempotency.window_hours)),
    connected_platforms_field(),
    home_channels_field(),
    string_field("context.local_output_path",
                 SB_REF(context.local_output_path)),
    nats_urls_field(),
    node_id_field(),
    int_field("cluster.partitions", SB_REF(cluster.partitions), 1,
              core::max_partitions),
    int_field("cluster.replicas", SB_REF(cluster.replicas), 1,
              core::max_replicas),
    int_field("cluster.member_ttl_seconds", SB_REF(cluster.member_ttl_seconds),
              1, core::max_member_ttl_seconds),
    int_field("cluster.snapshot_every_records",
              SB_REF(cluster.snapshot_every_records), 1, 1000000000),
    int_field("cluster.log_keep_records", SB_REF(cluster.log_keep_records), 1,
              1000000000),
  };
}

#undef SB_REF

} // namespace

const std::vector<field>& fields() {
  static const std::vector<field> all = make_fields();
  return all;
}

const field* find_field(std::string_view path) {
  for (const auto& f : fields())
    if (f.path == path)
      return &f;
  return nullptr;
}

bool is_section(std::string_view name) {
  for (const auto& f : fields()) {
    auto dot = f.path.find('.');
    if (dot != std::string_view::npos && f.path.substr(0, dot) == name)
      return true;
  }
  return false;
}

std::string env_name(std::string_view path) {
  std::string out = "SWITCHBOARD_";
  for (char c : path)
    out += c == '.'
             ? '_'
             : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

} // namespace switchboard::config

// /v1/admin/expire, /v1/admin/prune, /v1/admin/retention, /v1/admin/clock
// (API.md "Operations").

#include "api/replies.hpp"
#include "api/routes.hpp"

namespace switchboard::api {

namespace {

void post_expire(const call& c, respond_fn respond) {
  auto body = body_param(c, respond, true);
  if (!body)
    return;
  if (auto st = expect_object(*body, "", {}); !st)
    return respond(error_reply(st.err()));
  c.ctx.eng.expire_now(reply_with<actors::sweep_report>(respond, [](auto& r) {
    return nlohmann::json{{"expired", r.expired},
                          {"flushed", r.flushed},
                          {"flush_failed", r.flush_failed}};
  }));
}

/// At most this many ids are listed in a prune reply (API.md).
constexpr std::size_t max_listed_ids = 1000;

nlohmann::json prune_json(const actors::prune_report& r, bool with_ids) {
  nlohmann::json j{{"pruned", r.pruned}};
  if (!with_ids)
    return j;
  auto n = std::min(r.session_ids.size(), max_listed_ids);
  j["dry_run"] = r.dry_run;
  j["session_ids"] = std::vector<std::string>(
    r.session_ids.begin(), r.session_ids.begin() + static_cast<long>(n));
  return j;
}

core::result<actors::prune_request> decode_prune(const nlohmann::json& body) {
  if (auto st =
        expect_object(body, "", {"older_than_days", "source", "dry_run"});
      !st)
    return st.err();
  auto days = opt_number(body, "", "older_than_days");
  auto source = opt_string(body, "", "source", 64);
  auto dry = opt_bool(body, "", "dry_run");
  if (!days)
    return days.err();
  if (!source)
    return source.err();
  if (!dry)
    return dry.err();
  if (!days.value() || *days.value() < 0)
    return core::bad_request("older_than_days: expected a non-negative number");
  return actors::prune_request{*days.value(), source.value(),
                               dry.value().value_or(false)};
}

void post_prune(const call& c, respond_fn respond) {
  auto body = body_param(c, respond, false);
  if (!body)
    return;
  auto req = decode_prune(*body);
  if (failed(req, respond))
    return;
  c.ctx.eng.prune(std::move(req).value(),
                  reply_with<actors::prune_report>(
                    respond, [](auto& r) { return prune_json(r, true); }));
}

void post_retention(const call& c, respond_fn respond) {
  auto body = body_param(c, respond, true);
  if (!body)
    return;
  if (auto st = expect_object(*body, "", {}); !st)
    return respond(error_reply(st.err()));
  c.ctx.eng.apply_retention(reply_with<actors::prune_report>(
    respond, [](auto& r) { return prune_json(r, false); }));
}

/// A change of the manual clock: set to a time, or advance by a duration.
struct clock_change {
  std::optional<core::time_point> set;
  core::duration advance{0};
};

/// Decodes {"advance_seconds": N} or {"set": "ISO"} (a time without offset
/// is read in the reset time zone).
core::result<clock_change> decode_clock(const nlohmann::json& j,
                                        const core::zone& z) {
  if (auto st = expect_object(j, "", {"advance_seconds", "set"}); !st)
    return st.err();
  auto advance = opt_number(j, "", "advance_seconds");
  auto set = opt_string(j, "", "set", 64);
  if (!advance)
    return advance.err();
  if (!set)
    return set.err();
  if (advance.value().has_value() == set.value().has_value())
    return core::bad_request(
      "body: expected exactly one of advance_seconds, set");
  if (set.value()) {
    auto t = core::parse_iso(*set.value(), z);
    if (!t)
      return t.err();
    return clock_change{t.value(), {}};
  }
  if (*advance.value() < 0 || *advance.value() > 1e10)
    return core::bad_request(
      "advance_seconds: expected a number between 0 and 1e10");
  return clock_change{std::nullopt,
                      std::chrono::duration_cast<core::duration>(
                        std::chrono::duration<double>(*advance.value()))};
}

void post_clock(const call& c, respond_fn respond) {
  auto body = body_param(c, respond, false);
  if (!body)
    return;
  auto change = decode_clock(*body, c.ctx.zone);
  if (failed(change, respond))
    return;
  if (change.value().set)
    c.ctx.clock->set(*change.value().set);
  else
    c.ctx.clock->advance(change.value().advance);
  respond(json_reply(200, {{"now", core::format_iso_utc(c.ctx.clock->now())}}));
}

} // namespace

void add_admin_routes(router& r, bool with_clock) {
  r.add("POST", "/v1/admin/expire", post_expire);
  r.add("POST", "/v1/admin/prune", post_prune);
  r.add("POST", "/v1/admin/retention", post_retention);
  if (with_clock)
    r.add("POST", "/v1/admin/clock", post_clock);
}

} // namespace switchboard::api

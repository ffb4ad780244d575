// /v1/session-ids/ID/... (API.md "Sessions by id"). ID may be a unique
// prefix for reads and the title; DELETE takes the exact id (a destructive
// call should not guess).

#include "api/query.hpp"
#include "api/replies.hpp"
#include "api/routes.hpp"
#include "core/export_markdown.hpp"
#include "core/pii_redact.hpp"

namespace switchboard::api {

namespace {

using reader_fn = std::function<void(core::store_reader&, const std::string&,
                                     const respond_fn&)>;

/// Resolves the ID parameter (unique prefix) on a reader thread, then runs
/// `fn` with the full id there.
void with_resolved_id(const call& c, respond_fn respond, reader_fn fn) {
  auto id = id_param(c, respond);
  if (!id)
    return;
  c.ctx.eng.read([prefix = *id, respond, fn](core::store_reader& s) {
    guarded(respond, [&] {
      auto full = s.resolve_session_id(prefix);
      if (!failed(full, respond))
        fn(s, full.value(), respond);
    });
  });
}

/// Answers 200 with the row, or 404 when it vanished in between.
void answer_row(const core::result<std::optional<nlohmann::json>>& row,
                const std::string& id, const respond_fn& respond) {
  if (failed(row, respond))
    return;
  if (!row.value())
    return respond(
      error_reply(core::not_found("session " + id + " not found")));
  respond(json_reply(200, *row.value()));
}

void get_session(const call& c, respond_fn respond) {
  with_resolved_id(c, std::move(respond),
                   [](auto& s, const std::string& id, const respond_fn& r) {
                     answer_row(s.get_session(id), id, r);
                   });
}

/// The export reply: JSON, or Markdown as text/markdown; redacted on a copy
/// when asked (SPEC 11), the stored data is never changed.
reply export_reply(const nlohmann::json& row, core::export_format format,
                   bool redact) {
  auto doc = redact ? core::redact_export(row) : row;
  if (format == core::export_format::json)
    return json_reply(200, doc);
  reply md;
  md.body = core::render_session_markdown(doc);
  md.content_type = "text/markdown; charset=utf-8";
  return md;
}

/// `include_inactive=true`: also the rows transcript rewrites replaced
/// (JSON only: the Markdown leaves them out, SPEC 11).
core::result<bool> include_inactive(const request& req,
                                    core::export_format format) {
  auto all = query_bool(req, "include_inactive");
  if (all && all.value() && format != core::export_format::json)
    return core::bad_request(
      "query.include_inactive: only with format=json (Markdown leaves "
      "rewritten rows out)");
  return all;
}

/// `?format=json|markdown&redact_pii=true|false&include_inactive=...`.
void get_export(const call& c, respond_fn respond) {
  auto format = core::parse_export_format(
    query_string(c.req, "format").value_or("json"), "query.format");
  auto redact = query_bool(c.req, "redact_pii");
  if (failed(format, respond) || failed(redact, respond))
    return;
  auto all = include_inactive(c.req, format.value());
  if (failed(all, respond))
    return;
  with_resolved_id(
    c, std::move(respond),
    [f = format.value(), redact = redact.value(),
     all = all.value()](auto& s, const std::string& id, const respond_fn& r) {
      auto row = all ? s.export_session_all(id) : s.export_session(id);
      if (row && row.value())
        return r(export_reply(*row.value(), f, redact));
      answer_row(row, id, r);
    });
}

void get_messages(const call& c, respond_fn respond) {
  auto stitch = query_bool(c.req, "stitch");
  if (failed(stitch, respond))
    return;
  with_resolved_id(
    c, std::move(respond),
    [stitch = stitch.value()](auto& s, const std::string& id,
                              const respond_fn& r) {
      auto messages = s.transcript(id, stitch);
      if (failed(messages, r))
        return;
      r(json_reply(200, {{"session_id", id}, {"messages", messages.value()}}));
    });
}

core::result<std::string> decode_title(const nlohmann::json& j) {
  if (auto st = expect_object(j, "", {"title"}); !st)
    return st.err();
  if (!j.contains("title"))
    return core::bad_request("title: required");
  auto title = opt_string(j, "", "title");
  if (!title)
    return title.err();
  return title.value().value_or("");
}

void put_title(const call& c, respond_fn respond) {
  auto id = id_param(c, respond);
  auto body = id ? body_param(c, respond, false) : std::nullopt;
  if (!body)
    return;
  auto title = decode_title(*body);
  if (failed(title, respond))
    return;
  auto& eng = c.ctx.eng;
  eng.read([&eng, prefix = *id, title = title.value(),
            respond](core::store_reader& s) {
    guarded(respond, [&] {
      auto full = s.resolve_session_id(prefix);
      if (failed(full, respond))
        return;
      eng.set_title(
        full.value(), title,
        reply_with<std::optional<std::string>>(
          respond, [](const std::optional<std::string>& t) {
            return nlohmann::json{{"title", t ? nlohmann::json(*t) : nullptr}};
          }));
    });
  });
}

void delete_session(const call& c, respond_fn respond) {
  auto id = id_param(c, respond);
  if (!id)
    return;
  c.ctx.eng.delete_session(*id, reply_with<bool>(respond, [](bool deleted) {
    return nlohmann::json{{"deleted", deleted}};
  }));
}

} // namespace

void add_session_id_routes(router& r) {
  r.add("GET", "/v1/session-ids/{}", get_session);
  r.add("DELETE", "/v1/session-ids/{}", delete_session);
  r.add("PUT", "/v1/session-ids/{}/title", put_title);
  r.add("GET", "/v1/session-ids/{}/messages", get_messages);
  r.add("GET", "/v1/session-ids/{}/export", get_export);
}

} // namespace switchboard::api

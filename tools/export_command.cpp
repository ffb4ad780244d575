// `switchboard export [ID] [--out FILE] [--source S] [--format json|markdown]
// [--redact-pii]`: sessions with their messages as JSON lines or Markdown
// (SPEC 11), one session by id or all of them, from a server or directly
// from the data dir. Redaction and Markdown are applied here to the JSON
// export (from the server with redact_pii=true, or from the data dir), with
// the same core functions the server uses; nothing stored changes.

#include "core/export_markdown.hpp"
#include "core/pii_redact.hpp"
#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/http_client.hpp"
#include "tools/progress.hpp"

#include <fstream>
#include <iostream>

namespace switchboard::tools {

namespace {

struct export_args {
  target_options target;
  std::string id;
  std::string out_file;
  std::optional<std::string> source;
  std::string format = "json";
  bool redact_pii = false;
};

/// Writes each session (redacted when `redact`) as one JSON line or as a
/// Markdown document (separated by a rule), and counts them.
class line_sink {
public:
  line_sink(std::ostream& out, core::export_format format, bool redact)
    : out_(out), format_(format), redact_(redact) {}
  void operator()(const nlohmann::json& session) {
    if (redact_)
      write(core::redact_export(session));
    else
      write(session);
    ++count_;
  }
  std::int64_t count() const { return count_; }

private:
  void write(const nlohmann::json& doc) {
    if (format_ == core::export_format::markdown) {
      if (count_ > 0)
        out_ << core::markdown_session_separator;
      out_ << core::render_session_markdown(doc);
    } else {
      out_ << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
           << "\n";
    }
  }

  std::ostream& out_;
  core::export_format format_;
  bool redact_;
  std::int64_t count_ = 0;
};

core::status export_remote_one(const export_args& a, line_sink& sink,
                               const std::string& id) {
  // The server redacts (once: hashing a hash would change the names).
  auto s = call_api(a.target, "GET",
                    "/v1/session-ids/" + percent_encode(id) + "/export" +
                      (a.redact_pii ? "?redact_pii=true" : ""));
  if (!s)
    return s.err();
  sink(*s);
  return {};
}

/// Every session id, newest first, paged through /v1/history.
core::result<std::vector<std::string>> remote_ids(const export_args& a) {
  std::vector<std::string> ids;
  for (std::int64_t offset = 0;; offset += 200) {
    std::string path = "/v1/history?limit=200&offset=" + std::to_string(offset);
    if (a.source)
      path += "&source=" + percent_encode(*a.source);
    auto page = call_api(a.target, "GET", path);
    if (!page)
      return page.err();
    auto rows = page->value("sessions", nlohmann::json::array());
    for (const auto& r : rows)
      ids.push_back(r.value("id", ""));
    if (rows.size() < 200)
      return ids;
  }
}

core::status export_remote(const export_args& a, line_sink& sink,
                           bool show_progress) {
  if (!a.id.empty())
    return export_remote_one(a, sink, a.id);
  auto ids = remote_ids(a);
  if (!ids)
    return ids.err();
  progress_bar all("exporting", std::int64_t(ids->size()), show_progress);
  for (const auto& id : *ids) {
    if (auto st = export_remote_one(a, sink, id); !st)
      return st;
    all.update(sink.count());
  }
  return {};
}

core::status export_local(const export_args& a, line_sink& sink,
                          bool show_progress) {
  auto reader = open_data_reader(a.target);
  if (!reader)
    return reader.err();
  auto& r = **reader;
  if (!a.id.empty()) {
    auto id = r.resolve_session_id(a.id);
    if (!id)
      return id.err();
    auto s = r.export_session(*id);
    if (!s)
      return s.err();
    if (!*s)
      return core::not_found("session '" + *id + "' not found");
    sink(**s);
    return {};
  }
  auto total = r.session_count(a.source);
  progress_bar all("exporting", total ? std::optional{*total} : std::nullopt,
                   show_progress);
  return r.export_all(a.source, [&](const nlohmann::json& s) {
    sink(s);
    all.update(sink.count());
  });
}

int run_export(const export_args& a) {
  auto format = core::parse_export_format(a.format, "--format");
  if (!format)
    return usage_error(format.err().message);
  std::ofstream file;
  if (!a.out_file.empty()) {
    file.open(a.out_file, std::ios::binary | std::ios::trunc);
    if (!file)
      return fail(core::bad_request("cannot write " + a.out_file));
  }
  std::ostream& out = a.out_file.empty() ? std::cout : file;
  // From a server the export arrives redacted; from the data dir the sink
  // redacts.
  line_sink sink(out, *format, a.redact_pii && a.target.url.empty());
  // A bar on the terminal only when the data goes to a file.
  bool show_progress = !a.out_file.empty();
  auto st = a.target.url.empty() ? export_local(a, sink, show_progress)
                                 : export_remote(a, sink, show_progress);
  out.flush();
  if (!st)
    return fail(st.err());
  if (!out)
    return fail(core::internal_error("writing the export failed"));
  if (a.out_file.empty())
    return 0;
  if (a.target.json)
    print_json({{"exported", sink.count()}, {"out", a.out_file}});
  else
    std::cout << "exported " << sink.count() << " sessions to " << a.out_file
              << "\n";
  return 0;
}

} // namespace

void register_export_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<export_args>();
  auto* sub = app.add_subcommand("export", "Export sessions with their "
                                           "messages as JSON lines or "
                                           "Markdown");
  sub->add_option("ID", a->id,
                  "One session (id or unique prefix); default "
                  "all");
  sub->add_option("--out", a->out_file, "Write to FILE instead of stdout");
  sub->add_option("--source", a->source, "Only sessions of this platform");
  sub
    ->add_option("--format", a->format,
                 "json (one line per session) or "
                 "markdown")
    ->capture_default_str();
  sub->add_flag("--redact-pii", a->redact_pii,
                "Replace user ids, chat ids and phone numbers with stable "
                "hashes (the context prompt's); stored data is unchanged");
  add_target_options(sub, a->target, true);
  out.push_back({sub, [a] {
                   return run_export(*a);
                 }});
}

} // namespace switchboard::tools

#include "persistence/store_util.hpp"

#include "core/source.hpp"
#include "core/text_chars.hpp"

namespace switchboard::persistence::detail {

snapshot::snapshot(connection& db) {
  if (db.in_transaction())
    return;
  auto begin = db.cached("BEGIN");
  if (!begin)
    return;
  query q{**begin};
  if (q->run())
    db_ = &db;
}

snapshot::~snapshot() {
  if (!db_)
    return;
  if (auto commit = db_->cached("COMMIT"); commit) {
    query q{**commit};
    (void)q->run();
  }
}

nlohmann::json row_to_json(const statement& s) {
  nlohmann::json row = nlohmann::json::object();
  for (int c = 0; c < s.columns(); ++c) {
    const char* name = sqlite3_column_name(s.raw(), c);
    switch (sqlite3_column_type(s.raw(), c)) {
      case SQLITE_INTEGER:
        row[name] = s.int64(c);
        break;
      case SQLITE_FLOAT:
        row[name] = s.real(c);
        break;
      case SQLITE_NULL:
        row[name] = nullptr;
        break;
      default:
        row[name] = s.text(c);
        break;
    }
  }
  return row;
}

std::optional<std::string> json_text(const std::optional<nlohmann::json>& j) {
  if (!j || j->is_null() || (j->is_structured() && j->empty()))
    return std::nullopt;
  return j->dump();
}

std::optional<nlohmann::json>
parse_json_text(const std::optional<std::string>& s) {
  if (!s || s->empty())
    return std::nullopt;
  auto j = nlohmann::json::parse(*s, nullptr, false);
  if (j.is_discarded())
    return std::nullopt;
  return j;
}

const char* const entry_columns =
  "session_key, session_id, created_at, updated_at, origin, display_name, "
  "platform, chat_type, input_tokens, output_tokens, cache_read_tokens, "
  "cache_write_tokens, total_tokens, estimated_cost_usd, cost_status, "
  "last_prompt_tokens, was_auto_reset, auto_reset_reason, "
  "reset_had_activity, expiry_finalized, busy_until, daily_reset_deferred";

namespace {

std::optional<std::string> reason_text(core::reset_reason r) {
  switch (r) {
    case core::reset_reason::none:
      return std::nullopt;
    case core::reset_reason::idle:
      return "idle";
    case core::reset_reason::daily:
      return "daily";
    case core::reset_reason::manual:
      return "manual";
  }
  return std::nullopt;
}

core::reset_reason parse_reason(const std::optional<std::string>& s) {
  if (s == "idle")
    return core::reset_reason::idle;
  if (s == "daily")
    return core::reset_reason::daily;
  if (s == "manual")
    return core::reset_reason::manual;
  return core::reset_reason::none;
}

std::optional<std::string> origin_text(const core::session_entry& e) {
  if (!e.origin)
    return std::nullopt;
  return core::encode_source(*e.origin).dump();
}

core::result<std::optional<core::source>>
parse_origin(const std::optional<std::string>& text) {
  auto j = parse_json_text(text);
  if (!j || j->is_null())
    return std::optional<core::source>{};
  auto src = core::decode_source_lenient(*j);
  if (!src)
    return core::internal_error("stored origin is invalid: " +
                                src.err().message);
  return std::optional<core::source>{std::move(*src)};
}

} // namespace

void bind_entry(statement& s, const core::session_entry& e) {
  s.bind(1, e.session_key).bind(2, e.session_id);
  s.bind(3, to_micros(e.created_at)).bind(4, to_micros(e.updated_at));
  s.bind(5, origin_text(e)).bind(6, e.display_name);
  s.bind(7, e.platform).bind(8, core::to_string(e.type));
  s.bind(9, e.input_tokens).bind(10, e.output_tokens);
  s.bind(11, e.cache_read_tokens).bind(12, e.cache_write_tokens);
  s.bind(13, e.total_tokens).bind(14, e.estimated_cost_usd);
  s.bind(15, e.cost_status).bind(16, e.last_prompt_tokens);
  s.bind(17, std::int64_t{e.was_auto_reset});
  s.bind(18, reason_text(e.auto_reset_reason));
  s.bind(19, std::int64_t{e.reset_had_activity});
  s.bind(20, std::int64_t{e.expiry_finalized});
  if (e.busy_until)
    s.bind(21, to_micros(*e.busy_until));
  else
    s.bind_null(21);
  s.bind(22, std::int64_t{e.daily_reset_deferred});
}

core::result<core::session_entry> read_entry(const statement& s, int f) {
  core::session_entry e;
  e.session_key = s.text(f);
  e.session_id = s.text(f + 1);
  e.created_at = from_micros(s.int64(f + 2));
  e.updated_at = from_micros(s.int64(f + 3));
  auto origin = parse_origin(s.opt_text(f + 4));
  if (!origin)
    return std::move(origin).err();
  e.origin = std::move(*origin);
  e.display_name = s.opt_text(f + 5);
  e.platform = s.text(f + 6);
  e.type = core::parse_chat_type(s.text(f + 7)).value_or(core::chat_type::dm);
  e.input_tokens = s.int64(f + 8);
  e.output_tokens = s.int64(f + 9);
  e.cache_read_tokens = s.int64(f + 10);
  e.cache_write_tokens = s.int64(f + 11);
  e.total_tokens = s.int64(f + 12);
  e.estimated_cost_usd = s.real(f + 13);
  e.cost_status = s.text(f + 14);
  e.last_prompt_tokens = s.int64(f + 15);
  e.was_auto_reset = s.int64(f + 16) != 0;
  e.auto_reset_reason = parse_reason(s.opt_text(f + 17));
  e.reset_had_activity = s.int64(f + 18) != 0;
  e.expiry_finalized = s.int64(f + 19) != 0;
  if (!s.is_null(f + 20))
    e.busy_until = from_micros(s.int64(f + 20));
  e.daily_reset_deferred = s.int64(f + 21) != 0;
  return e;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string utf8_prefix(std::string_view s, std::size_t n) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n)
      return std::string{s.substr(0, i)};
  }
  return std::string{s};
}

std::string placeholders(std::size_t n, std::size_t first) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out += (i == 0 ? "?" : ",?") + std::to_string(first + i);
  return out;
}

std::string search_filter_sql(const core::search_query& sq, std::size_t& next) {
  std::string sql;
  auto in_list = [&](const std::vector<std::string>& v, const char* clause) {
    if (v.empty())
      return;
    sql += std::string{clause} + " (" + placeholders(v.size(), next) + ")";
    next += v.size();
  };
  in_list(sq.sources, " AND s.source IN");
  in_list(sq.exclude_sources, " AND s.source NOT IN");
  in_list(sq.roles, " AND m.role IN");
  for (auto [value, column] : {std::pair{&sq.user_id, "s.user_id"},
                               std::pair{&sq.session_key, "s.session_key"}})
    if (*value)
      sql += std::string{" AND "} + column + " = ?" + std::to_string(next++);
  return sql;
}

int bind_search_filters(statement& s, const core::search_query& sq, int first) {
  for (const auto* list : {&sq.sources, &sq.exclude_sources, &sq.roles})
    for (const auto& v : *list)
      s.bind(first++, v);
  for (const auto* value : {&sq.user_id, &sq.session_key})
    if (*value)
      s.bind(first++, **value);
  return first;
}

bool holds_cjk(const std::optional<std::string>& content,
               const std::optional<std::string>& tool_name) {
  return (content && core::contains_cjk(*content)) ||
         (tool_name && core::contains_cjk(*tool_name));
}

core::status add_trigram_row(connection& db, std::int64_t id,
                             const std::optional<std::string>& content,
                             const std::optional<std::string>& tool_name) {
  SB_QUERY(q, db,
           "INSERT INTO messages_trigram(rowid, content, tool_name) "
           "VALUES (?, ?, ?)");
  q->bind(1, id).bind(2, content).bind(3, tool_name);
  return q->run();
}

core::status add_cjk_rows(connection& db, statement& select) {
  for (;;) {
    auto row = select.step();
    if (!row)
      return std::move(row).err();
    if (!*row)
      return {};
    auto content = select.opt_text(1);
    auto tool_name = select.opt_text(2);
    if (holds_cjk(content, tool_name))
      SB_TRY(add_trigram_row(db, select.int64(0), content, tool_name));
  }
}

} // namespace switchboard::persistence::detail

// partitioned_reader: every read of every partition, merged (contract in
// partitioned_reader.hpp).

#include "actors/partitioned_reader.hpp"

#include "actors/partitioned_merge.hpp"
#include "core/title.hpp"

#include <map>

namespace switchboard::actors {

namespace {

using core::result;
using nlohmann::json;

constexpr std::size_t max_prefix_candidates = 10;

double number_of(const json& row, const char* field) {
  auto it = row.find(field);
  return it != row.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string text_of(const json& row, const char* field) {
  auto it = row.find(field);
  return it != row.end() && it->is_string() ? it->get<std::string>() : "";
}

/// The sort column of list_entries as one comparable number.
std::int64_t sort_value(const core::session_entry& e, core::entry_sort s) {
  switch (s) {
    case core::entry_sort::created:
      return e.created_at.time_since_epoch().count();
    case core::entry_sort::tokens:
      return e.total_tokens;
    case core::entry_sort::updated:
      break;
  }
  return e.updated_at.time_since_epoch().count();
}

/// A JSON array's rows, or the error.
result<std::vector<json>> rows_of(result<json> r) {
  if (!r)
    return std::move(r).err();
  std::vector<json> rows;
  for (auto& row : *r)
    rows.push_back(std::move(row));
  return rows;
}

json to_array(std::vector<json> rows) {
  json out = json::array();
  for (auto& r : rows)
    out.push_back(std::move(r));
  return out;
}

bool has_value(const std::optional<json>& j) {
  return j.has_value();
}

template <class T>
bool always(const T&) {
  return true;
}

/// The answer of the partition holding session `id` to op(reader, id)
/// (merge::first_found: found(value) says it was there).
template <class T, class Op, class Found>
result<T> from_holder(const slot_table& slots, std::string_view id, Op op,
                      Found found) {
  std::string sid{id};
  return merge::first_found(
    slots.read_all<T>([sid, op](core::store_reader& r) { return op(r, sid); }),
    found);
}

result<std::vector<core::expiry_candidate>>
oldest_first(std::vector<result<std::vector<core::expiry_candidate>>> parts,
             std::int64_t limit) {
  auto all = merge::concat(std::move(parts));
  if (!all)
    return all;
  std::stable_sort(all->begin(), all->end(), [](const auto& a, const auto& b) {
    return a.entry.updated_at < b.entry.updated_at;
  });
  return merge::cut(std::move(*all), 0, limit);
}

} // namespace

result<std::optional<core::session_entry>>
partitioned_reader::get_entry(std::string_view session_key) {
  std::string key{session_key};
  return slots_.read_one<std::optional<core::session_entry>>(
    slots_.partition_of(key),
    [key](core::store_reader& r) { return r.get_entry(key); });
}

result<std::vector<core::session_entry>>
partitioned_reader::list_entries(const core::entry_list_query& q) {
  auto each = q;
  each.offset = 0;
  each.limit = merge::fetch_limit(q.offset, q.limit);
  auto all = merge::concat(slots_.read_all<std::vector<core::session_entry>>(
    [each](core::store_reader& r) { return r.list_entries(each); }));
  if (!all)
    return all;
  auto before = [&q](const core::session_entry& a,
                     const core::session_entry& b) {
    auto va = sort_value(a, q.sort), vb = sort_value(b, q.sort);
    if (va != vb)
      return q.ascending ? va < vb : va > vb;
    return q.ascending ? a.session_key < b.session_key
                       : a.session_key > b.session_key;
  };
  std::sort(all->begin(), all->end(), before);
  return merge::cut(std::move(*all), q.offset, q.limit);
}

result<core::entry_counts>
partitioned_reader::count_entries(const core::entry_list_query& q) {
  auto parts = slots_.read_all<core::entry_counts>(
    [q](core::store_reader& r) { return r.count_entries(q); });
  core::entry_counts out;
  for (auto& p : parts) {
    if (!p)
      return std::move(p).err();
    out.total += p->total;
    out.total_tokens += p->total_tokens;
    out.estimated_cost_usd += p->estimated_cost_usd;
    for (const auto& [platform, n] : p->by_platform)
      out.by_platform[platform] += n;
  }
  return out;
}

result<std::vector<core::expiry_candidate>>
partitioned_reader::scan_expiry_candidates(core::time_point updated_before,
                                           std::int64_t limit) {
  return oldest_first(slots_.read_all<std::vector<core::expiry_candidate>>(
                        [=](core::store_reader& r) {
                          return r.scan_expiry_candidates(updated_before,
                                                          limit);
                        }),
                      limit);
}

result<std::int64_t> partitioned_reader::entry_count() {
  return merge::sum(slots_.read_all<std::int64_t>(
    [](core::store_reader& r) { return r.entry_count(); }));
}

result<std::vector<core::expiry_candidate>>
partitioned_reader::scan_deferred_candidates(core::time_point updated_before,
                                             std::int64_t limit) {
  return oldest_first(slots_.read_all<std::vector<core::expiry_candidate>>(
                        [=](core::store_reader& r) {
                          return r.scan_deferred_candidates(updated_before,
                                                            limit);
                        }),
                      limit);
}

result<std::optional<json>>
partitioned_reader::get_session(std::string_view id) {
  return from_holder<std::optional<json>>(
    slots_, id,
    [](core::store_reader& r, const std::string& sid) {
      return r.get_session(sid);
    },
    has_value);
}

result<int> partitioned_reader::partition_of_session(std::string_view id) {
  std::string sid{id};
  auto parts = slots_.read_all<std::optional<json>>(
    [sid](core::store_reader& r) { return r.get_session(sid); });
  for (std::size_t p = 0; p < parts.size(); ++p)
    if (parts[p] && *parts[p])
      return static_cast<int>(p);
  for (auto& p : parts)
    if (!p)
      return std::move(p).err();
  return core::not_found("session '" + sid + "' not found");
}

namespace {

struct prefix_candidates {
  std::vector<std::pair<int, std::string>> ids; // partition, id
  bool more = false; // some partition had more than it listed
};

/// Each partition's answer to resolve_session_id, as candidates.
result<prefix_candidates>
collect_candidates(const std::string& prefix,
                   std::vector<result<std::string>> parts) {
  prefix_candidates out;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    auto& r = parts[p];
    if (r) {
      out.ids.emplace_back(static_cast<int>(p), *r);
      continue;
    }
    if (r.err().code == core::errc::not_found)
      continue;
    auto listed = merge::ambiguous_ids(prefix, r.err().message);
    if (!listed)
      return std::move(r).err();
    for (auto& id : *listed) {
      if (id == "...")
        out.more = true;
      else
        out.ids.emplace_back(static_cast<int>(p), std::move(id));
    }
  }
  return out;
}

using dated_ids = std::vector<std::pair<double, std::string>>;

/// (started_at, id) of every candidate, each read in its partition (one
/// read per partition, all at once).
result<dated_ids>
dated_candidates(const slot_table& slots,
                 const std::vector<std::pair<int, std::string>>& candidates) {
  std::vector<std::vector<std::string>> by_partition(
    static_cast<std::size_t>(slots.size()));
  for (const auto& [p, id] : candidates)
    by_partition[static_cast<std::size_t>(p)].push_back(id);
  auto parts = slots.read_each<dated_ids>(
    [&by_partition](int p, core::store_reader& r) -> result<dated_ids> {
      dated_ids out;
      for (const auto& id : by_partition[static_cast<std::size_t>(p)]) {
        auto row = r.get_session(id);
        if (!row)
          return std::move(row).err();
        out.emplace_back(*row ? number_of(**row, "started_at") : 0.0, id);
      }
      return out;
    });
  return merge::concat(std::move(parts));
}

} // namespace

result<std::string>
partitioned_reader::resolve_session_id(std::string_view prefix) {
  std::string px{prefix};
  auto parts = slots_.read_all<std::string>(
    [px](core::store_reader& r) { return r.resolve_session_id(px); });
  for (auto& r : parts)
    if (r && *r == px)
      return std::move(r); // an exact id wins, as in one file
  auto c = collect_candidates(px, std::move(parts));
  if (!c)
    return std::move(c).err();
  if (c->ids.empty())
    return core::not_found("no session id starts with '" + px + "'");
  if (c->ids.size() == 1 && !c->more)
    return c->ids.front().second;
  // Ambiguous: list them newest first, as one file does.
  auto found = dated_candidates(slots_, c->ids);
  if (!found)
    return std::move(found).err();
  auto dated = std::move(*found);
  std::stable_sort(dated.begin(), dated.end(),
                   [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<std::string> ids;
  for (auto& d : dated)
    ids.push_back(std::move(d.second));
  if (ids.size() > max_prefix_candidates || c->more) {
    ids.resize(max_prefix_candidates);
    ids.push_back("...");
  }
  return core::bad_request(merge::ambiguous_message(px, ids));
}

result<std::optional<std::string>>
partitioned_reader::resolve_title(std::string_view title) {
  std::string t{title};
  auto parts = slots_.read_all<std::optional<core::titled_session>>(
    [t](core::store_reader& r) -> result<std::optional<core::titled_session>> {
      auto id = r.resolve_title(t);
      if (!id)
        return std::move(id).err();
      if (!*id)
        return std::optional<core::titled_session>{};
      auto row = r.get_session(**id);
      if (!row)
        return std::move(row).err();
      if (!*row)
        return std::optional<core::titled_session>{}; // deleted meanwhile
      return std::optional<core::titled_session>{core::titled_session{
        **id, text_of(**row, "title"), number_of(**row, "started_at")}};
    });
  std::vector<core::titled_session> answers;
  for (auto& p : parts) {
    if (!p)
      return std::move(p).err();
    if (*p)
      answers.push_back(std::move(**p));
  }
  return core::resolve_by_title(t, answers);
}

result<std::string> partitioned_reader::next_title(std::string_view title) {
  std::string t{title};
  auto parts = slots_.read_all<std::string>(
    [t](core::store_reader& r) { return r.next_title(t); });
  auto split = core::split_numbered_title(t);
  std::string base = split ? split->base : t;
  // Each partition proposes base (free there) or "base #N" (N >= 2, one
  // above its highest); the highest proposal is one file's answer.
  std::string best = base;
  long long best_n = 0;
  for (auto& p : parts) {
    if (!p)
      return std::move(p).err();
    auto s = core::split_numbered_title(*p);
    if (s && s->base == base && s->number > best_n) {
      best_n = s->number;
      best = *p;
    }
  }
  return best;
}

result<std::string> partitioned_reader::compression_tip(std::string_view id) {
  return from_holder<std::string>(
    slots_, id,
    [](core::store_reader& r, const std::string& sid) {
      return r.compression_tip(sid);
    },
    always<std::string>);
}

result<json> partitioned_reader::history(const core::history_query& q) {
  auto each = q;
  each.offset = 0;
  each.limit = merge::fetch_limit(q.offset, q.limit);
  auto all = merge::concat(slots_.read_all<std::vector<json>>(
    [each](core::store_reader& r) { return rows_of(r.history(each)); }));
  if (!all)
    return std::move(all).err();
  std::stable_sort(all->begin(), all->end(), [](const json& a, const json& b) {
    auto sa = number_of(a, "started_at");
    auto sb = number_of(b, "started_at");
    if (sa != sb)
      return sa > sb;
    return text_of(a, "id") > text_of(b, "id");
  });
  return to_array(merge::cut(std::move(*all), q.offset, q.limit));
}

result<std::int64_t>
partitioned_reader::session_count(std::optional<std::string> source) {
  return merge::sum(slots_.read_all<std::int64_t>(
    [source](core::store_reader& r) { return r.session_count(source); }));
}

result<std::vector<std::string>>
partitioned_reader::select_prunable(const core::prune_rule& rule) {
  auto parts = slots_.read_all<std::vector<std::string>>(
    [rule](core::store_reader& r) { return r.select_prunable(rule); });
  std::vector<std::vector<std::string>> lists;
  for (auto& p : parts) {
    if (!p)
      return std::move(p).err();
    lists.push_back(std::move(*p));
  }
  return merge::merge_sorted(std::move(lists), std::greater<std::string>{});
}

result<std::vector<core::usage_row>>
partitioned_reader::usage(const core::usage_query& q) {
  auto parts = slots_.read_all<std::vector<core::usage_row>>(
    [q](core::store_reader& r) { return r.usage(q); });
  std::map<std::string, core::usage_row> groups;
  for (auto& p : parts) {
    if (!p)
      return std::move(p).err();
    for (const auto& row : *p) {
      auto& g = groups[row.group];
      g.group = row.group;
      g.input_tokens += row.input_tokens;
      g.output_tokens += row.output_tokens;
      g.cache_read_tokens += row.cache_read_tokens;
      g.cache_write_tokens += row.cache_write_tokens;
      g.estimated_cost_usd += row.estimated_cost_usd;
      g.updates += row.updates;
    }
  }
  std::vector<core::usage_row> out;
  for (auto& [group, row] : groups)
    out.push_back(std::move(row));
  return out;
}

result<json> partitioned_reader::transcript(std::string_view id, bool stitch) {
  return from_holder<json>(
    slots_, id,
    [stitch](core::store_reader& r, const std::string& sid) {
      return r.transcript(sid, stitch);
    },
    always<json>);
}

result<json> partitioned_reader::search(const core::search_query& q) {
  auto each = q;
  each.offset = 0;
  each.limit = merge::fetch_limit(q.offset, std::max<std::int64_t>(q.limit, 0));
  auto parts = slots_.read_all<std::vector<json>>(
    [each](core::store_reader& r) { return rows_of(r.search(each)); });
  std::vector<std::vector<json>> lists;
  for (auto& p : parts) {
    if (!p)
      return std::move(p).err();
    lists.push_back(std::move(*p));
  }
  std::vector<json> merged;
  if (q.order == core::search_order::relevance)
    merged = merge::interleave(std::move(lists));
  else
    merged = merge::merge_sorted(
      std::move(lists), [newest = q.order == core::search_order::newest](
                          const json& a, const json& b) {
        auto ta = number_of(a, "timestamp"), tb = number_of(b, "timestamp");
        return newest ? ta < tb : ta > tb;
      });
  return to_array(merge::cut(std::move(merged), q.offset,
                             std::max<std::int64_t>(q.limit, 0)));
}

result<std::optional<json>>
partitioned_reader::export_session(std::string_view id) {
  return from_holder<std::optional<json>>(
    slots_, id,
    [](core::store_reader& r, const std::string& sid) {
      return r.export_session(sid);
    },
    has_value);
}

result<std::optional<json>>
partitioned_reader::export_session_all(std::string_view id) {
  return from_holder<std::optional<json>>(
    slots_, id,
    [](core::store_reader& r, const std::string& sid) {
      return r.export_session_all(sid);
    },
    has_value);
}

core::status
partitioned_reader::export_all(std::optional<std::string> source,
                               const std::function<void(const json&)>& sink) {
  auto parts = slots_.read_all<std::vector<json>>(
    [source](core::store_reader& r) -> result<std::vector<json>> {
      std::vector<json> rows;
      auto st =
        r.export_all(source, [&rows](const json& row) { rows.push_back(row); });
      if (!st)
        return st.err();
      return rows;
    });
  std::vector<std::vector<json>> lists;
  for (auto& p : parts) {
    if (!p)
      return std::move(p).err();
    lists.push_back(std::move(*p));
  }
  auto merged =
    merge::merge_sorted(std::move(lists), [](const json& a, const json& b) {
      return number_of(a, "started_at") < number_of(b, "started_at");
    });
  for (const auto& row : merged)
    sink(row);
  return {};
}

result<std::int64_t>
partitioned_reader::message_count(std::optional<std::string> session_id) {
  // A partition without the session counts 0 of its messages.
  return merge::sum(
    slots_.read_all<std::int64_t>([session_id](core::store_reader& r) {
      return r.message_count(session_id);
    }));
}

} // namespace switchboard::actors

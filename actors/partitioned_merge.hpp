#pragma once

// Actors-private: the pure pieces of merging P partitions' answers into one
// (actors/partitioned_reader.hpp says which reads use which rule).

#include "core/result.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::actors::merge {

/// What to ask every partition for so that the merged rows hold the page
/// (offset, limit): rows 0 .. offset + limit (a negative limit: all rows,
/// as SQLite's LIMIT -1; a negative offset counts as 0).
inline std::int64_t fetch_limit(std::int64_t offset, std::int64_t limit) {
  return limit < 0 ? -1 : std::max<std::int64_t>(offset, 0) + limit;
}

/// The page (offset, limit) of merged rows.
template <class T>
std::vector<T> cut(std::vector<T> rows, std::int64_t offset,
                   std::int64_t limit) {
  auto from = static_cast<std::size_t>(std::max<std::int64_t>(offset, 0));
  if (from >= rows.size())
    return {};
  auto end = limit < 0
               ? rows.size()
               : std::min(rows.size(), from + static_cast<std::size_t>(limit));
  return std::vector<T>(std::make_move_iterator(rows.begin() + from),
                        std::make_move_iterator(rows.begin() + end));
}

/// The first error of `parts`, else every row in partition order.
template <class T>
core::result<std::vector<T>>
concat(std::vector<core::result<std::vector<T>>> parts) {
  std::vector<T> out;
  for (auto& p : parts) {
    if (!p)
      return std::move(p).err();
    for (auto& row : *p)
      out.push_back(std::move(row));
  }
  return out;
}

/// The first error of `parts`, else their sum.
template <class T>
core::result<T> sum(const std::vector<core::result<T>>& parts) {
  T total{};
  for (const auto& p : parts) {
    if (!p)
      return p.err();
    total += *p;
  }
  return total;
}

/// The answer of the partition that holds something: the first ok answer
/// for which found(value); else the first error that is not not_found
/// (that partition might hold it); else the first answer (nothing found).
template <class T, class Found>
core::result<T> first_found(std::vector<core::result<T>> parts, Found found) {
  for (auto& p : parts)
    if (p && found(*p))
      return std::move(p);
  for (auto& p : parts)
    if (!p && p.err().code != core::errc::not_found)
      return std::move(p);
  return std::move(parts.front());
}

/// Round-robin interleave: the first row of each list, then the second of
/// each, and so on.
template <class T>
std::vector<T> interleave(std::vector<std::vector<T>> lists) {
  std::vector<T> out;
  for (std::size_t i = 0;; ++i) {
    bool any = false;
    for (auto& l : lists)
      if (i < l.size()) {
        out.push_back(std::move(l[i]));
        any = true;
      }
    if (!any)
      return out;
  }
}

/// Merges lists that are each in order, keeping each list's own order: at
/// every step the head that is not `after` any other head is taken (ties:
/// the lower list first).
template <class T, class After>
std::vector<T> merge_sorted(std::vector<std::vector<T>> lists, After after) {
  std::vector<std::size_t> head(lists.size(), 0);
  std::vector<T> out;
  for (;;) {
    std::optional<std::size_t> best;
    for (std::size_t l = 0; l < lists.size(); ++l)
      if (head[l] < lists[l].size() &&
          (!best || after(lists[*best][head[*best]], lists[l][head[l]])))
        best = l;
    if (!best)
      return out;
    out.push_back(std::move(lists[*best][head[*best]++]));
  }
}

/// The ids of the store's "ambiguous session id prefix 'x': a, b, ..."
/// (persistence/sqlite_sessions_read.cpp), "..." included; nullopt when
/// `message` is not that error for `prefix`.
std::optional<std::vector<std::string>> ambiguous_ids(std::string_view prefix,
                                                      std::string_view message);

/// That error's message for `ids` (the caller cuts to 10 and adds "...").
std::string ambiguous_message(std::string_view prefix,
                              const std::vector<std::string>& ids);

} // namespace switchboard::actors::merge

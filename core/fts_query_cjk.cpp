// Planning of search queries in scripts written without spaces (SPEC 10
// "every language"): the terms of a query with CJK characters, the trigram
// MATCH expression built from them, and the snippet of a LIKE hit.

#include "core/fts_query.hpp"
#include "core/text_chars.hpp"
#include "core/utf8.hpp"

#include <algorithm>

namespace switchboard::core {

namespace {

struct query_token {
  std::u32string text;
  bool phrase = false;
};

/// Characters that separate terms: whitespace and the FTS5 syntax the seed's
/// sanitizer blanks (plus '*': a prefix query is a substring query here).
bool separates(char32_t c) {
  return is_python_space(c) || c == U'+' || c == U'{' || c == U'}' ||
         c == U'(' || c == U')' || c == U':' || c == U'^' || c == U'*';
}

std::vector<query_token> split_terms(const std::u32string& s) {
  std::vector<query_token> out;
  std::u32string word;
  auto end_word = [&] {
    if (!word.empty())
      out.push_back({std::move(word), false});
    word.clear();
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == U'"') {
      end_word();
      auto close = s.find(U'"', i + 1);
      if (close == s.npos)
        continue; // an unbalanced quote separates
      if (close > i + 1)
        out.push_back({s.substr(i + 1, close - i - 1), true});
      i = close;
    } else if (separates(s[i])) {
      end_word();
    } else {
      word.push_back(s[i]);
    }
  }
  end_word();
  return out;
}

std::u32string ascii_upper(std::u32string s) {
  for (char32_t& c : s)
    if (c >= U'a' && c <= U'z')
      c -= U'a' - U'A';
  return s;
}

bool is_operator_word(const query_token& t, bool any_case) {
  if (t.phrase || t.text.size() > 3)
    return false;
  auto w = any_case ? ascii_upper(t.text) : t.text;
  return w == U"AND" || w == U"OR" || w == U"NOT";
}

void drop_dangling_operators(std::vector<query_token>& tokens) {
  while (!tokens.empty() && is_operator_word(tokens.front(), true))
    tokens.erase(tokens.begin());
  while (!tokens.empty() && is_operator_word(tokens.back(), true))
    tokens.pop_back();
}

std::vector<cjk_group> group_terms(const std::vector<query_token>& tokens) {
  std::vector<cjk_group> groups(1);
  bool negate = false, after_operator = false;
  std::size_t kept = 0;
  for (const auto& t : tokens) {
    if (is_operator_word(t, false)) {
      if (!after_operator && t.text == U"OR")
        groups.emplace_back();
      if (!after_operator)
        negate = t.text == U"NOT";
      after_operator = true;
      continue;
    }
    after_operator = false;
    if (kept++ == max_cjk_terms)
      break;
    auto& list = negate ? groups.back().none : groups.back().all;
    list.push_back(encode_utf8(t.text));
    negate = false;
  }
  std::erase_if(groups, [](const cjk_group& g) { return g.all.empty(); });
  return groups;
}

/// The length of the shortest run of CJK characters in `s` (SIZE_MAX when
/// there is none).
std::size_t shortest_cjk_run(std::u32string_view s) {
  std::size_t shortest = SIZE_MAX, run = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && is_cjk(s[i])) {
      ++run;
      continue;
    }
    if (run > 0)
      shortest = std::min(shortest, run);
    run = 0;
  }
  return shortest;
}

bool trigram_term(std::string_view term) {
  auto cps = decode_utf8_lossy(term);
  return cps.size() >= 3 && shortest_cjk_run(cps) >= 3;
}

bool has_cjk_term(const std::vector<std::string>& terms) {
  return std::any_of(terms.begin(), terms.end(),
                     [](const std::string& t) { return contains_cjk(t); });
}

std::string fts_phrase(std::string_view term) {
  std::string out = "\"";
  for (char c : term)
    out += c == '"' ? std::string{"\"\""} : std::string{c};
  return out + "\"";
}

} // namespace

std::optional<cjk_query> plan_cjk_query(std::string_view query) {
  auto cps = query_code_points(query);
  if (std::none_of(cps.begin(), cps.end(), is_cjk))
    return std::nullopt;
  auto tokens = split_terms(cps);
  drop_dangling_operators(tokens);
  cjk_query q;
  q.groups = group_terms(tokens);
  q.trigram = !q.groups.empty();
  q.token_path = q.groups.empty();
  for (const auto& g : q.groups) {
    for (const auto* list : {&g.all, &g.none})
      for (const auto& t : *list)
        q.trigram = q.trigram && trigram_term(t);
    q.token_path = q.token_path || !has_cjk_term(g.all);
  }
  return q;
}

std::string trigram_match(const cjk_query& q) {
  std::string out;
  for (const auto& g : q.groups) {
    std::string group;
    for (const auto& t : g.all)
      group += (group.empty() ? "(" : " AND ") + fts_phrase(t);
    group += ")";
    for (const auto& t : g.none)
      group += " NOT " + fts_phrase(t);
    if (!g.none.empty())
      group = "(" + group + ")";
    out += (out.empty() ? "" : " OR ") + group;
  }
  return out;
}

namespace {

char32_t fold(char32_t c) {
  return c >= U'A' && c <= U'Z' ? c + (U'a' - U'A') : c;
}

/// The length of the longest of `terms` that occurs in `text` at `i`, or 0.
std::size_t match_at(std::u32string_view text, std::size_t i,
                     const std::vector<std::u32string>& terms) {
  std::size_t best = 0;
  for (const auto& t : terms) {
    if (t.size() <= best || t.size() > text.size() - i)
      continue;
    bool same = true;
    for (std::size_t k = 0; same && k < t.size(); ++k)
      same = fold(text[i + k]) == t[k];
    if (same)
      best = t.size();
  }
  return best;
}

std::vector<std::u32string>
folded_terms(const std::vector<std::string>& terms) {
  std::vector<std::u32string> out;
  for (const auto& t : terms) {
    auto cps = decode_utf8_lossy(t);
    std::transform(cps.begin(), cps.end(), cps.begin(), fold);
    if (!cps.empty())
      out.push_back(std::move(cps));
  }
  return out;
}

/// Where the first occurrence of any term starts, or npos.
std::size_t first_match(std::u32string_view folded,
                        const std::vector<std::u32string>& terms) {
  std::size_t first = std::u32string_view::npos;
  for (const auto& t : terms)
    first = std::min(first, folded.find(t));
  return first;
}

} // namespace

std::string mark_snippet(std::string_view text,
                         const std::vector<std::string>& terms,
                         std::size_t window) {
  constexpr std::size_t lead = 8; // context shown before the first match
  auto cps = decode_utf8_lossy(text);
  auto folded = cps;
  std::transform(folded.begin(), folded.end(), folded.begin(), fold);
  auto wanted = folded_terms(terms);
  std::size_t pos = first_match(folded, wanted);
  if (pos == std::u32string::npos)
    return {};
  std::size_t start = pos > lead ? pos - lead : 0;
  if (cps.size() >= window)
    start = std::min(start, cps.size() - window);
  std::size_t end = std::min(
    cps.size(), std::max(start + window, pos + match_at(folded, pos, wanted)));
  std::u32string out = start > 0 ? U"..." : U"";
  for (std::size_t i = start; i < end;) {
    std::size_t n = match_at(folded, i, wanted);
    if (n == 0) {
      out.push_back(cps[i++]);
      continue;
    }
    out += U">>>" + cps.substr(i, n) + U"<<<";
    i += n;
    end = std::max(end, i);
  }
  if (end < cps.size())
    out += U"...";
  return encode_utf8(out);
}

} // namespace switchboard::core

#include "core/fts_query.hpp"

#include "core/text_chars.hpp"
#include "core/utf8.hpp"

#include <algorithm>
#include <vector>

namespace switchboard::core {

namespace {

// While the query is rewritten, every quoted unit (a user phrase or a
// compound we quote) is held aside and stands in the text as one value
// above U+10FFFF: no rule can split, merge or match into it.
constexpr char32_t unit_mark = 0x110000;

bool is_unit_mark(char32_t c) {
  return c >= unit_mark;
}

bool is_ascii_alnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

/// A word character: Python's \w for ASCII, and every other code point that
/// is not whitespace (FTS5 itself reads every byte >= 0x80 as part of a
/// bareword, so this keeps the output valid).
bool is_word(char32_t c) {
  if (c < 0x80)
    return is_ascii_alnum(c) || c == '_';
  return !is_unit_mark(c) && !is_python_space(c);
}

bool is_joiner(char32_t c) {
  return c == '.' || c == '-';
}

struct marked_query {
  std::u32string text;
  std::vector<std::u32string> units; // text of unit_mark + i
};

/// Step 2: set balanced "phrases" aside (the seed's `"[^"]*"`).
marked_query protect_phrases(std::u32string_view s) {
  marked_query q;
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t close = s[i] == U'"' ? s.find(U'"', i + 1) : s.npos;
    if (close == s.npos) {
      q.text.push_back(s[i]);
      continue;
    }
    q.text.push_back(unit_mark + static_cast<char32_t>(q.units.size()));
    q.units.emplace_back(s.substr(i, close - i + 1));
    i = close;
  }
  return q;
}

/// Step 3: every ASCII character FTS5 would read as syntax, except the '*',
/// '.' and '-' the next steps handle, and all whitespace become a space.
void blank_syntax(std::u32string& s) {
  for (char32_t& c : s) {
    bool plain_ascii = c < 0x80 && (is_word(c) || c == '*' || is_joiner(c));
    if (is_python_space(c) || (c < 0x80 && !plain_ascii))
      c = U' ';
  }
}

/// Step 4: collapse '*' runs; keep a '*' only right after a word or unit
/// (a prefix query needs a term before it), blank any other.
void fix_stars(std::u32string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != U'*')
      continue;
    bool after_term = i > 0 && (is_word(s[i - 1]) || is_unit_mark(s[i - 1]));
    std::size_t end = std::min(s.find_first_not_of(U'*', i), s.size());
    s.replace(i, end - i, after_term ? U"*" : U" ");
  }
}

std::size_t word_end(std::u32string_view s, std::size_t i) {
  while (i < s.size() && is_word(s[i]))
    ++i;
  return i;
}

/// Whether the word s[begin, end) holds a '_' with word characters on both
/// sides (the seed's regex then splits it as "\w+ _ \w+").
bool has_inner_underscore(std::u32string_view s, std::size_t begin,
                          std::size_t end) {
  for (std::size_t k = begin + 1; k + 1 < end; ++k)
    if (s[k] == U'_')
      return true;
  return false;
}

/// The end of the compound `\w+(?:[-._]\w+)+` starting at word `begin`
/// (ending at `end`), or `begin` when there is none.
std::size_t compound_end(std::u32string_view s, std::size_t begin,
                         std::size_t end) {
  std::size_t stop = end;
  while (stop + 1 < s.size() && is_joiner(s[stop]) && is_word(s[stop + 1]))
    stop = word_end(s, stop + 1);
  if (stop == end && !has_inner_underscore(s, begin, end))
    return begin;
  return stop;
}

/// Step 5: quote words joined by '.', '-' or '_' (chat-send, P2.2,
/// config_v2.yaml) as units; then blank the joiners left over.
void quote_compounds(marked_query& q) {
  std::u32string out;
  const std::u32string& s = q.text;
  for (std::size_t i = 0; i < s.size();) {
    if (!is_word(s[i])) {
      out.push_back(is_joiner(s[i]) ? U' ' : s[i]);
      ++i;
      continue;
    }
    std::size_t end = word_end(s, i);
    std::size_t stop = compound_end(s, i, end);
    if (stop == i) {
      out.append(s, i, end - i);
      i = end;
      continue;
    }
    out.push_back(unit_mark + static_cast<char32_t>(q.units.size()));
    q.units.push_back(U"\"" + s.substr(i, stop - i) + U"\"");
    i = stop;
  }
  q.text = std::move(out);
}

/// A token of the rewritten query as FTS5 lexes it.
struct token {
  std::u32string text; // a bareword or a unit's quoted text
  bool unit = false;   // a quoted phrase or compound
  bool star = false;   // followed by '*'
  bool spaced = false; // preceded by whitespace
};

std::vector<token> tokenize(const marked_query& q) {
  std::vector<token> tokens;
  bool spaced = false;
  const std::u32string& s = q.text;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == U' ' || s[i] == U'*') { // a '*' here follows a token
      if (s[i] == U'*' && !tokens.empty())
        tokens.back().star = true;
      spaced = spaced || s[i] == U' ';
      ++i;
      continue;
    }
    token t{{}, is_unit_mark(s[i]), false, spaced};
    std::size_t end = t.unit ? i + 1 : word_end(s, i);
    t.text = t.unit ? q.units[s[i] - unit_mark] : s.substr(i, end - i);
    tokens.push_back(std::move(t));
    spaced = false;
    i = end;
  }
  return tokens;
}

/// An FTS5 operator: the barewords AND, OR, NOT (FTS5 is case-sensitive).
bool is_operator(const token& t) {
  return !t.unit && (t.text == U"AND" || t.text == U"OR" || t.text == U"NOT");
}

/// The seed's dangling-operator test at either end: any case, no '*'.
bool is_dangling_operator(const token& t) {
  if (t.unit || t.star || t.text.size() > 3)
    return false;
  std::u32string upper = t.text;
  for (char32_t& c : upper)
    if (c >= 'a' && c <= 'z')
      c -= 'a' - 'A';
  return upper == U"AND" || upper == U"OR" || upper == U"NOT";
}

/// Step 6: operators FTS5 would reject. An operator never takes a '*'; the
/// seed's rule drops AND/OR/NOT (any case) at either end, repeated until
/// none is left; of two operators in a row the second goes.
std::vector<token> fix_operators(std::vector<token> tokens) {
  for (token& t : tokens)
    if (is_operator(t))
      t.star = false;
  while (!tokens.empty() && is_dangling_operator(tokens.front()))
    tokens.erase(tokens.begin());
  while (!tokens.empty() && is_dangling_operator(tokens.back()))
    tokens.pop_back();
  std::vector<token> out;
  for (token& t : tokens) {
    if (!(is_operator(t) && !out.empty() && is_operator(out.back())))
      out.push_back(std::move(t));
  }
  return out;
}

/// Step 7: the units restored, tokens joined by one space where there was
/// whitespace (and always between two units, which FTS5 would read as one
/// string with an escaped quote).
std::string render(const std::vector<token>& tokens) {
  std::u32string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const token& t = tokens[i];
    if (i > 0 && (t.spaced || (t.unit && tokens[i - 1].unit) ||
                  is_operator(t) || is_operator(tokens[i - 1])))
      out.push_back(U' ');
    out += t.text;
    if (t.star)
      out.push_back(U'*');
  }
  return encode_utf8(out);
}

} // namespace

/// Step 1: decode (bad bytes dropped), truncate, controls to spaces.
std::u32string query_code_points(std::string_view query) {
  std::u32string cps = decode_utf8_lossy(query);
  if (cps.size() > max_search_query_chars)
    cps.resize(max_search_query_chars);
  for (char32_t& c : cps)
    if (c < 0x20 || c == 0x7F)
      c = U' ';
  return cps;
}

std::string sanitize_fts_query(std::string_view query) {
  marked_query q = protect_phrases(query_code_points(query));
  blank_syntax(q.text);
  fix_stars(q.text);
  quote_compounds(q);
  return render(fix_operators(tokenize(q)));
}

} // namespace switchboard::core

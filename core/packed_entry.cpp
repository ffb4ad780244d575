#include "core/packed_entry.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace switchboard::core {

// Every field of session_entry is written below. When this fails, a field was
// added or changed: pack and unpack it, and extend the round-trip test.
static_assert(sizeof(session_entry) == 656,
              "session_entry changed: update pack_entry and unpack_entry");

namespace {

// -- writing ------------------------------------------------------------------

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_signed(std::string& out, std::int64_t v) { // zigzag
  put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^
                    static_cast<std::uint64_t>(v >> 63));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

void put_optional(std::string& out, const std::optional<std::string>& s) {
  out.push_back(s ? 1 : 0);
  if (s)
    put_string(out, *s);
}

void put_time(std::string& out, time_point t) {
  put_signed(out, t.time_since_epoch().count());
}

void put_source(std::string& out, const source& s) {
  put_string(out, s.platform);
  put_varint(out, static_cast<std::uint64_t>(s.type));
  for (const auto* f :
       {&s.chat_id, &s.chat_name, &s.user_id, &s.user_name, &s.thread_id,
        &s.chat_topic, &s.user_id_alt, &s.chat_id_alt})
    put_optional(out, *f);
}

// The booleans and optional-presence bits, one byte.
enum flag : unsigned {
  has_origin = 1u << 0,
  has_busy_until = 1u << 1,
  auto_reset = 1u << 2,
  had_activity = 1u << 3,
  finalized = 1u << 4,
  daily_deferred = 1u << 5,
  other_key = 1u << 6,
};

unsigned flags_of(const session_entry& e, std::string_view key) {
  unsigned f = 0;
  f |= e.origin ? has_origin : 0u;
  f |= e.busy_until ? has_busy_until : 0u;
  f |= e.was_auto_reset ? auto_reset : 0u;
  f |= e.reset_had_activity ? had_activity : 0u;
  f |= e.expiry_finalized ? finalized : 0u;
  f |= e.daily_reset_deferred ? daily_deferred : 0u;
  f |= e.session_key != key ? other_key : 0u;
  return f;
}

// -- reading ------------------------------------------------------------------

class reader {
public:
  explicit reader(std::string_view in) : in_(in) {}

  std::uint8_t byte() {
    need(1);
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto b = byte();
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80))
        return v;
    }
    throw std::out_of_range("packed entry: varint too long");
  }
  std::int64_t signed_varint() {
    auto u = varint();
    return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::string string() {
    auto n = varint();
    need(n);
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::optional<std::string> optional() {
    if (!byte())
      return std::nullopt;
    return string();
  }
  time_point time() { return time_point{duration{signed_varint()}}; }
  double real() {
    need(sizeof(double));
    double d;
    std::memcpy(&d, in_.data() + pos_, sizeof d);
    pos_ += sizeof d;
    return d;
  }
  source origin() {
    source s;
    s.platform = string();
    s.type = static_cast<chat_type>(varint());
    for (auto* f :
         {&s.chat_id, &s.chat_name, &s.user_id, &s.user_name, &s.thread_id,
          &s.chat_topic, &s.user_id_alt, &s.chat_id_alt})
      *f = optional();
    return s;
  }
  bool done() const { return pos_ == in_.size(); }

private:
  void need(std::uint64_t n) const {
    if (n > in_.size() - pos_)
      throw std::out_of_range("packed entry: truncated");
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

} // namespace

void pack_entry(const session_entry& e, std::string_view key,
                std::string& out) {
  auto f = flags_of(e, key);
  out.push_back(static_cast<char>(f));
  if (f & other_key)
    put_string(out, e.session_key);
  put_string(out, e.session_id);
  put_time(out, e.created_at);
  put_time(out, e.updated_at);
  if (e.origin)
    put_source(out, *e.origin);
  put_optional(out, e.display_name);
  put_string(out, e.platform);
  put_varint(out, static_cast<std::uint64_t>(e.type));
  for (auto v : {e.input_tokens, e.output_tokens, e.cache_read_tokens,
                 e.cache_write_tokens, e.total_tokens, e.last_prompt_tokens})
    put_signed(out, v);
  char cost[sizeof(double)];
  std::memcpy(cost, &e.estimated_cost_usd, sizeof cost);
  out.append(cost, sizeof cost);
  put_string(out, e.cost_status);
  put_varint(out, static_cast<std::uint64_t>(e.auto_reset_reason));
  if (e.busy_until)
    put_time(out, *e.busy_until);
}

session_entry unpack_entry(std::string_view packed, std::string_view key) {
  reader in(packed);
  session_entry e;
  auto f = in.byte();
  e.session_key = (f & other_key) ? in.string() : std::string(key);
  e.session_id = in.string();
  e.created_at = in.time();
  e.updated_at = in.time();
  if (f & has_origin)
    e.origin = in.origin();
  e.display_name = in.optional();
  e.platform = in.string();
  e.type = static_cast<chat_type>(in.varint());
  for (auto* v :
       {&e.input_tokens, &e.output_tokens, &e.cache_read_tokens,
        &e.cache_write_tokens, &e.total_tokens, &e.last_prompt_tokens})
    *v = in.signed_varint();
  e.estimated_cost_usd = in.real();
  e.cost_status = in.string();
  e.auto_reset_reason = static_cast<reset_reason>(in.varint());
  if (f & has_busy_until)
    e.busy_until = in.time();
  e.was_auto_reset = f & auto_reset;
  e.reset_had_activity = f & had_activity;
  e.expiry_finalized = f & finalized;
  e.daily_reset_deferred = f & daily_deferred;
  if (!in.done())
    throw std::out_of_range("packed entry: trailing bytes");
  return e;
}

} // namespace switchboard::core

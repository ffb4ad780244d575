#include "loadgen/workload.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace switchboard::loadgen {

namespace {

std::vector<double> cumulative(const std::vector<double>& weights) {
  std::vector<double> cdf(weights.size());
  double sum = 0;
  for (std::size_t i = 0; i < weights.size(); ++i)
    cdf[i] = sum += weights[i];
  for (auto& c : cdf)
    c /= sum;
  return cdf;
}

std::size_t draw(const std::vector<double>& cdf, rng& r) {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(r);
  auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
  return std::min<std::size_t>(it - cdf.begin(), cdf.size() - 1);
}

bool valid_platform(std::string_view name) {
  if (name.empty() || name.size() > 32)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

core::result<platform_share> parse_share(std::string_view item) {
  auto colon = item.find(':');
  std::string name{item.substr(0, colon)};
  if (!valid_platform(name))
    return core::bad_request("platforms: bad platform '" + std::string{item} +
                             "'");
  if (colon == std::string_view::npos)
    return core::bad_request("platforms: '" + name + "' needs :WEIGHT");
  std::string number{item.substr(colon + 1)};
  char* end = nullptr;
  double w = std::strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0' || !(w > 0) || !std::isfinite(w))
    return core::bad_request("platforms: bad weight in '" + std::string{item} +
                             "'");
  return platform_share{name, w};
}

/// Appends one word; `first` capitalizes it (a sentence start).
void add_word(std::string& out, rng& r, bool first) {
  const auto& list = common_words();
  auto w =
    list[std::uniform_int_distribution<std::size_t>(0, list.size() - 1)(r)];
  if (!out.empty())
    out += ' ';
  out += w;
  if (first)
    out[out.size() - w.size()] =
      static_cast<char>(out[out.size() - w.size()] - 'a' + 'A');
}

} // namespace

core::result<std::vector<platform_share>>
parse_platform_mix(std::string_view text) {
  std::vector<platform_share> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto share = parse_share(text.substr(0, comma));
    if (!share)
      return share.err();
    out.push_back(std::move(share).value());
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
  }
  if (out.empty())
    return core::bad_request("platforms: empty mix");
  return out;
}

zipf_sampler::zipf_sampler(std::size_t n, double s) {
  std::vector<double> w(n);
  for (std::size_t k = 0; k < n; ++k)
    w[k] = 1.0 / std::pow(static_cast<double>(k + 1), s);
  cdf_ = cumulative(w);
}

std::size_t zipf_sampler::operator()(rng& r) const {
  return draw(cdf_, r);
}

weighted_choice::weighted_choice(const std::vector<double>& weights)
  : cdf_(cumulative(weights)) {}

std::size_t weighted_choice::operator()(rng& r) const {
  return draw(cdf_, r);
}

std::string make_text(rng& r, std::size_t bytes) {
  // Sizes vary around the target: uniform in [bytes/2, 3*bytes/2]; words
  // are added until the size is reached, in sentences of 4-12 words.
  std::size_t target =
    std::uniform_int_distribution<std::size_t>(bytes / 2, bytes + bytes / 2)(r);
  static constexpr char marks[] = {'.', '.', '.', '?', '!'};
  std::string out;
  int left = 0;
  do {
    bool first = left == 0;
    if (first)
      left = std::uniform_int_distribution<int>(4, 12)(r);
    add_word(out, r, first);
    if (--left == 0 || out.size() >= target)
      out += marks[std::uniform_int_distribution<int>(0, 4)(r)];
  } while (out.size() < target);
  return out;
}

workload::workload(workload_options o)
  : opts_(std::move(o)), rng_(opts_.seed),
    activity_(static_cast<std::size_t>(std::max<std::int64_t>(1, opts_.chats)),
              opts_.zipf) {
  chats_.reserve(static_cast<std::size_t>(opts_.chats));
  for (std::int64_t i = 0; i < opts_.chats; ++i)
    chats_.push_back(make_chat(static_cast<std::size_t>(i)));
}

sim_chat workload::make_chat(std::size_t index) {
  std::vector<double> weights;
  for (const auto& p : opts_.platforms)
    weights.push_back(p.weight);
  sim_chat c;
  c.base.platform = opts_.platforms[weighted_choice(weights)(rng_)].platform;
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  c.base.type = u < opts_.groups                   ? core::chat_type::group
                : u < opts_.groups + opts_.threads ? core::chat_type::thread
                                                   : core::chat_type::dm;
  auto id = std::to_string(index + 1);
  c.base.chat_id = "c" + id;
  int people = 1;
  if (c.base.type == core::chat_type::group) {
    c.base.chat_name = "Group " + id;
    people = std::uniform_int_distribution<int>(2, 6)(rng_);
  } else if (c.base.type == core::chat_type::thread) {
    c.base.thread_id = "t" + id;
    people = std::uniform_int_distribution<int>(1, 3)(rng_);
  }
  for (int p = 0; p < people; ++p)
    c.people.push_back({"u" + id + "_" + std::to_string(p),
                        "User " + id + "." + std::to_string(p)});
  return c;
}

turn workload::next() {
  turn t;
  t.chat = activity_(rng_);
  const auto& c = chats_[t.chat];
  const auto& who = c.people[std::uniform_int_distribution<std::size_t>(
    0, c.people.size() - 1)(rng_)];
  t.origin = c.base;
  t.origin.user_id = who.user_id;
  t.origin.user_name = who.user_name;
  t.user_text = make_text(rng_, opts_.message_bytes);
  if (std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < opts_.replies)
    t.reply_text = make_text(rng_, opts_.message_bytes);
  return t;
}

} // namespace switchboard::loadgen

#pragma once

// The load generator's workload model (pure, deterministic for a seed): the
// simulated chats (platform mix, chat types, participants), Zipf-distributed
// activity, and message texts made of common English words. No I/O here, so
// the tests compile this file on its own.

#include "core/result.hpp"
#include "core/source.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::loadgen {

using rng = std::mt19937_64;

struct platform_share {
  std::string platform;
  double weight = 0;
};

/// "telegram:40,discord:30": platform names ([a-z0-9_]+) with positive
/// weights. bad_request naming the faulty item otherwise.
core::result<std::vector<platform_share>>
parse_platform_mix(std::string_view text);

/// Draws ranks 0..n-1 with P(rank k) proportional to 1 / (k+1)^s (rank 0 is
/// the most active). s = 0 is uniform. REQUIRES: n > 0, s >= 0.
class zipf_sampler {
public:
  zipf_sampler(std::size_t n, double s);
  std::size_t operator()(rng& r) const;

private:
  std::vector<double> cdf_;
};

/// Draws an index of `weights` with probability proportional to its weight.
class weighted_choice {
public:
  explicit weighted_choice(const std::vector<double>& weights);
  std::size_t operator()(rng& r) const;

private:
  std::vector<double> cdf_;
};

/// A text of about `bytes` bytes (at least one word) of common English
/// words, sentence-cased with punctuation.
std::string make_text(rng& r, std::size_t bytes);

/// The embedded word list (a few hundred common English words).
const std::vector<std::string_view>& common_words();

struct participant {
  std::string user_id;
  std::string user_name;
};

/// One simulated chat: its source without the speaker, and who speaks in it.
struct sim_chat {
  core::source base;
  std::vector<participant> people;
};

struct workload_options {
  std::int64_t chats = 1000;
  std::size_t message_bytes = 200;
  std::vector<platform_share> platforms = {
    {"telegram", 40}, {"discord", 30}, {"slack", 20}, {"whatsapp", 10}};
  double groups = 0.3;  // share of group chats
  double threads = 0.1; // share of thread chats
  double zipf = 1.1;    // activity skew
  double replies = 0.5; // share of user messages answered (with usage)
  std::uint64_t seed = 1;
};

/// One step of a conversation: a user message, maybe an assistant reply
/// followed by a usage update.
struct turn {
  std::size_t chat = 0;
  core::source origin; // the chat's source with the speaker filled in
  std::string user_text;
  std::optional<std::string> reply_text;
};

/// The deterministic sequence of turns for the options' seed.
/// Not thread-safe: callers serialize next().
class workload {
public:
  explicit workload(workload_options o);

  const std::vector<sim_chat>& chats() const { return chats_; }
  const workload_options& options() const { return opts_; }
  /// The next turn of the sequence.
  turn next();

private:
  sim_chat make_chat(std::size_t index);

  workload_options opts_;
  rng rng_;
  std::vector<sim_chat> chats_;
  zipf_sampler activity_;
};

} // namespace switchboard::loadgen

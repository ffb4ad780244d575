#pragma once

// A short load run over 20 small chats, for the driver and target tests.

#include "loadgen/run.hpp"

namespace switchboard::loadgen::testing {

struct small_load {
  std::int64_t messages = 100;
  int concurrency = 4;
  int batch = 0;
  double rate = 0;
  double replies = 0; // share of turns with an assistant reply and usage
};

inline void run_small(target& t, const small_load& l, run_result& out) {
  workload_options w;
  w.chats = 20;
  w.replies = l.replies;
  w.message_bytes = 50;
  workload work{w};
  run_options o;
  o.messages = l.messages;
  o.concurrency = l.concurrency;
  o.batch = l.batch;
  o.rate = l.rate;
  run_load(t, work, o, out);
}

} // namespace switchboard::loadgen::testing

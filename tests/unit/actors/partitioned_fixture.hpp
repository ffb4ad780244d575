#pragma once

// The partitioned engine tests' fixture: P = 4 real local engines (each on
// its own temporary data dir, one manual clock) behind one
// partitioned_engine, and a plain engine for comparisons. Session ids are
// made from a counter per side (the 4 partitions share one), so the same
// workload run in the same order into both sides makes the same ids.

#include "actors/partitioned_engine.hpp"
#include "core/partition_rules.hpp"
#include "core/session_key.hpp"
#include "engine_fixture.hpp"

#include <atomic>

namespace switchboard::actors::testing {

class PartitionedTest : public EngineTest {
protected:
  static constexpr int P = 4;

  void TearDown() override {
    if (part_)
      part_->stop();
    part_.reset();
    single_.reset();
    files_.clear();
    EngineTest::TearDown();
  }

  static core::random_source counter() {
    auto n = std::make_shared<std::atomic<std::uint32_t>>(0);
    return [n] {
      return n->fetch_add(1) * 2654435761u + 12345u;
    };
  }

  std::shared_ptr<testable_engine> start_file(const std::string& sub,
                                              core::random_source rnd) {
    auto cfg = cfg_;
    cfg.data_dir = dir_ + "/" + sub;
    auto opts = opts_;
    opts.random = std::move(rnd);
    auto e = start_with(cfg, clock_, opts);
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.err().message);
    return e.ok() ? std::shared_ptr<testable_engine>(std::move(*e)) : nullptr;
  }

  /// The partitioned engine with every slot a local engine ("p0".."p3").
  partitioned_engine& start_partitioned() {
    part_ = std::make_shared<partitioned_engine>(cfg_, clock_, P, 2);
    auto rnd = counter();
    files_.clear();
    for (int p = 0; p < P; ++p) {
      files_.push_back(start_file("p" + std::to_string(p), rnd));
      part_->set_slot(p, files_.back());
    }
    return *part_;
  }
  engine& start_single() {
    single_ = start_file("single", counter());
    return *single_;
  }

  int partition_of(const std::string& key) const {
    return core::partition_of(key, P);
  }
  /// A source on `platform` whose key lands in partition `p` (chat ids
  /// c<from>, c<from+1>, ... tried in order).
  core::source source_in(int p, const std::string& platform = "telegram",
                         int from = 0) {
    for (int i = from;; ++i) {
      auto s = on(platform, "c" + std::to_string(i));
      s.user_id = "u1";
      if (partition_of(key_of(s)) == p)
        return s;
    }
  }

  void tick() { clock_->advance(std::chrono::seconds(1)); }

  static core::result<route_reply> route_on(engine& e, core::source s,
                                            std::optional<std::string> text) {
    std::optional<core::message> m;
    if (text)
      m = user_msg(*text);
    return wait_for<route_reply>([&](completion<route_reply> d) {
      e.route({std::move(s), std::move(m)}, std::move(d));
    });
  }

  /// Runs fn on e's reader (plain or partitioned) and waits.
  template <class F>
  static auto read_on(engine& e, F fn)
    -> decltype(fn(std::declval<core::store_reader&>())) {
    using R = decltype(fn(std::declval<core::store_reader&>()));
    std::promise<R> p;
    auto f = p.get_future();
    e.read([&](core::store_reader& r) { p.set_value(fn(r)); });
    return f.get();
  }

  std::shared_ptr<partitioned_engine> part_;
  std::vector<std::shared_ptr<testable_engine>> files_;
  std::shared_ptr<testable_engine> single_;
};

} // namespace switchboard::actors::testing

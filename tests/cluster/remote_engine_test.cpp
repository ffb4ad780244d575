// cluster::remote_engine against a real engine behind an rpc_server, across
// two servers of a NATS cluster: every engine operation and every reader
// method gives what the engine gives when called directly (compared as
// JSON), errors keep code and message, events of the partition reach a
// subscriber, and many calls in flight all complete.

#include "tests/cluster/rpc_test_util.hpp"

#include "core/session_key.hpp"

namespace switchboard::testing {
namespace {

using actors::completion;
using cluster::rpc::encode;
using json = nlohmann::json;

core::source chat(std::string id) {
  core::source s;
  s.platform = "telegram";
  s.chat_id = std::move(id);
  s.user_id = "42";
  return s;
}

core::message said(std::string role, std::string text) {
  core::message m;
  m.role = std::move(role);
  m.content = std::move(text);
  return m;
}

class RemoteEngineTest : public ForwardingTest {
protected:
  std::string key(const core::source& s) {
    return core::build_session_key(s, cfg_.keys);
  }

  /// Runs `op` through the proxy and on the direct engine; the two
  /// results must encode the same. Returns the proxy's (a plain struct:
  /// most callers only compare).
  template <class T>
  struct kept {
    core::result<T> r;
  };
  template <class T>
  kept<T> same(const char* what,
               std::function<void(actors::engine&, completion<T>)> op) {
    auto via = wait_for<T>([&](completion<T> d) { op(*remote_, d); });
    auto direct = wait_for<T>([&](completion<T> d) { op(*direct_, d); });
    EXPECT_EQ(encode(via), encode(direct)) << what;
    return {std::move(via)};
  }

  /// A reader method through the proxy and on the engine behind it.
  template <class F>
  void same_read(const char* what, F fn) {
    EXPECT_EQ(read_json(*remote_, fn), read_json(*local_, fn)) << what;
  }

  /// The operations of the script below, on both engines.
  void run_script();
  std::string first_session_;
};

void RemoteEngineTest::run_script() {
  using actors::route_reply;
  using core::session_entry;
  auto k1 = key(chat("1")), k2 = key(chat("2"));
  auto r = same<route_reply>("route", [](auto& e, auto d) {
    e.route({chat("1"), said("user", "hi")}, d);
  });
  ASSERT_TRUE(r.r) << r.r.err().message;
  first_session_ = r.r->session_id;
  same<route_reply>("route with a request_id", [](auto& e, auto d) {
    e.route({chat("1"), said("user", "again"), false, "req-1"}, d);
  });
  auto dup = same<route_reply>("its repeat", [](auto& e, auto d) {
    e.route({chat("1"), said("user", "again"), false, "req-1"}, d);
  });
  EXPECT_TRUE(dup.r && dup.r->duplicate);
  same<route_reply>("route without a message", [](auto& e, auto d) {
    e.route({chat("2"), std::nullopt}, d);
  });

  using batch = std::vector<core::result<route_reply>>;
  auto batch_of = [](actors::engine& e) {
    auto p = std::make_shared<std::promise<batch>>();
    auto f = p->get_future();
    // One key: its items run in order on both sides, so both engines draw
    // their session ids' random bits in the same order (two keys' writes
    // reach the writer in either order, and the ids then differ).
    e.route_batch({{chat("3"), said("user", "a")},
                   {chat("3"), said("user", "b")},
                   {chat("3"), std::nullopt, true}},
                  [p](batch b) { p->set_value(std::move(b)); });
    EXPECT_EQ(f.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    return encode(f.get());
  };
  EXPECT_EQ(batch_of(*remote_), batch_of(*direct_)) << "route_batch";

  same<actors::append_reply>("append", [&](auto& e, auto d) {
    e.append(k1, said("assistant", "hello"), d);
  });
  same<actors::append_reply>("append with a request_id", [&](auto& e, auto d) {
    e.append(k1, said("user", "x"), d, std::string("app-1"));
  });
  same<actors::append_reply>("append to no key", [](auto& e, auto d) {
    e.append("agent:main:nobody", said("user", "x"), d);
  });
  core::usage_update u;
  u.input_tokens = 10;
  u.output_tokens = 5;
  u.estimated_cost_usd = 0.25;
  u.model = "m1";
  same<session_entry>("update_usage",
                      [&](auto& e, auto d) { e.update_usage(k1, u, d); });
  auto titled = same<session_entry>("reset with a title", [&](auto& e, auto d) {
    e.reset(k1, std::string("Title One"), d);
  });
  same<session_entry>("switch_to by id", [&](auto& e, auto d) {
    e.switch_to(k1, {first_session_, std::nullopt}, d);
  });
  same<session_entry>("switch_to by title", [&](auto& e, auto d) {
    e.switch_to(k1, {std::nullopt, std::string("Title One")}, d);
  });
  auto missing = same<session_entry>("switch_to nothing", [&](auto& e, auto d) {
    e.switch_to(k1, {std::string("nope"), std::nullopt}, d);
  });
  EXPECT_FALSE(missing.r);
  same<session_entry>("switch_to another key's", [&](auto& e, auto d) {
    e.switch_to(k2, {first_session_, std::nullopt}, d);
  });
  same<session_entry>("set_busy",
                      [&](auto& e, auto d) { e.set_busy(k1, true, 60.0, d); });
  same<session_entry>("set_busy off", [&](auto& e, auto d) {
    e.set_busy(k1, false, std::nullopt, d);
  });
  same<actors::rewrite_reply>("rewrite_transcript", [&](auto& e, auto d) {
    e.rewrite_transcript(k1, {said("user", "q"), said("assistant", "a")}, d);
  });
  same<session_entry>("get_entry",
                      [&](auto& e, auto d) { e.get_entry(k1, d); });
  auto none = same<session_entry>("get_entry of no key", [](auto& e, auto d) {
    e.get_entry("agent:main:nobody", d);
  });
  EXPECT_FALSE(none.r);
  same<std::optional<std::string>>("set_title", [&](auto& e, auto d) {
    e.set_title(first_session_, "First", d);
  });
  auto taken =
    same<std::optional<std::string>>("set_title taken", [&](auto& e, auto d) {
      e.set_title(first_session_, "Title One", d);
    });
  EXPECT_FALSE(taken.r);
  ASSERT_TRUE(titled.r);
  same<actors::expire_reply>(
    "expire_key", [&](auto& e, auto d) { e.expire_key(k2, std::nullopt, d); });
  same<actors::expire_reply>("expire_key again", [&](auto& e, auto d) {
    e.expire_key(k2, std::nullopt, d);
  });
  clock_->advance(std::chrono::hours(49));
  same<actors::sweep_report>("expire_now",
                             [](auto& e, auto d) { e.expire_now(d); });
  same<actors::prune_report>("prune dry", [](auto& e, auto d) {
    e.prune({0, std::nullopt, true}, d);
  });
  same<actors::prune_report>("prune", [](auto& e, auto d) {
    e.prune({0, std::string("telegram"), false}, d);
  });
  same<actors::prune_report>("apply_retention",
                             [](auto& e, auto d) { e.apply_retention(d); });
  same<bool>("delete_session", [&](auto& e, auto d) {
    e.delete_session(titled.r->session_id, d);
  });
  same<bool>("delete_session of none",
             [](auto& e, auto d) { e.delete_session("nope", d); });
}

TEST_F(RemoteEngineTest, EveryOperationAnswersAsTheEngineDoes) {
  run_script();
}

TEST_F(RemoteEngineTest, EveryReaderMethodAnswersAsTheEngineDoes) {
  run_script();
  // A live session with messages and a title (the script's first session
  // is pruned by now).
  auto k1 = key(chat("r"));
  auto r =
    wait_for<actors::route_reply>([&](completion<actors::route_reply> d) {
      remote_->route({chat("r"), said("user", "hello world")}, d);
    });
  ASSERT_TRUE(r) << r.err().message;
  auto id = r->session_id;
  ASSERT_TRUE(
    wait_for<actors::append_reply>([&](completion<actors::append_reply> d) {
      remote_->append(k1, said("assistant", "hello there"), d);
    }));
  ASSERT_TRUE(wait_for<std::optional<std::string>>(
    [&](completion<std::optional<std::string>> d) {
      remote_->set_title(id, "Reader", d);
    }));
  using R = core::store_reader;
  same_read("get_entry", [&](R& r) { return r.get_entry(k1); });
  same_read("get_entry none", [](R& r) { return r.get_entry("nobody"); });
  core::entry_list_query q;
  same_read("list_entries", [&](R& r) { return r.list_entries(q); });
  q.platform = "telegram";
  q.sort = core::entry_sort::tokens;
  q.ascending = true;
  same_read("list_entries sorted", [&](R& r) { return r.list_entries(q); });
  same_read("count_entries", [&](R& r) { return r.count_entries(q); });
  auto later = clock_->now() + std::chrono::hours(1000);
  same_read("scan_expiry_candidates",
            [&](R& r) { return r.scan_expiry_candidates(later, 10); });
  same_read("entry_count", [](R& r) { return r.entry_count(); });
  same_read("scan_deferred_candidates",
            [&](R& r) { return r.scan_deferred_candidates(later, 10); });
  same_read("get_session", [&](R& r) { return r.get_session(id); });
  same_read("get_session none", [](R& r) { return r.get_session("x"); });
  same_read("resolve_session_id",
            [&](R& r) { return r.resolve_session_id(id); });
  same_read("resolve_session_id ambiguous",
            [](R& r) { return r.resolve_session_id("2"); });
  same_read("resolve_session_id none",
            [](R& r) { return r.resolve_session_id("zzz"); });
  same_read("resolve_title", [](R& r) { return r.resolve_title("Reader"); });
  same_read("next_title", [](R& r) { return r.next_title("Reader"); });
  same_read("compression_tip", [&](R& r) { return r.compression_tip(id); });
  same_read("history", [](R& r) { return r.history({}); });
  same_read("session_count", [](R& r) { return r.session_count({}); });
  same_read("session_count of a source",
            [](R& r) { return r.session_count("telegram"); });
  same_read("select_prunable", [](R& r) {
    return r.select_prunable({std::nullopt, 1, {}});
  });
  same_read("usage", [](R& r) {
    return r.usage({std::nullopt, std::nullopt, core::usage_group::model});
  });
  same_read("transcript", [&](R& r) { return r.transcript(id, true); });
  same_read("transcript none", [](R& r) { return r.transcript("x", false); });
  core::search_query sq;
  sq.text = "hello";
  same_read("search", [&](R& r) { return r.search(sq); });
  same_read("export_session", [&](R& r) { return r.export_session(id); });
  same_read("export_session_all",
            [&](R& r) { return r.export_session_all(id); });
  same_read("export_all", [](R& r) {
    auto rows = json::array();
    auto s =
      r.export_all(std::nullopt, [&](const json& j) { rows.push_back(j); });
    return s ? core::result<json>(rows) : core::result<json>(s.err());
  });
  same_read("message_count", [&](R& r) { return r.message_count(id); });
  // Not all answers are empty: the live session is seen through the proxy.
  auto t = read_json(*remote_, [&](R& r) { return r.transcript(id, false); });
  EXPECT_EQ(t["ok"].size(), 2u) << t;
  auto found = read_json(*remote_, [&](R& r) { return r.search(sq); });
  EXPECT_EQ(found["ok"].size(), 2u) << found;
  same_read("message_count all",
            [](R& r) { return r.message_count(std::nullopt); });
}

TEST_F(RemoteEngineTest, ErrorsKeepTheirCodeAndMessage) {
  auto r =
    wait_for<core::session_entry>([&](completion<core::session_entry> d) {
      remote_->get_entry("nobody", d);
    });
  auto l = wait_for<core::session_entry>(
    [&](completion<core::session_entry> d) { local_->get_entry("nobody", d); });
  ASSERT_FALSE(r);
  ASSERT_FALSE(l);
  EXPECT_EQ(r.err(), l.err());
  EXPECT_EQ(r.err().code, core::errc::not_found);

  core::message bad;
  bad.role = "user";
  auto b =
    wait_for<actors::route_reply>([&](completion<actors::route_reply> d) {
      remote_->route({chat("9"), bad, false, std::string(300, 'x')}, d);
    });
  auto lb =
    wait_for<actors::route_reply>([&](completion<actors::route_reply> d) {
      direct_->route({chat("9"), bad, false, std::string(300, 'x')}, d);
    });
  EXPECT_EQ(encode(b), encode(lb));
}

TEST_F(RemoteEngineTest, EventsOfThePartitionReachSubscribers) {
  auto sub = remote_->subscribe(64);
  auto r =
    wait_for<actors::route_reply>([&](completion<actors::route_reply> d) {
      remote_->route({chat("ev"), said("user", "hi")}, d);
    });
  ASSERT_TRUE(r);
  std::vector<actors::event> got;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (got.empty() && std::chrono::steady_clock::now() < end) {
    auto more = sub->drain();
    got.insert(got.end(), more.begin(), more.end());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].type, "session_created");
  EXPECT_EQ(got[0].data.value("session_id", ""), r->session_id);
}

TEST_F(RemoteEngineTest, TwoHundredRoutesInFlightAllComplete) {
  constexpr int n = 200;
  std::vector<std::future<core::result<actors::route_reply>>> futures;
  for (int i = 0; i < n; ++i) {
    auto p =
      std::make_shared<std::promise<core::result<actors::route_reply>>>();
    futures.push_back(p->get_future());
    remote_->route({chat("c" + std::to_string(i)), said("user", "m")},
                   [p](auto r) { p->set_value(std::move(r)); });
  }
  std::set<std::string> keys;
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    auto r = f.get();
    ASSERT_TRUE(r) << r.err().message;
    EXPECT_TRUE(r->created);
    keys.insert(r->session_key);
  }
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(
    read_json(*local_, [](core::store_reader& r) { return r.entry_count(); }),
    (json{{"ok", n}}));
}

TEST_F(RemoteEngineTest, AnAnswerBeyondTheMaxPayloadIsPayloadTooLarge) {
  std::string id;
  for (int i = 0; i < 3; ++i) {
    auto r = wait_for<actors::route_reply>([&](completion<actors::route_reply>
                                                 d) {
      remote_->route({chat("big"), said("user", std::string(400000, 'a'))}, d);
    });
    ASSERT_TRUE(r) << r.err().message;
    id = r->session_id;
  }
  auto t = read_json(
    *remote_, [&](core::store_reader& r) { return r.transcript(id, false); });
  ASSERT_TRUE(t.contains("error")) << t.dump().substr(0, 200);
  EXPECT_EQ(t["error"]["code"], "payload_too_large");
  EXPECT_TRUE(t["error"]["message"].get<std::string>().starts_with("reply of "))
    << t["error"]["message"];
}

TEST_F(RemoteEngineTest, StopRefusesNewWorkAndEndsReads) {
  remote_->stop();
  auto r = wait_for<core::session_entry>(
    [&](completion<core::session_entry> d) { remote_->get_entry("k", d); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err(), core::overloaded("engine is stopping"));
  bool ran = false;
  remote_->read([&](core::store_reader&) { ran = true; });
  EXPECT_FALSE(ran);
}

/// The owner's flush hook blocks until released: an operation that waits
/// on it must not hold up other calls.
class BlockedOwnerTest : public RemoteEngineTest {
protected:
  struct gate {
    std::mutex mtx;
    std::condition_variable cv;
    bool open = false;
    int calls = 0;
  };
  void SetUp() override {
    cfg_.flush.min_messages = 1;
    ForwardingTest::SetUp();
  }
  void TearDown() override {
    release();
    ForwardingTest::TearDown();
  }
  actors::engine_options engine_options() override {
    actors::engine_options o;
    o.flush_hook = [g = gate_](const json&) {
      std::unique_lock lock(g->mtx);
      ++g->calls;
      g->cv.notify_all();
      g->cv.wait(lock, [&] { return g->open; });
      return core::status{};
    };
    return o;
  }
  void release() {
    std::lock_guard lock(gate_->mtx);
    gate_->open = true;
    gate_->cv.notify_all();
  }
  std::shared_ptr<gate> gate_ = std::make_shared<gate>();
};

TEST_F(BlockedOwnerTest, AnOperationWaitingOnTheEngineHoldsUpNoOtherCall) {
  ASSERT_TRUE(
    wait_for<actors::route_reply>([&](completion<actors::route_reply> d) {
      remote_->route({chat("slow"), said("user", "hi")}, d);
    }));
  auto p = std::make_shared<std::promise<core::result<actors::expire_reply>>>();
  auto f = p->get_future();
  remote_->expire_key(key(chat("slow")), std::nullopt,
                      [p](auto r) { p->set_value(std::move(r)); });
  {
    std::unique_lock lock(gate_->mtx);
    ASSERT_TRUE(gate_->cv.wait_for(lock, std::chrono::seconds(30),
                                   [&] { return gate_->calls > 0; }));
  }
  // The owner is waiting on its hook; other calls are answered meanwhile.
  for (int i = 0; i < 5; ++i) {
    auto r = wait_for<core::session_entry>(
      [&](completion<core::session_entry> d) { remote_->get_entry("x", d); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, core::errc::not_found) << r.err().message;
  }
  EXPECT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  release();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  auto r = f.get();
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_TRUE(r->flushed);
}

} // namespace
} // namespace switchboard::testing

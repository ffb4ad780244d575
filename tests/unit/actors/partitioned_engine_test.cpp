// The partitioned engine's operations: keyed routing and the batch split,
// operations by session id, the cross-partition switch, scatter
// operations, merged events, empty and replaced slots. P = 4 real local
// engines unless a test needs a controllable fake slot.

#include "partitioned_fixture.hpp"

namespace switchboard::actors::testing {
namespace {

using nlohmann::json;

/// A slot engine that holds every route completion until the test answers
/// it, hands out one subscription the test pushes into, and drops reads.
class fake_engine final : public engine {
public:
  std::mutex mtx;
  std::vector<completion<route_reply>> held;
  std::shared_ptr<subscription> sub;

  void answer_all(const std::string& session_id) {
    std::vector<completion<route_reply>> h;
    {
      std::lock_guard<std::mutex> lk(mtx);
      h.swap(held);
    }
    for (auto& d : h) {
      route_reply r;
      r.session_id = session_id;
      d(r);
    }
  }
  std::size_t waiting() {
    std::lock_guard<std::mutex> lk(mtx);
    return held.size();
  }

  void stop() override {}
  void route(route_request, completion<route_reply> done) override {
    std::lock_guard<std::mutex> lk(mtx);
    held.push_back(std::move(done));
  }
  void route_batch(
    std::vector<route_request>,
    std::function<void(std::vector<core::result<route_reply>>)> done) override {
    done({});
  }
  using engine::append;
  void append(std::string, core::message, completion<append_reply> done,
              std::optional<std::string>) override {
    done(no());
  }
  void update_usage(std::string, core::usage_update,
                    completion<core::session_entry> done) override {
    done(no());
  }
  void reset(std::string, std::optional<std::string>,
             completion<core::session_entry> done) override {
    done(no());
  }
  void switch_to(std::string, switch_target,
                 completion<core::session_entry> done) override {
    done(no());
  }
  void set_busy(std::string, bool, std::optional<double>,
                completion<core::session_entry> done) override {
    done(no());
  }
  void rewrite_transcript(std::string, std::vector<core::message>,
                          completion<rewrite_reply> done) override {
    done(no());
  }
  void get_entry(std::string, completion<core::session_entry> done) override {
    done(no());
  }
  void set_title(std::string, std::string,
                 completion<std::optional<std::string>> done) override {
    done(no());
  }
  void delete_session(std::string, completion<bool> done) override {
    done(no());
  }
  void expire_now(completion<sweep_report> done) override { done(no()); }
  void expire_key(std::string, std::optional<std::string>,
                  completion<expire_reply> done) override {
    done(no());
  }
  void prune(prune_request, completion<prune_report> done) override {
    done(no());
  }
  void apply_retention(completion<prune_report> done) override { done(no()); }
  void read(std::function<void(core::store_reader&)>) override {}
  std::shared_ptr<subscription> subscribe(std::size_t capacity) override {
    sub = std::make_shared<subscription>(capacity);
    return sub;
  }
  metrics_snapshot metrics() const override { return {}; }
  const core::settings& config() const override { return cfg; }
  const core::clock& now_source() const override { return clk; }

private:
  static core::error no() { return core::internal_error("fake"); }
  core::settings cfg;
  core::system_clock clk;
};

class PartitionedEngineTest : public PartitionedTest {
protected:
  core::result<route_reply> send(core::source s, std::string text,
                                 bool force_new = false) {
    tick();
    return wait_for<route_reply>([&](completion<route_reply> d) {
      part_->route({std::move(s), user_msg(std::move(text)), force_new}, d);
    });
  }
  json transcript_in(int p, const std::string& id) {
    return read_on(*files_[p], [&](core::store_reader& r) {
      auto t = r.transcript(id, false);
      return t ? *t : json();
    });
  }
  json row_in(int p, const std::string& id) {
    return read_on(*files_[p], [&](core::store_reader& r) {
      auto row = r.get_session(id);
      return row && *row ? **row : json();
    });
  }
};

TEST_F(PartitionedEngineTest, BatchKeepsInputOrderAndPerKeyOrder) {
  start_partitioned();
  std::vector<core::source> s;
  for (int p = 0; p < P; ++p)
    s.push_back(source_in(p));
  std::vector<std::pair<int, std::string>> items = {
    {0, "a1"}, {1, "b1"}, {2, "c1"}, {0, "a2"},
    {3, "d1"}, {1, "b2"}, {0, "a3"}};
  std::vector<route_request> reqs;
  for (const auto& [i, text] : items)
    reqs.push_back({s[i], user_msg(text)});
  std::promise<std::vector<core::result<route_reply>>> done;
  part_->route_batch(reqs, [&](auto rs) { done.set_value(std::move(rs)); });
  auto rs = done.get_future().get();
  ASSERT_EQ(rs.size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    ASSERT_TRUE(rs[i].ok()) << rs[i].err().message;
    EXPECT_EQ(rs[i]->session_key, key_of(s[items[i].first])) << i;
  }
  // Each key's messages in input order, in its partition's file.
  auto a = transcript_in(0, rs[0]->session_id);
  ASSERT_EQ(a.size(), 3u) << a;
  EXPECT_EQ(a[0]["content"], "a1");
  EXPECT_EQ(a[1]["content"], "a2");
  EXPECT_EQ(a[2]["content"], "a3");
  EXPECT_EQ(transcript_in(1, rs[1]->session_id).size(), 2u);
  EXPECT_EQ(transcript_in(3, rs[4]->session_id).size(), 1u);
}

TEST_F(PartitionedEngineTest, SessionIdOpsFindThePartition) {
  start_partitioned();
  auto in3 = send(source_in(3), "three");
  auto in2 = send(source_in(2), "two");
  ASSERT_TRUE(in3.ok() && in2.ok());
  auto titled = wait_for<std::optional<std::string>>(
    [&](auto d) { part_->set_title(in3->session_id, "Found it", d); });
  ASSERT_TRUE(titled.ok()) << titled.err().message;
  EXPECT_EQ(row_in(3, in3->session_id)["title"], "Found it");

  auto gone =
    wait_for<bool>([&](auto d) { part_->delete_session(in2->session_id, d); });
  ASSERT_TRUE(gone.ok()) << gone.err().message;
  EXPECT_TRUE(row_in(2, in2->session_id).is_null());
  EXPECT_FALSE(row_in(3, in3->session_id).is_null());

  auto missing =
    wait_for<bool>([&](auto d) { part_->delete_session("zz", d); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.err().code, core::errc::not_found);
  EXPECT_EQ(missing.err().message, "no session 'zz'");
}

TEST_F(PartitionedEngineTest, PrefixMatchingTwoPartitionsIsAmbiguous) {
  start_partitioned();
  // Same second: the two ids share their time prefix.
  auto a = route_on(*part_, source_in(1), "one");
  auto b = route_on(*part_, source_in(2), "two");
  ASSERT_TRUE(a.ok() && b.ok());
  auto prefix = a->session_id.substr(0, 16); // YYYYMMDD_HHMMSS_
  ASSERT_EQ(b->session_id.substr(0, 16), prefix);
  for (int p : {1, 2}) // each file alone has one match
    EXPECT_TRUE(read_on(*files_[p], [&](core::store_reader& r) {
      return r.resolve_session_id(prefix).ok();
    }));
  auto both = read_on(*part_, [&](core::store_reader& r) {
    auto x = r.resolve_session_id(prefix);
    return x ? std::string("resolved") : x.err().message;
  });
  EXPECT_NE(both.find("ambiguous session id prefix"), std::string::npos);
  EXPECT_NE(both.find(a->session_id), std::string::npos) << both;
  EXPECT_NE(both.find(b->session_id), std::string::npos) << both;
  // A longer prefix is unique again.
  auto one = read_on(*part_, [&](core::store_reader& r) {
    auto x = r.resolve_session_id(a->session_id.substr(0, 20));
    return x ? *x : x.err().message;
  });
  EXPECT_EQ(one, a->session_id);
}

TEST_F(PartitionedEngineTest,
       SwitchAcrossPartitionsIsRefusedAndChangesNothing) {
  start_partitioned();
  auto home = source_in(0);            // user u1, partition 0
  auto away = source_in(1);            // user u1, partition 1
  auto near = source_in(0, "telegram", // user u1, partition 0 again
                        std::stoi(home.chat_id->substr(1)) + 1);
  auto h = send(home, "home");
  auto a = send(away, "away");
  auto n = send(near, "near");
  ASSERT_TRUE(h.ok() && a.ok() && n.ok());
  auto sw = [&](const std::string& id, core::switch_scope scope) {
    return wait_for<core::session_entry>([&](auto d) {
      part_->switch_to(key_of(home), switch_target{id, std::nullopt, scope}, d);
    });
  };
  auto cross = sw(a->session_id, core::switch_scope::user);
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.err().code, core::errc::conflict);
  EXPECT_NE(cross.err().message.find("partition 1"), std::string::npos)
    << cross.err().message;
  auto by_key = sw(a->session_id, core::switch_scope::key);
  ASSERT_FALSE(by_key.ok());
  EXPECT_EQ(by_key.err().code, core::errc::forbidden);
  auto entry = wait_for<core::session_entry>(
    [&](auto d) { part_->get_entry(key_of(home), d); });
  EXPECT_EQ(entry->session_id, h->session_id); // nothing changed
  EXPECT_TRUE(row_in(1, a->session_id)["ended_at"].is_null());

  // Within the key's partition, by a prefix unique across all of them.
  auto same = sw(n->session_id.substr(0, 20), core::switch_scope::user);
  ASSERT_TRUE(same.ok()) << same.err().message;
  EXPECT_EQ(same->session_id, n->session_id);
}

TEST_F(PartitionedEngineTest, ScatterOperationsSumEveryPartition) {
  cfg_.retention.max_ended_sessions = 1; // per partition (documented)
  start_partitioned();
  std::vector<std::string> first_ids, oldest_of_each;
  for (int p = 0; p < P; ++p)
    for (int k = 0; k < 2; ++k) {
      auto r = send(source_in(p, "telegram", k * 1000), "hi");
      ASSERT_TRUE(r.ok());
      first_ids.push_back(r->session_id);
      if (k == 0)
        oldest_of_each.push_back(r->session_id);
    }
  for (int p = 0; p < P; ++p)
    for (int k = 0; k < 2; ++k)
      ASSERT_TRUE(send(source_in(p, "telegram", k * 1000), "again", true).ok());
  std::sort(first_ids.begin(), first_ids.end());
  auto dry = wait_for<prune_report>([&](auto d) {
    part_->prune(prune_request{0, std::nullopt, true}, d);
  });
  ASSERT_TRUE(dry.ok()) << dry.err().message;
  EXPECT_EQ(dry->pruned, 8);
  EXPECT_TRUE(dry->dry_run);
  EXPECT_EQ(dry->session_ids, first_ids); // oldest first across partitions

  // Retention keeps the newest ended session of each partition.
  auto kept =
    wait_for<prune_report>([&](auto d) { part_->apply_retention(d); });
  ASSERT_TRUE(kept.ok()) << kept.err().message;
  std::sort(oldest_of_each.begin(), oldest_of_each.end());
  EXPECT_EQ(kept->pruned, 4);
  EXPECT_FALSE(kept->dry_run);
  EXPECT_EQ(kept->session_ids, oldest_of_each);

  clock_->advance(std::chrono::hours(25)); // every session idle
  auto sweep = wait_for<sweep_report>([&](auto d) { part_->expire_now(d); });
  ASSERT_TRUE(sweep.ok());
  EXPECT_EQ(sweep->expired, 8);

  std::int64_t routed = 0;
  for (auto& f : files_)
    routed += f->metrics().messages_routed;
  EXPECT_EQ(routed, 16);
  auto m = part_->metrics();
  EXPECT_EQ(m.messages_routed, 16);
  EXPECT_EQ(m.sessions_expired, 8);
  EXPECT_EQ(m.sessions_pruned, 4);
  EXPECT_GT(m.writer_batch_size.count, 0u);
}

TEST_F(PartitionedEngineTest, EventsOfEveryPartitionMerge) {
  start_partitioned();
  auto sub = part_->subscribe(100);
  std::set<std::string> want;
  for (int p = 0; p < P; ++p) {
    auto r = send(source_in(p), "hi");
    ASSERT_TRUE(r.ok());
    want.insert(r->session_key);
  }
  std::set<std::string> seen;
  EXPECT_TRUE(eventually([&] {
    for (auto& e : sub->drain())
      if (e.type == "session_created")
        seen.insert(e.data.value("session_key", ""));
    return seen == want;
  }));
  // A consumer that falls behind is dropped as by one engine.
  auto slow = part_->subscribe(2);
  for (int p = 0; p < P; ++p)
    ASSERT_TRUE(send(source_in(p, "discord"), "new").ok());
  std::vector<event> got;
  EXPECT_TRUE(eventually([&] {
    for (auto& e : slow->drain())
      got.push_back(e);
    return slow->closed() && !got.empty() &&
           got.back().type == "subscriber_dropped";
  }));
}

TEST_F(PartitionedEngineTest, ASlotSubscriptionDropClosesTheMergedOne) {
  part_ = std::make_shared<partitioned_engine>(cfg_, clock_, 2, 1);
  auto a = std::make_shared<fake_engine>();
  auto b = std::make_shared<fake_engine>();
  part_->set_slot(0, a);
  part_->set_slot(1, b);
  auto sub = part_->subscribe(10);
  ASSERT_TRUE(a->sub && b->sub);
  a->sub->push({"session_created", {{"n", 1}}});
  b->sub->push({"subscriber_dropped", json::object()});
  auto got = sub->drain();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, "session_created");
  EXPECT_EQ(got[1].type, "subscriber_dropped");
  EXPECT_TRUE(sub->closed());
  EXPECT_TRUE(a->sub->closed()); // the other slot lets go too
}

TEST_F(PartitionedEngineTest, AnEmptySlotAnswersOverloaded) {
  start_partitioned();
  part_->set_slot(2, nullptr);
  auto r = send(source_in(2), "hi");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, core::errc::overloaded);
  EXPECT_EQ(r.err().message, "partition 2 has no owner yet");
  EXPECT_TRUE(send(source_in(0), "hi").ok());

  std::promise<std::vector<core::result<route_reply>>> done;
  part_->route_batch(
    {{source_in(1), user_msg("x")}, {source_in(2), user_msg("y")}},
    [&](auto rs) { done.set_value(std::move(rs)); });
  auto rs = done.get_future().get();
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_TRUE(rs[0].ok());
  ASSERT_FALSE(rs[1].ok());
  EXPECT_EQ(rs[1].err().code, core::errc::overloaded);

  auto listed = read_on(*part_, [](core::store_reader& r) {
    auto x = r.list_entries({});
    return x ? std::string("ok") : x.err().message;
  });
  EXPECT_EQ(listed, "partition 2 has no owner yet");
  auto sweep = wait_for<sweep_report>([&](auto d) { part_->expire_now(d); });
  ASSERT_FALSE(sweep.ok());
  EXPECT_EQ(sweep.err().code, core::errc::overloaded);
}

TEST_F(PartitionedEngineTest, AStoppedSlotFailsAReadInsteadOfHangingIt) {
  start_partitioned();
  files_[3]->stop(); // drops every read from now on
  auto listed = read_on(*part_, [](core::store_reader& r) {
    auto x = r.entry_count();
    return x ? std::string("ok") : x.err().message;
  });
  EXPECT_EQ(listed, "partition 3 is stopping");
}

TEST_F(PartitionedEngineTest, AReplacedSlotFinishesWhatItWasSent) {
  part_ = std::make_shared<partitioned_engine>(cfg_, clock_, 1, 1);
  auto old_one = std::make_shared<fake_engine>();
  auto new_one = std::make_shared<fake_engine>();
  part_->set_slot(0, old_one);
  std::promise<std::string> first, second;
  part_->route({telegram_dm(), std::nullopt}, [&](core::result<route_reply> r) {
    first.set_value(r->session_id);
  });
  EXPECT_EQ(part_->set_slot(0, new_one), old_one);
  part_->route({telegram_dm(), std::nullopt}, [&](core::result<route_reply> r) {
    second.set_value(r->session_id);
  });
  EXPECT_EQ(old_one->waiting(), 1u);
  EXPECT_EQ(new_one->waiting(), 1u);
  new_one->answer_all("from-new");
  old_one->answer_all("from-old");
  EXPECT_EQ(first.get_future().get(), "from-old");
  EXPECT_EQ(second.get_future().get(), "from-new");
}

TEST_F(PartitionedEngineTest, AReplacedSlotServesTheNewFile) {
  start_partitioned();
  auto s = source_in(1);
  auto before = send(s, "old file");
  ASSERT_TRUE(before.ok());
  auto fresh = start_file("p1-new", counter());
  auto old = part_->set_slot(1, fresh);
  EXPECT_EQ(old, files_[1]);
  old->stop();
  auto after = send(s, "new file");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->created); // the new file had no entry for the key
  EXPECT_EQ(read_on(*fresh,
                    [&](core::store_reader& r) {
                      return *r.message_count(std::nullopt);
                    }),
            1);
  files_[1] = fresh; // so TearDown and the fixture see the current slot
}

} // namespace
} // namespace switchboard::actors::testing

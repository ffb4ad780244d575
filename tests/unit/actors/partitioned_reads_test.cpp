// The partitioned engine's reads against one plain engine: the same
// workload (same times, same session ids) run into both, then every read
// compared as JSON. What is exact must be equal; relevance search is
// compared as a set (its order is approximate by contract).

#include "partitioned_fixture.hpp"

namespace switchboard::actors::testing {
namespace {

using nlohmann::json;

constexpr int keys = 24;

class PartitionedReadsTest : public PartitionedTest {
protected:
  core::source source_of(int i) {
    static const char* platforms[] = {"telegram", "discord", "slack"};
    auto s = on(platforms[i % 3], "c" + std::to_string(i));
    s.user_id = "u" + std::to_string(i % 4);
    return s;
  }

  template <class T>
  void ok(engine& e, std::function<void(engine&, completion<T>)> call) {
    tick();
    auto r = wait_for<T>([&](completion<T> d) { call(e, std::move(d)); });
    ASSERT_TRUE(r.ok()) << r.err().message;
  }

  /// Messages, usage, titles (a lineage across partitions), resets and
  /// forced new sessions, one second apart from a fixed start.
  void workload(engine& e) {
    clock_->set(at("2026-11-21T10:00:00Z"));
    for (int i = 0; i < keys; ++i) {
      tick();
      ASSERT_TRUE(route_on(e, source_of(i),
                           "hello alpha " + std::to_string(i) +
                             (i % 2 ? " shared words" : " other text"))
                    .ok());
    }
    for (int i = 0; i < keys; i += 2)
      ok<append_reply>(e, [&](engine& en, auto d) {
        en.append(key_of(source_of(i)),
                  user_msg("beta gamma alpha " + std::to_string(i)), d);
      });
    for (int i = 0; i < keys; i += 3)
      ok<core::session_entry>(e, [&](engine& en, auto d) {
        core::usage_update u;
        u.input_tokens = 100 + i;
        u.output_tokens = 10;
        u.model = i % 2 ? "m1" : "m2";
        u.estimated_cost_usd = 0.25;
        en.update_usage(key_of(source_of(i)), u, d);
      });
    const char* titles[] = {"plan", "plan #2", "plan #3", "topic x"};
    for (int i = 0; i < 4; ++i)
      ok<core::session_entry>(e, [&](engine& en, auto d) {
        en.reset(key_of(source_of(i * 5 + 1)), std::string(titles[i]), d);
      });
    for (int i = 2; i < keys; i += 6) {
      tick();
      auto r = wait_for<route_reply>([&](completion<route_reply> d) {
        e.route({source_of(i), user_msg("after reset delta"), true}, d);
      });
      ASSERT_TRUE(r.ok());
    }
  }

  /// Runs the workload into a plain engine and into the partitioned one.
  void SetUp() override {
    PartitionedTest::SetUp();
    start_single();
    workload(*single_);
    start_partitioned();
    workload(*part_);
    // Restart both on their files: the exit fold makes the derived state
    // (updated_at) exact in the rows. Before it, a file lists entries in
    // the order of the stored updated_at while it reports the exact one,
    // and the fold's timing decided whether the two sides agreed.
    single_->stop();
    part_->stop();
    start_single();
    start_partitioned();
  }

  /// fn's JSON on both sides; they must be equal.
  template <class F>
  void same(F fn, const std::string& what) {
    auto one = read_on(*single_, fn);
    auto parts = read_on(*part_, fn);
    EXPECT_EQ(one, parts) << what;
    EXPECT_FALSE(one.is_null()) << what;
  }
};

json entries_json(const core::result<std::vector<core::session_entry>>& r) {
  if (!r)
    return {{"error", r.err().message}};
  json out = json::array();
  for (const auto& e : *r)
    out.push_back(core::to_api_json(e));
  return out;
}

template <class T>
json plain_json(const T& v) {
  return json(v);
}
template <class T>
json plain_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <class T>
json value_json(const core::result<T>& r) {
  if (!r)
    return {{"error", r.err().message},
            {"code", std::string(core::to_string(r.err().code))}};
  return plain_json(*r);
}

/// Search hits without the message id (it is per file).
json hits_json(const core::result<json>& r) {
  if (!r)
    return {{"error", r.err().message}};
  auto out = *r;
  for (auto& h : out)
    h.erase("id");
  return out;
}

/// An exported session without its messages' ids (they are per file).
json without_message_ids(json exported) {
  if (exported.contains("messages"))
    for (auto& m : exported["messages"])
      m.erase("id");
  return exported;
}

TEST_F(PartitionedReadsTest, KeysLandInTheFileOfTheirPartition) {
  for (int i = 0; i < keys; ++i) {
    auto key = key_of(source_of(i));
    for (int p = 0; p < P; ++p) {
      auto e = read_on(*files_[p], [&](core::store_reader& r) {
        auto x = r.get_entry(key);
        return x.ok() && x->has_value();
      });
      EXPECT_EQ(e, p == partition_of(key)) << key << " in p" << p;
    }
  }
  // The workload spread over every partition.
  for (int p = 0; p < P; ++p)
    EXPECT_GT(read_on(*files_[p],
                      [](core::store_reader& r) { return *r.entry_count(); }),
              0);
}

TEST_F(PartitionedReadsTest, EntryListsAndCountsEqualOneFile) {
  std::vector<core::entry_list_query> qs(8);
  qs[1].limit = 5;
  qs[1].offset = 3;
  qs[2].sort = core::entry_sort::created;
  qs[2].ascending = true;
  qs[2].limit = 7;
  qs[2].offset = 2;
  qs[3].sort = core::entry_sort::tokens;
  qs[3].limit = 6;
  qs[4].platform = "discord";
  qs[5].text = "plan";
  qs[6].offset = 20;
  qs[6].limit = 10;
  qs[7].offset = 12; // deeper than any partition's share of the page
  qs[7].limit = 3;
  for (std::size_t i = 0; i < qs.size(); ++i) {
    same(
      [&](core::store_reader& r) {
        return entries_json(r.list_entries(qs[i]));
      },
      "list_entries " + std::to_string(i));
    same(
      [&](core::store_reader& r) {
        auto c = r.count_entries(qs[i]);
        return json{{"total", c->total},
                    {"by_platform", c->by_platform},
                    {"tokens", c->total_tokens},
                    {"cost", c->estimated_cost_usd}};
      },
      "count_entries " + std::to_string(i));
  }
  same([](core::store_reader& r) { return value_json(r.entry_count()); },
       "entry_count");
  same(
    [&](core::store_reader& r) {
      json out = json::array();
      for (auto limit : {1000, 3}) {
        auto c = r.scan_expiry_candidates(clock_->now(), limit);
        if (!c)
          return json{{"error", c.err().message}};
        for (const auto& x : c.value())
          out.push_back({x.entry.session_key, x.message_count});
      }
      return out;
    },
    "scan_expiry_candidates");
}

TEST_F(PartitionedReadsTest, HistoryEqualsOneFile) {
  std::vector<core::history_query> qs(8);
  qs[0].limit = 100;
  qs[1].limit = 5;
  qs[2].limit = 4;
  qs[2].offset = 6;
  qs[3].source = "slack";
  qs[4].exclude_sources = {"telegram"};
  qs[5].user_id = "u1";
  qs[6].session_key = key_of(source_of(2));
  qs[7].offset = 14;
  qs[7].limit = 3;
  for (std::size_t i = 0; i < qs.size(); ++i)
    same([&](core::store_reader& r) { return value_json(r.history(qs[i])); },
         "history " + std::to_string(i));
  same(
    [](core::store_reader& r) {
      return json{*r.session_count(std::nullopt), *r.session_count("discord"),
                  *r.message_count(std::nullopt)};
    },
    "counts");
}

TEST_F(PartitionedReadsTest, SearchNewestAndOldestEqualOneFile) {
  std::vector<core::search_query> qs(6);
  qs[0].text = "alpha";
  qs[0].order = core::search_order::newest;
  qs[0].limit = 5;
  qs[0].offset = 2;
  qs[1].text = "alpha";
  qs[1].order = core::search_order::oldest;
  qs[1].limit = 100;
  qs[2].text = "beta";
  qs[2].order = core::search_order::newest;
  qs[3].text = "alpha";
  qs[3].order = core::search_order::oldest;
  qs[3].sources = {"discord"};
  qs[4].text = "shared";
  qs[4].order = core::search_order::newest;
  qs[4].offset = 3;
  qs[4].limit = 3;
  qs[5].text = "alpha";
  qs[5].order = core::search_order::newest;
  qs[5].offset = 100; // past the end
  for (std::size_t i = 0; i < qs.size(); ++i)
    same([&](core::store_reader& r) { return hits_json(r.search(qs[i])); },
         "search " + std::to_string(i));
}

TEST_F(PartitionedReadsTest, RelevanceSearchFindsTheSameHits) {
  core::search_query q;
  q.text = "alpha";
  q.limit = 100;
  auto sorted_hits = [&](core::store_reader& r) {
    auto hits = hits_json(r.search(q));
    std::vector<std::string> out;
    for (auto& h : hits)
      out.push_back(h.dump());
    std::sort(out.begin(), out.end());
    return json(out);
  };
  same(sorted_hits, "relevance hits as a set");
  // A page holds the requested number of hits.
  q.limit = 4;
  q.offset = 2;
  EXPECT_EQ(
    read_on(*part_, [&](core::store_reader& r) { return r.search(q)->size(); }),
    4u);
}

TEST_F(PartitionedReadsTest, UsageEqualsOneFile) {
  for (auto g : {core::usage_group::day, core::usage_group::platform,
                 core::usage_group::model})
    same(
      [&](core::store_reader& r) {
        core::usage_query q;
        q.group_by = g;
        json out = json::array();
        auto rows = r.usage(q);
        if (!rows)
          return json{{"error", rows.err().message}};
        for (const auto& row : rows.value())
          out.push_back({row.group, row.input_tokens, row.output_tokens,
                         row.estimated_cost_usd, row.updates});
        return out;
      },
      "usage");
}

TEST_F(PartitionedReadsTest, IdsTitlesAndSessionsEqualOneFile) {
  auto some_id = read_on(*single_, [&](core::store_reader& r) {
    return (*r.get_entry(key_of(source_of(7))))->session_id;
  });
  auto lookups = [&](core::store_reader& r) {
    json out;
    out["exact"] = value_json(r.resolve_session_id(some_id));
    out["unique"] =
      value_json(r.resolve_session_id(some_id.substr(0, some_id.size() - 1)));
    // Sessions started within ten seconds share this prefix: ambiguous, the
    // candidates newest first; a minute's prefix lists 10 and "...".
    out["ten"] =
      value_json(r.resolve_session_id(some_id.substr(0, some_id.size() - 10)));
    out["minute"] =
      value_json(r.resolve_session_id(some_id.substr(0, some_id.size() - 11)));
    out["none"] = value_json(r.resolve_session_id("zzz"));
    out["plan"] = value_json(r.resolve_title("plan"));
    out["topic"] = value_json(r.resolve_title("topic x"));
    out["no title"] = value_json(r.resolve_title("nope"));
    out["next plan"] = value_json(r.next_title("plan"));
    out["next plan #2"] = value_json(r.next_title("plan #2"));
    out["next free"] = value_json(r.next_title("free"));
    out["next topic"] = value_json(r.next_title("topic x"));
    out["session"] = value_json(r.get_session(some_id));
    out["transcript"] = value_json(r.transcript(some_id, true));
    out["export"] = without_message_ids(value_json(r.export_session(some_id)));
    out["export all rows"] =
      without_message_ids(value_json(r.export_session_all(some_id)));
    out["tip"] = value_json(r.compression_tip(some_id));
    out["missing"] = value_json(r.transcript("nope", false));
    out["messages of one"] = value_json(r.message_count(some_id));
    return out;
  };
  same(lookups, "lookups");
  auto ten = read_on(*part_, lookups)["ten"];
  EXPECT_NE(ten.dump().find("ambiguous"), std::string::npos) << ten;
}

TEST_F(PartitionedReadsTest, ExportAllAndPrunableEqualOneFile) {
  same(
    [](core::store_reader& r) {
      json ids = json::array();
      auto st = r.export_all(std::nullopt, [&](const json& row) {
        ids.push_back({row["id"], row["messages"].size()});
      });
      return st ? ids : json{{"error", st.err().message}};
    },
    "export_all");
  same(
    [&](core::store_reader& r) {
      core::prune_rule rule;
      rule.started_before = clock_->now();
      return value_json(r.select_prunable(rule));
    },
    "select_prunable by age");
}

} // namespace
} // namespace switchboard::actors::testing

// The entry list is ordered, filtered and paged by the updated_at it
// reports, also while the stored updated_at lags the message rows (derived
// state written behind, persistence/derived_state.cpp): before the fold and
// after it the same query gives the same page.

#include "persistence/sqlite_store.hpp"
#include "persistence/store_util.hpp"

#include "test_util.hpp"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace switchboard::persistence::test {
namespace {

class EntryOrderTest : public ::testing::Test {
protected:
  // Stored: k0 at 100, k1 at 200, k2 at 300, k3 at 400 (k3 newest); tokens
  // k0 40, k1 30, k2 20, k3 10. Then, held back from the fold: inbound
  // messages to k0 (1000) and k1 (900); an assistant message (2000) and a
  // rewrite's user row (3000) to k2, which are not activity. Exact: k0 1000,
  // k1 900, k3 400, k2 300.
  void SetUp() override {
    w_ = must_open_writer(dir_.file("state.db"));
    ASSERT_TRUE(w_);
    w_->set_write_behind(true);
    ASSERT_TRUE(w_->begin());
    for (int i = 0; i < 4; ++i) {
      auto n = std::to_string(i);
      ASSERT_TRUE(w_->create_session(row("s" + n, "telegram", 50)));
      core::session_entry e;
      e.session_key = "k" + n;
      e.session_id = "s" + n;
      e.created_at = at_seconds(50 + i);
      e.updated_at = at_seconds(100 * (i + 1));
      e.total_tokens = 40 - 10 * i;
      ASSERT_TRUE(w_->upsert_entry(e));
    }
    ASSERT_TRUE(w_->commit());
    append("s0", "user", 1000);
    append("s1", "user", 900);
    append("s2", "assistant", 2000);
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(
      w_->rewrite_transcript("s2", {msg("user", "x")}, at_seconds(3000)).ok());
    ASSERT_TRUE(w_->commit());
    auto r = open_reader(dir_.file("state.db"));
    ASSERT_TRUE(r.ok());
    r_ = std::move(*r);
  }
  void append(const std::string& session, const std::string& role, double at) {
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(w_->append_message(session,
                                   msg(role, "at " + std::to_string(at)),
                                   at_seconds(at))
                  .ok());
    ASSERT_TRUE(w_->commit());
  }
  void fold() {
    ASSERT_TRUE(w_->begin());
    ASSERT_TRUE(w_->flush_derived());
    ASSERT_TRUE(w_->commit());
  }
  std::int64_t stored_us(const std::string& key) {
    auto v = w_->db().scalar(
      "SELECT updated_at FROM session_entries WHERE session_key = '" + key +
      "'");
    EXPECT_TRUE(v.ok());
    return v.ok() ? v->value_or(-1) : -1;
  }
  /// The keys of list_entries(q), checking each reported updated_at.
  std::vector<std::string> keys(const core::entry_list_query& q) {
    auto got = r_->list_entries(q);
    EXPECT_TRUE(got.ok()) << got.err().message;
    std::vector<std::string> out;
    if (!got.ok())
      return out;
    for (const auto& e : *got) {
      out.push_back(e.session_key);
      EXPECT_EQ(e.updated_at, exact_at(e.session_key)) << e.session_key;
    }
    return out;
  }
  static core::time_point exact_at(const std::string& key) {
    if (key == "k0")
      return at_seconds(1000);
    if (key == "k1")
      return at_seconds(900);
    return at_seconds(key == "k2" ? 300 : 400);
  }
  static core::entry_list_query
  query(std::int64_t limit, std::int64_t offset = 0, bool ascending = false) {
    core::entry_list_query q;
    q.limit = limit;
    q.offset = offset;
    q.ascending = ascending;
    return q;
  }
  std::int64_t total(const core::entry_list_query& q) {
    auto c = r_->count_entries(q);
    EXPECT_TRUE(c.ok()) << c.err().message;
    return c.ok() ? c->total : -1;
  }
  /// Every page of size `n` in turn, concatenated.
  std::vector<std::string> paged(core::entry_list_query q, std::int64_t n) {
    std::vector<std::string> out;
    q.limit = n;
    for (q.offset = 0;; q.offset += n) {
      auto page = keys(q);
      out.insert(out.end(), page.begin(), page.end());
      if (static_cast<std::int64_t>(page.size()) < n)
        return out;
    }
  }
  /// Every expectation of the fixture's data; the same before and after the
  /// fold.
  void expect_exact_order() {
    using v = std::vector<std::string>;
    EXPECT_EQ(keys(query(-1)), (v{"k0", "k1", "k3", "k2"}));
    EXPECT_EQ(keys(query(1)), (v{"k0"}));
    EXPECT_EQ(keys(query(2, 1)), (v{"k1", "k3"}));
    EXPECT_EQ(paged(query(0), 1), (v{"k0", "k1", "k3", "k2"}));
    // Oldest first: the two oldest stored entries are no longer the oldest.
    EXPECT_EQ(keys(query(1, 0, true)), (v{"k2"}));
    EXPECT_EQ(keys(query(2, 0, true)), (v{"k2", "k3"}));
    EXPECT_EQ(paged(query(0, 0, true), 2), (v{"k2", "k3", "k1", "k0"}));
    // active_since selects by the reported time, in the list and the count.
    auto recent = query(-1);
    recent.active_since = at_seconds(950);
    EXPECT_EQ(keys(recent), (v{"k0"}));
    EXPECT_EQ(total(recent), 1);
    recent.active_since = at_seconds(350);
    EXPECT_EQ(keys(recent), (v{"k0", "k1", "k3"}));
    EXPECT_EQ(total(recent), 3);
    recent.limit = 1;
    recent.ascending = true;
    EXPECT_EQ(keys(recent), (v{"k3"}));
    // Other sort keys are stored exactly; only the time filter moves them.
    auto by_tokens = query(-1);
    by_tokens.sort = core::entry_sort::tokens;
    by_tokens.active_since = at_seconds(350);
    EXPECT_EQ(keys(by_tokens), (v{"k0", "k1", "k3"}));
    by_tokens.limit = 1;
    by_tokens.ascending = true;
    EXPECT_EQ(keys(by_tokens), (v{"k3"}));
    auto by_created = query(2);
    by_created.sort = core::entry_sort::created;
    by_created.active_since = at_seconds(850);
    EXPECT_EQ(keys(by_created), (v{"k1", "k0"}));
  }

  temp_dir dir_;
  std::unique_ptr<sqlite_writer> w_;
  std::unique_ptr<sqlite_reader> r_;
};

TEST_F(EntryOrderTest, ListFollowsTheReportedTimesBeforeTheFold) {
  ASSERT_EQ(stored_us("k0"), 100 * 1000000LL); // held back
  expect_exact_order();
}

TEST_F(EntryOrderTest, ListIsTheSameAfterTheFold) {
  fold();
  ASSERT_EQ(stored_us("k0"), 1000 * 1000000LL);
  ASSERT_EQ(stored_us("k2"), 300 * 1000000LL);
  expect_exact_order();
}

TEST_F(EntryOrderTest, TheWriterListsExactlyToo) {
  // The writer reads its own file: also exact before the fold.
  auto got = w_->list_entries(query(1));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].session_key, "k0");
  EXPECT_EQ((*got)[0].updated_at, at_seconds(1000));
}

TEST_F(EntryOrderTest, ANewestPageReadsTheIndexNotTheTable) {
  // A page by updated_at stops early on both ranges of idx_entries_activity
  // (unfinalized and finalized) in either direction; the exact times cost
  // lookups of the touched entries only.
  for (bool ascending : {false, true}) {
    auto plan = w_->db().prepare(
      "EXPLAIN QUERY PLAN " +
      detail::entry_list_sql(core::entry_sort::updated, ascending));
    ASSERT_TRUE(plan.ok()) << plan.err().message;
    std::string all;
    while (*plan->step())
      all += plan->text(3) + "\n";
    const std::string range = "SEARCH session_entries USING INDEX "
                              "idx_entries_activity (expiry_finalized=? AND "
                              "updated_at>?)";
    auto first = all.find(range);
    ASSERT_NE(first, std::string::npos) << all;
    EXPECT_NE(all.find(range, first + 1), std::string::npos) << all;
    EXPECT_NE(all.find("idx_entries_session"), std::string::npos) << all;
    EXPECT_EQ(all.find("SCAN session_entries"), std::string::npos) << all;
  }
}

/// Every page of every sort, direction and active_since of random data
/// equals the page of all entries (get_entry's exact values) sorted in C++.
TEST(EntryOrderRandomTest, EveryPageIsTheExactOrdersPage) {
  temp_dir dir;
  auto w = must_open_writer(dir.file("state.db"));
  ASSERT_TRUE(w);
  w->set_write_behind(true);
  std::mt19937 rng(12);
  auto pick = [&rng](int n) {
    return static_cast<int>(rng() % static_cast<unsigned>(n));
  };
  constexpr int n = 40;
  ASSERT_TRUE(w->begin());
  for (int i = 0; i < n; ++i) {
    auto id = "s" + std::to_string(i);
    ASSERT_TRUE(w->create_session(row(id, "telegram", 10)));
    core::session_entry e;
    e.session_key = "k" + std::to_string(i);
    e.session_id = id;
    e.created_at = at_seconds(10 + pick(50));
    e.updated_at = at_seconds(100 + pick(50)); // ties on purpose
    e.total_tokens = pick(5);
    ASSERT_TRUE(w->upsert_entry(e));
  }
  ASSERT_TRUE(w->commit());
  for (int m = 0; m < 30; ++m) {
    ASSERT_TRUE(w->begin());
    auto role = pick(3) == 0 ? "assistant" : "user";
    ASSERT_TRUE(w->append_message("s" + std::to_string(pick(n)), msg(role, "m"),
                                  at_seconds(120 + pick(60)))
                  .ok());
    ASSERT_TRUE(w->commit());
  }
  auto r = open_reader(dir.file("state.db"));
  ASSERT_TRUE(r.ok());
  std::vector<core::session_entry> all;
  for (int i = 0; i < n; ++i)
    all.push_back(**(*r)->get_entry("k" + std::to_string(i)));
  auto value = [](const core::session_entry& e, core::entry_sort s) {
    return s == core::entry_sort::updated   ? e.updated_at.time_since_epoch()
           : s == core::entry_sort::created ? e.created_at.time_since_epoch()
                                            : core::duration{e.total_tokens};
  };
  for (auto sort : {core::entry_sort::updated, core::entry_sort::created,
                    core::entry_sort::tokens})
    for (bool asc : {false, true})
      for (double since : {0.0, 140.0, 175.0}) {
        auto expected = all;
        std::erase_if(expected, [since](const core::session_entry& e) {
          return e.updated_at < at_seconds(since);
        });
        std::sort(expected.begin(), expected.end(), [&](auto& a, auto& b) {
          auto va = value(a, sort), vb = value(b, sort);
          if (va != vb)
            return asc ? va < vb : va > vb;
          return asc ? a.session_key < b.session_key
                     : a.session_key > b.session_key;
        });
        core::entry_list_query q;
        q.sort = sort;
        q.ascending = asc;
        q.active_since = at_seconds(since);
        auto count = (*r)->count_entries(q);
        ASSERT_TRUE(count.ok());
        EXPECT_EQ(count->total, static_cast<std::int64_t>(expected.size()));
        for (std::int64_t limit : {1, 3, 7})
          for (std::int64_t offset = 0;
               offset <= static_cast<std::int64_t>(expected.size());
               offset += limit) {
            q.limit = limit;
            q.offset = offset;
            auto got = (*r)->list_entries(q);
            ASSERT_TRUE(got.ok()) << got.err().message;
            auto from = std::min<std::size_t>(offset, expected.size());
            auto to = std::min<std::size_t>(offset + limit, expected.size());
            std::vector<core::session_entry> want(
              expected.begin() + static_cast<std::ptrdiff_t>(from),
              expected.begin() + static_cast<std::ptrdiff_t>(to));
            EXPECT_EQ(*got, want)
              << static_cast<int>(sort) << " asc " << asc << " since " << since
              << " limit " << limit << " offset " << offset;
          }
      }
}

} // namespace
} // namespace switchboard::persistence::test

// Replication through the partition log (cluster/replica.hpp): the batch
// record codec, and end to end on a 3-server JetStream cluster (R3) with
// the real persistence writer: an owner publishes fenced batches and
// commits only after the ack, a standby catches up to the same sequence
// and the same tables, and a deposed owner's append is fenced and its
// transaction rolled back.

#include "cluster/replica.hpp"

#include "cluster/partition_log.hpp"
#include "tests/cluster/cluster_test_util.hpp"
#include "tests/cluster/replica_test_util.hpp"

namespace switchboard::cluster {
namespace {

using persistence::test::must_open_writer;
using persistence::test::temp_dir;
using testing::connect_or_fail;
using testing::dump_all;
using testing::nats_servers;

TEST(BatchRecordTest, EffectsRoundTripThroughTheRecordJson) {
  batch_effects e{std::string{"\x00\x01\xff changeset", 13},
                  {{"messages", 42}, {"transcript_rewrites", 3}}};
  auto r = batch_record(7, "node-a", e);
  auto back = decode_record(encode(r));
  ASSERT_TRUE(back) << back.err().message;
  EXPECT_EQ(back->kind, record_kind::batch);
  EXPECT_EQ(back->epoch, 7u);
  EXPECT_EQ(back->node, "node-a");
  auto effects = effects_of(*back);
  ASSERT_TRUE(effects) << effects.err().message;
  EXPECT_EQ(*effects, e);
}

TEST(BatchRecordTest, OtherKindsCarryNoEffects) {
  for (auto kind :
       {record_kind::genesis, record_kind::takeover, record_kind::handoff}) {
    auto effects = effects_of({kind, 1, "n", nlohmann::json::array()});
    ASSERT_TRUE(effects);
    EXPECT_EQ(*effects, batch_effects{});
  }
}

TEST(BatchRecordTest, AMalformedBatchNamesTheField) {
  auto err = [](nlohmann::json ops) {
    auto r = effects_of({record_kind::batch, 1, "n", std::move(ops)});
    return r ? std::string{} : r.err().message;
  };
  using nlohmann::json;
  EXPECT_EQ(err(json::array()), "record.ops: expected one element");
  EXPECT_EQ(err(json::array({1})), "record.ops[0]: expected object");
  EXPECT_EQ(err(json::array({json::object()})),
            "record.ops[0].changeset: expected base64");
  EXPECT_EQ(err(json::array({{{"changeset", "@@@@"}}})),
            "record.ops[0].changeset: expected base64");
  EXPECT_EQ(err(json::array({{{"changeset", ""}, {"sequences", 1}}})),
            "record.ops[0].sequences: expected object");
  EXPECT_EQ(
    err(json::array({{{"changeset", ""}, {"sequences", {{"messages", "x"}}}}})),
    "record.ops[0].sequences.messages: expected integer");
}

/// 3 servers, partition 0's stream with 3 replicas and its genesis record,
/// an owner and a standby file, each node connected to its own server.
class ReplicaClusterTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(servers_.error(), "");
    owner_c_ = connect_or_fail({servers_.url_list()[0]});
    standby_c_ = connect_or_fail({servers_.url_list()[1]});
    ASSERT_TRUE(owner_c_ && standby_c_);
    ASSERT_TRUE(ensure_partition_stream(*owner_c_, 0, 3));
    ASSERT_TRUE(append(*owner_c_, 0, {record_kind::genesis, 0, "", {}}, 0));
    owner_ = must_open_writer(dir_.file("owner.db"));
    standby_ = must_open_writer(dir_.file("standby.db"));
    ASSERT_TRUE(owner_ && standby_);
    ASSERT_EQ(*catch_up(*owner_c_, 0, owner()), 1u); // the genesis
  }
  sqlite3* owner() { return owner_->db().raw(); }
  sqlite3* standby() { return standby_->db().raw(); }

  /// Batch `n` on the owner as the writer actor will run it: published
  /// before COMMIT, committed only on the ack, rolled back otherwise.
  core::result<std::uint64_t> owner_batch(int n, std::uint64_t epoch) {
    auto capture = changeset_capture::start(owner());
    if (!capture)
      return std::move(capture).err();
    testing::must(owner_->begin(), "begin");
    testing::write_batch(*owner_, n);
    testing::must(owner_->flush_derived(), "flush_derived");
    testing::must(owner_->flush_fts(), "flush_fts");
    auto seq = publish_batch(*owner_c_, 0, owner(), *capture, epoch, "a");
    if (!seq) {
      owner_->rollback();
      return seq;
    }
    if (auto st = owner_->commit(); !st)
      return std::move(st).err();
    return seq;
  }

  nats_servers servers_{3};
  std::unique_ptr<nats_client> owner_c_, standby_c_;
  temp_dir dir_;
  std::unique_ptr<persistence::sqlite_writer> owner_, standby_;
};

TEST_F(ReplicaClusterTest, AStandbyCatchesUpAndADeposedOwnerIsFenced) {
  constexpr int batches = 5;
  for (int n = 0; n < batches; ++n) {
    auto seq = owner_batch(n, 1);
    ASSERT_TRUE(seq) << seq.err().message;
    EXPECT_EQ(*seq, n + 2u);
  }
  EXPECT_EQ(*applied_seq(owner(), 0), batches + 1u);

  auto reached = catch_up(*standby_c_, 0, standby());
  ASSERT_TRUE(reached) << reached.err().message;
  EXPECT_EQ(*reached, batches + 1u);
  EXPECT_EQ(*applied_seq(standby(), 0), batches + 1u);
  EXPECT_EQ(dump_all(owner_->db()), dump_all(standby_->db()));
  EXPECT_EQ(testing::search_text(*owner_, "lazy"),
            testing::search_text(*standby_, "lazy"));
  EXPECT_NE(testing::search_text(*standby_, "lazy"), "[]");

  // The standby takes over, expecting the sequence it has applied.
  auto takeover = append(*standby_c_, 0, {record_kind::takeover, 2, "b", {}},
                         *applied_seq(standby(), 0));
  ASSERT_TRUE(takeover) << takeover.err().message;
  ASSERT_EQ(*catch_up(*standby_c_, 0, standby()), batches + 2u);

  // The old owner still believes it owns the partition: its next batch is
  // fenced and nothing of it stays in its file.
  auto before = dump_all(owner_->db());
  auto stale = owner_batch(batches, 1);
  ASSERT_FALSE(stale);
  EXPECT_TRUE(is_fenced(stale.err())) << stale.err().message;
  EXPECT_FALSE(owner_->db().in_transaction());
  EXPECT_EQ(dump_all(owner_->db()), before);
  EXPECT_EQ(*applied_seq(owner(), 0), batches + 1u);
  EXPECT_EQ(*last_sequence(*standby_c_, 0), batches + 2u);

  // The deposed node can follow the new owner as its standby.
  auto reseq = catch_up(*owner_c_, 0, owner());
  ASSERT_TRUE(reseq) << reseq.err().message;
  EXPECT_EQ(*reseq, batches + 2u);
  EXPECT_EQ(dump_all(owner_->db()), dump_all(standby_->db()));
}

TEST_F(ReplicaClusterTest, CatchUpStopsAtADivergenceNamingTheRecord) {
  ASSERT_TRUE(owner_batch(0, 1));
  ASSERT_TRUE(owner_batch(1, 1));
  auto first = catch_up(*standby_c_, 0, standby());
  ASSERT_TRUE(first) << first.err().message;
  ASSERT_EQ(*first, 3u);
  ASSERT_TRUE(owner_batch(2, 1)); // ends s1
  ASSERT_TRUE(standby_->db().exec("UPDATE sessions SET end_reason = 'x' "
                                  "WHERE id = 's1'"));
  auto r = catch_up(*standby_c_, 0, standby());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, core::errc::conflict);
  EXPECT_EQ(r.err().message.rfind("SB_P00 record 4: replica diverged: ", 0), 0u)
    << r.err().message;
  EXPECT_EQ(*applied_seq(standby(), 0), 3u);
}

TEST_F(ReplicaClusterTest, AFileAheadOfTheLogIsAnError) {
  ASSERT_TRUE(owner_batch(0, 1));
  // As if the log had lost its last record (2.9's fsync caveat).
  ASSERT_TRUE(apply_effects(owner(), 0, 3, {}));
  auto r = catch_up(*owner_c_, 0, owner());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().message,
            "SB_P00 ends at record 2 but this file has applied record 3: the "
            "log lost acknowledged records or the file is not this cluster's");
}

} // namespace
} // namespace switchboard::cluster

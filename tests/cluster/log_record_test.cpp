#include "cluster/log_record.hpp"

#include <gtest/gtest.h>

namespace switchboard::cluster {
namespace {

TEST(LogRecordTest, EveryKindRoundTrips) {
  for (auto kind : {record_kind::genesis, record_kind::takeover,
                    record_kind::batch, record_kind::handoff}) {
    log_record r{kind, 7, "node-a",
                 nlohmann::json::array({{{"op", "insert"}, {"id", 1}}})};
    auto back = decode_record(encode(r));
    ASSERT_TRUE(back) << back.err().message;
    EXPECT_EQ(*back, r);
  }
}

TEST(LogRecordTest, EncodesTheDocumentedShape) {
  auto j = nlohmann::json::parse(
    encode({record_kind::takeover, 3, "node-b", nlohmann::json::array()}));
  EXPECT_EQ(j, (nlohmann::json{{"kind", "takeover"},
                               {"epoch", 3},
                               {"node", "node-b"},
                               {"ops", nlohmann::json::array()}}));
}

TEST(LogRecordTest, NullOpsAreWrittenAsAnEmptyArray) {
  auto r = decode_record(encode({record_kind::genesis, 0, "", {}}));
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(r->ops, nlohmann::json::array());
}

TEST(LogRecordTest, UnknownFieldsAreIgnored) {
  auto r = decode_record(
    R"({"kind":"batch","epoch":1,"node":"n","ops":[],"later":true})");
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(r->kind, record_kind::batch);
}

struct bad_case {
  const char* text;
  const char* message;
};

TEST(LogRecordTest, BadInputNamesTheField) {
  const bad_case cases[] = {
    {"not json", "record: malformed JSON"},
    {"[]", "record: expected object"},
    {R"({"epoch":1,"node":"n","ops":[]})", "record.kind: required"},
    {R"({"kind":"merge","epoch":1,"node":"n","ops":[]})",
     "record.kind: expected one of genesis, takeover, batch, handoff"},
    {R"({"kind":"batch","node":"n","ops":[]})", "record.epoch: required"},
    {R"({"kind":"batch","epoch":-1,"node":"n","ops":[]})",
     "record.epoch: expected integer >= 0"},
    {R"({"kind":"batch","epoch":"1","node":"n","ops":[]})",
     "record.epoch: expected integer"},
    {R"({"kind":"batch","epoch":1,"ops":[]})", "record.node: required"},
    {R"({"kind":"batch","epoch":1,"node":5,"ops":[]})",
     "record.node: expected string"},
    {R"({"kind":"batch","epoch":1,"node":"n"})", "record.ops: expected array"},
    {R"({"kind":"batch","epoch":1,"node":"n","ops":{}})",
     "record.ops: expected array"},
  };
  for (const auto& c : cases) {
    auto r = decode_record(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.err().code, core::errc::bad_request) << c.text;
    EXPECT_EQ(r.err().message, c.message) << c.text;
  }
}

} // namespace
} // namespace switchboard::cluster

// The writer files new messages under their session after each fold
// (store_writer::file_messages; actors/writer.cpp): a slice after each
// batch, and slice after slice while idle, so a quiet engine leaves no
// message unfiled.

#include "engine_fixture.hpp"

#include "persistence/sqlite_store.hpp"

namespace switchboard::actors::testing {
namespace {

TEST_F(EngineTest, AQuietWriterLeavesNoMessageUnfiled) {
  start();
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(
      route(on("telegram", std::to_string(i % 7)), user_msg("hello")).ok());
  auto reader = persistence::open_reader(dir_ + "/state.db");
  ASSERT_TRUE(reader.ok());
  auto count = [&](const char* sql) {
    auto n = (*reader)->db().scalar(sql);
    return n.ok() ? n->value_or(-1) : -1;
  };
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 40);
  // Asynchronous (the writer's idle timer): wait for the effect, not a time.
  EXPECT_TRUE(eventually([&] {
    return count("SELECT count(*) FROM messages WHERE filed = 0") == 0;
  }));
  EXPECT_EQ(message_count(std::nullopt), 40);
}

} // namespace
} // namespace switchboard::actors::testing

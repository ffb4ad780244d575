// The forwarding transport (rpc_client, rpc_server) across two servers of
// a NATS cluster: no owner means overloaded after the deadline, an owner
// that appears during the retries is reached, a destroyed server answers
// nothing, "moved" answers and timeouts are retried with the same call id
// (and the owner runs a repeated id once), other errors are returned at
// once, unknown operations and malformed arguments are refused.

#include "tests/cluster/rpc_test_util.hpp"

#include <thread>

namespace switchboard::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class RpcClientTest : public ForwardingTest {
protected:
  /// Calls `op` on `partition` through `c` and waits (at most 60 s).
  core::result<json> call(cluster::rpc_client& c, int partition,
                          const std::string& op, json args) {
    return wait_for<json>([&](actors::completion<json> d) {
      c.call(partition, op, std::move(args), d);
    });
  }

  std::unique_ptr<cluster::rpc_client>
  client_with(std::chrono::milliseconds deadline,
              std::chrono::milliseconds attempt = 2s) {
    cluster::rpc_options o;
    o.deadline = deadline;
    o.attempt_timeout = attempt;
    auto c = cluster::rpc_client::start(*caller_nats_, o);
    EXPECT_TRUE(c);
    return c ? std::move(*c) : nullptr;
  }

  static json get_entry_args() { return json{{"key", "nobody"}}; }
};

TEST_F(RpcClientTest, NoOwnerIsOverloadedAfterTheDeadline) {
  auto c = client_with(500ms);
  auto start = std::chrono::steady_clock::now();
  auto r = call(*c, 5, "get_entry", get_entry_args());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err(), core::overloaded(
                       "partition 5: no owner answered for 0.5 s; retry"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
}

TEST_F(RpcClientTest, TheOwnerAnswersWithTheEngineResult) {
  auto r = call(*client_, test_partition, "get_entry", get_entry_args());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, core::errc::not_found);
  auto n = call(*client_, test_partition, "read.entry_count", json::object());
  ASSERT_TRUE(n) << n.err().message;
  EXPECT_EQ(*n, json(0));
}

TEST_F(RpcClientTest, AnOwnerThatStartsDuringTheRetriesIsReached) {
  server_.reset();
  auto c = client_with(30s);
  auto p = std::make_shared<std::promise<core::result<json>>>();
  auto f = p->get_future();
  c->call(test_partition, "read.entry_count", json::object(),
          [p](core::result<json> r) { p->set_value(std::move(r)); });
  std::this_thread::sleep_for(300ms); // a few "no responders" first
  EXPECT_EQ(f.wait_for(0s), std::future_status::timeout);
  serve();
  ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
  auto r = f.get();
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(*r, json(0));
}

TEST_F(RpcClientTest, NothingAnswersAfterTheServerIsDestroyed) {
  ASSERT_TRUE(call(*client_, test_partition, "read.entry_count", {}));
  server_.reset();
  auto c = client_with(500ms);
  auto r = call(*c, test_partition, "read.entry_count", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, core::errc::overloaded);
  EXPECT_TRUE(r.err().message.starts_with("partition 3: no owner answered"));
}

TEST_F(RpcClientTest, MovedAnswersAreRetriedUntilTheNewOwnerAnswers) {
  server_.reset();
  auto moved = std::make_unique<raw_responder>(
    *owner_nats_, test_partition, [](const json& req, int) {
      return json{{"id", req["id"]},
                  {"error",
                   {{"code", "overloaded"},
                    {"message", "moved: partition 3 is owned elsewhere"}}}}
        .dump();
    });
  auto c = client_with(30s);
  auto p = std::make_shared<std::promise<core::result<json>>>();
  auto f = p->get_future();
  c->call(test_partition, "read.entry_count", json::object(),
          [p](core::result<json> r) { p->set_value(std::move(r)); });
  auto end = std::chrono::steady_clock::now() + 30s;
  while (moved->count() < 2 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(5ms);
  ASSERT_GE(moved->count(), 2);
  EXPECT_EQ(f.wait_for(0s), std::future_status::timeout);
  auto ids = moved->ids();
  EXPECT_EQ(ids[0], ids[1]); // the same call id on every attempt
  moved.reset();
  serve();
  ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
  auto r = f.get();
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(*r, json(0));
}

TEST_F(RpcClientTest, OtherOverloadedAnswersAreReturnedAtOnce) {
  server_.reset();
  raw_responder full(*owner_nats_, test_partition, [](const json& req, int) {
    return json{
      {"id", req["id"]},
      {"error", {{"code", "overloaded"}, {"message", "writer queue is full"}}}}
      .dump();
  });
  auto r = call(*client_, test_partition, "get_entry", get_entry_args());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err(), core::overloaded("writer queue is full"));
  EXPECT_EQ(full.count(), 1);
}

TEST_F(RpcClientTest, ATimedOutAttemptIsSentAgainWithTheSameId) {
  server_.reset();
  raw_responder slow(*owner_nats_, test_partition,
                     [](const json& req, int n) -> std::optional<std::string> {
                       if (n == 1)
                         return std::nullopt; // lost
                       return json{{"id", req["id"]}, {"ok", 7}}.dump();
                     });
  auto c = client_with(30s, 200ms);
  auto r = call(*c, test_partition, "read.entry_count", {});
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(*r, json(7));
  auto ids = slow.ids();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], ids[1]);
}

TEST_F(RpcClientTest, TheOwnerRunsARepeatedIdOnce) {
  core::source s;
  s.platform = "telegram";
  s.chat_id = "once";
  core::message m;
  m.role = "user";
  m.content = "hi";
  auto req =
    json{{"id", "test-client.1"},
         {"op", "route"},
         {"args", {{"req", cluster::rpc::encode(actors::route_request{s, m})}}}}
      .dump();
  // The owner's subscription is known on the caller's server once a call
  // got through (retries wait for that; the raw requests below do not).
  ASSERT_TRUE(call(*client_, test_partition, "read.entry_count", {}));
  auto subject = cluster::rpc_subject(test_partition);
  std::vector<std::string> answers;
  for (int i = 0; i < 3; ++i) {
    natsMsg* reply = nullptr;
    ASSERT_EQ(natsConnection_RequestString(&reply, caller_nats_->connection(),
                                           subject.c_str(), req.c_str(), 30000),
              NATS_OK);
    answers.emplace_back(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
    natsMsg_Destroy(reply);
  }
  EXPECT_EQ(answers[0], answers[1]);
  EXPECT_EQ(answers[0], answers[2]);
  EXPECT_TRUE(json::parse(answers[0])["ok"]["created"].get<bool>());
  EXPECT_EQ(read_json(*local_,
                      [](core::store_reader& r) {
                        return r.message_count(std::nullopt);
                      }),
            (json{{"ok", 1}}));
}

TEST_F(RpcClientTest, WhileTwoServePACallRunsOnOne) {
  auto second =
    cluster::rpc_server::start(*caller_nats_, test_partition, direct_);
  ASSERT_TRUE(second) << second.err().message;
  constexpr int n = 20;
  for (int i = 0; i < n; ++i) {
    core::source s;
    s.platform = "telegram";
    s.chat_id = "two-" + std::to_string(i);
    auto r = call(*client_, test_partition, "route",
                  json{{"req", cluster::rpc::encode(
                                 actors::route_request{s, std::nullopt})}});
    ASSERT_TRUE(r) << r.err().message;
  }
  auto count = [](actors::engine& e) {
    return read_json(e, [](core::store_reader& r) { return r.entry_count(); })
      .at("ok")
      .get<int>();
  };
  EXPECT_EQ(count(*local_) + count(*direct_), n);
}

TEST_F(RpcClientTest, ACallAddressedToTheLogsOwnerReachesOnlyIt) {
  EXPECT_EQ(cluster::rpc_subject(test_partition, "n2"), "sb.rpc.03.n2");
  // `zombie` plays an old owner that still holds its subscription but
  // never answers (paused); b serves partition 3 and is named its owner.
  raw_responder zombie(*owner_nats_, test_partition,
                       [](const json&, int) { return std::nullopt; });
  cluster::rpc_server_options named;
  named.node_id = "b";
  auto b =
    cluster::rpc_server::start(*caller_nats_, test_partition, direct_, named);
  ASSERT_TRUE(b) << b.err().message;
  auto c = client_with(10s, 5s);
  c->set_owner(test_partition, "b");
  constexpr int n = 10;
  for (int i = 0; i < n; ++i) {
    core::source s;
    s.platform = "telegram";
    s.chat_id = "named-" + std::to_string(i);
    auto r = call(*c, test_partition, "route",
                  json{{"req", cluster::rpc::encode(
                                 actors::route_request{s, std::nullopt})}});
    ASSERT_TRUE(r) << r.err().message;
  }
  EXPECT_EQ(zombie.count(), 0);
  auto count = [](actors::engine& e) {
    return read_json(e, [](core::store_reader& r) { return r.entry_count(); })
      .at("ok")
      .get<int>();
  };
  EXPECT_EQ(count(*direct_), n);
  EXPECT_EQ(count(*local_), 0);
}

TEST_F(RpcClientTest, UnknownOperationsAndMalformedArgumentsAreRefused) {
  auto r = call(*client_, test_partition, "fly", json::object());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err(), core::internal_error("rpc: unknown operation 'fly'"));
  auto bad = call(*client_, test_partition, "get_entry", json{{"key", 1}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.err().code, core::errc::internal);
  EXPECT_TRUE(
    bad.err().message.starts_with("rpc: malformed arguments of 'get_entry': "))
    << bad.err().message;
  auto read = call(*client_, test_partition, "read.nothing", {});
  ASSERT_FALSE(read);
  EXPECT_EQ(read.err(),
            core::internal_error("rpc: unknown operation 'read.nothing'"));
}

TEST_F(RpcClientTest, ARequestBeyondTheMaxPayloadIsRefusedAtOnce) {
  auto big = json{{"key", std::string(2 * 1024 * 1024, 'x')}};
  auto r = call(*client_, test_partition, "get_entry", big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, core::errc::payload_too_large);
  EXPECT_TRUE(r.err().message.starts_with("partition 3: request of "))
    << r.err().message;
}

TEST_F(RpcClientTest, DestroyingTheClientEndsItsPendingCalls) {
  server_.reset();
  auto c = client_with(60s);
  auto p = std::make_shared<std::promise<core::result<json>>>();
  auto f = p->get_future();
  c->call(test_partition, "read.entry_count", {},
          [p](core::result<json> r) { p->set_value(std::move(r)); });
  c.reset();
  ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err(),
            core::overloaded("partition 3: the forwarding client stopped"));
}

} // namespace
} // namespace switchboard::testing

#pragma once

// What the forwarding tests share (label `cluster`): a 3-server NATS
// cluster per suite; two real engines on temporary dirs with the same
// manual clock and the same deterministic random source, so that the same
// operations give the same results on both: `local_` behind an rpc_server
// for partition 3 on server 0, `direct_` called directly; a remote_engine
// for partition 3 connected to server 1; and a raw responder for tests
// that play a misbehaving owner.

#include "actors/engine_testing.hpp"
#include "cluster/remote_engine.hpp"
#include "cluster/rpc_client.hpp"
#include "cluster/rpc_codec.hpp"
#include "cluster/rpc_server.hpp"
#include "cluster/rpc_subjects.hpp"
#include "tests/cluster/cluster_test_util.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>

namespace switchboard::testing {

inline constexpr int test_partition = 3;

/// Waits (at most 60 s) for a completion; a test failure on timeout.
template <class T>
core::result<T> wait_for(std::function<void(actors::completion<T>)> call) {
  auto p = std::make_shared<std::promise<core::result<T>>>();
  auto f = p->get_future();
  call([p](core::result<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "no completion within 60 s";
    return core::internal_error("test: no completion");
  }
  return f.get();
}

/// Runs fn on the engine's reader and returns the wire form of its
/// result (at most 60 s; "no read" on timeout, a test failure).
template <class F>
nlohmann::json read_json(actors::engine& eng, F fn) {
  auto p = std::make_shared<std::promise<nlohmann::json>>();
  auto f = p->get_future();
  eng.read([p, fn](core::store_reader& r) {
    p->set_value(cluster::rpc::encode(fn(r)));
  });
  if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "no read within 60 s";
    return "no read";
  }
  return f.get();
}

/// A subscriber of sb.rpc.NN that answers each request with what
/// `answer(request, count)` returns (nullopt: no answer).
class raw_responder {
public:
  using answer_fn =
    std::function<std::optional<std::string>(const nlohmann::json&, int)>;
  raw_responder(cluster::nats_client& nats, int partition, answer_fn answer)
    : answer_(std::move(answer)) {
    auto subject = cluster::rpc_subject(partition);
    EXPECT_EQ(natsConnection_Subscribe(&sub_, nats.connection(),
                                       subject.c_str(), &on_msg, this),
              NATS_OK);
    natsConnection_Flush(nats.connection());
  }
  ~raw_responder() {
    natsSubscription_Unsubscribe(sub_);
    natsSubscription_Destroy(sub_);
  }
  int count() const { return count_.load(); }
  /// The ids of the requests seen.
  std::vector<std::string> ids() {
    std::lock_guard lock(mtx_);
    return ids_;
  }

private:
  static void on_msg(natsConnection* nc, natsSubscription*, natsMsg* m,
                     void* self_) {
    auto* self = static_cast<raw_responder*>(self_);
    auto body = nlohmann::json::parse(
      std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)), nullptr,
      false);
    int n = ++self->count_;
    {
      std::lock_guard lock(self->mtx_);
      self->ids_.push_back(body.value("id", ""));
    }
    if (auto a = self->answer_(body, n); a && natsMsg_GetReply(m))
      natsConnection_PublishString(nc, natsMsg_GetReply(m), a->c_str());
    natsMsg_Destroy(m);
  }

  answer_fn answer_;
  natsSubscription* sub_ = nullptr;
  std::atomic<int> count_{0};
  std::mutex mtx_;
  std::vector<std::string> ids_;
};

class ForwardingTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() { servers_ = new nats_servers(3); }
  static void TearDownTestSuite() {
    delete servers_;
    servers_ = nullptr;
  }

  void SetUp() override {
    ASSERT_EQ(servers_->error(), "");
    owner_nats_ = connect_or_fail({servers_->url_list()[0]});
    caller_nats_ = connect_or_fail({servers_->url_list()[1]});
    ASSERT_TRUE(owner_nats_ && caller_nats_);
    cfg_.reset.timezone = "UTC";
    cfg_.actors.threads = 2;
    cfg_.actors.shards = 4;
    cfg_.expiry_interval_seconds = 3600;
    clock_ = std::make_shared<core::manual_clock>(
      core::time_point{std::chrono::seconds(1795000000)});
    local_ = start_engine(local_dir_.path());
    direct_ = start_engine(direct_dir_.path());
    ASSERT_TRUE(local_ && direct_);
    serve();
    ASSERT_TRUE(server_);
    auto c = cluster::rpc_client::start(*caller_nats_, rpc_options());
    ASSERT_TRUE(c) << c.err().message;
    client_ = std::move(*c);
    remote_ = std::make_unique<cluster::remote_engine>(
      client_, *caller_nats_, test_partition, cfg_, clock_);
  }

  void TearDown() override {
    remote_.reset();
    client_.reset();
    server_.reset();
    local_.reset();
    direct_.reset();
  }

  /// Short enough for tests that wait out the deadline.
  virtual cluster::rpc_options rpc_options() {
    cluster::rpc_options o;
    o.deadline = std::chrono::seconds(5);
    o.attempt_timeout = std::chrono::seconds(2);
    return o;
  }

  /// The engines' test options (the random source is set on top).
  virtual actors::engine_options engine_options() { return {}; }

  std::shared_ptr<actors::engine> start_engine(const std::string& dir) {
    auto cfg = cfg_;
    cfg.data_dir = dir;
    auto opts = engine_options();
    opts.random = [n = std::uint32_t{0}]() mutable {
      return ++n * 2654435761u;
    };
    auto e = actors::start_with(cfg, clock_, opts);
    if (!e) {
      ADD_FAILURE() << e.err().message;
      return nullptr;
    }
    return std::shared_ptr<actors::engine>(std::move(*e));
  }

  void serve() {
    auto s = cluster::rpc_server::start(*owner_nats_, test_partition, local_);
    ASSERT_TRUE(s) << s.err().message;
    server_ = std::move(*s);
  }

  static inline nats_servers* servers_ = nullptr;
  std::unique_ptr<cluster::nats_client> owner_nats_;
  std::unique_ptr<cluster::nats_client> caller_nats_;
  core::settings cfg_;
  std::shared_ptr<core::manual_clock> clock_;
  temp_dir local_dir_;
  temp_dir direct_dir_;
  std::shared_ptr<actors::engine> local_;
  std::shared_ptr<actors::engine> direct_;
  std::unique_ptr<cluster::rpc_server> server_;
  std::shared_ptr<cluster::rpc_client> client_;
  std::unique_ptr<cluster::remote_engine> remote_;
};

} // namespace switchboard::testing

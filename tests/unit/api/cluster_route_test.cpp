// GET /v1/cluster (shared/CLUSTER.md "Contract"): 404 outside cluster mode,
// the injected status in cluster mode (answered from another thread, as the
// node does), its errors as the API's error replies, and the bearer token.

#include "api_test_util.hpp"

#include <thread>

namespace switchboard::api::testing {
namespace {

const nlohmann::json sample_status = {
  {"node_id", "n1"},
  {"members",
   {{{"node_id", "n1"},
     {"url", "http://127.0.0.1:1"},
     {"last_seen", "2026-11-30T14:00:00Z"}}}},
  {"partitions",
   {{{"id", 0},
     {"owner", "n1"},
     {"standby", nullptr},
     {"applied_seq", 1},
     {"last_seq", 1}}}}};

/// A status source that answers from a thread of its own.
cluster_status_fn answer_later(core::result<nlohmann::json> r) {
  return [r](cluster_status_done done) {
    std::thread([r, done] { done(r); }).detach();
  };
}

class ClusterRouteTest : public ApiTest {};

TEST_F(ClusterRouteTest, SingleNodeAnswersNotFound) {
  start();
  auto r = get("/v1/cluster");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_code(), "not_found");
  EXPECT_EQ(r.error_message(),
            "not in cluster mode: GET /v1/cluster is served by switchboard "
            "serve --nats URLS --node-id ID");
}

TEST_F(ClusterRouteTest, ClusterModeAnswersTheInjectedStatus) {
  server_options o;
  o.cluster_status = answer_later(sample_status);
  start(o);
  auto r = get("/v1/cluster");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), sample_status);
}

TEST_F(ClusterRouteTest, StatusErrorsAreErrorReplies) {
  server_options o;
  o.cluster_status =
    answer_later(core::overloaded("NATS unavailable: no server"));
  start(o);
  auto r = get("/v1/cluster");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.error_message(), "NATS unavailable: no server");
}

TEST_F(ClusterRouteTest, NeedsTheBearerToken) {
  server_options o;
  o.token = "s3cret";
  o.cluster_status = answer_later(sample_status);
  start(o);
  EXPECT_EQ(get("/v1/cluster").status, 401);
  auto r =
    http("GET", url("/v1/cluster"), "", {"Authorization: Bearer s3cret"});
  EXPECT_EQ(r.status, 200) << r.body;
}

} // namespace
} // namespace switchboard::api::testing

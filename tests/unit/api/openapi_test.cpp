// api/openapi.json against the route table: every route under /v1 (plus
// /healthz and /metrics) is documented, every documented operation is
// served, and the document is served without a token.

#include "api_test_util.hpp"

#include "api/openapi.hpp"
#include "api/routes.hpp"

#include <set>
#include <string>

namespace switchboard::api::testing {
namespace {

using route_set = std::set<std::string>; // "GET /v1/sessions/{}"

nlohmann::json document() {
  return nlohmann::json::parse(openapi_document(), nullptr, false);
}

bool documented_family(const std::string& pattern) {
  return pattern.rfind("/v1/", 0) == 0 || pattern == "/healthz" ||
         pattern == "/metrics";
}

/// The route table with every optional route (the manual clock) on.
route_set served_routes() {
  route_set out;
  for (const auto& r : make_router(true).list())
    if (documented_family(r.pattern))
      out.insert(r.method + " " + r.pattern);
  return out;
}

/// "/v1/sessions/{key}/usage" -> "/v1/sessions/{}/usage".
std::string to_pattern(const std::string& path) {
  std::string out;
  bool in_param = false;
  for (char c : path) {
    if (c == '{') {
      in_param = true;
      out += "{}";
    } else if (c == '}') {
      in_param = false;
    } else if (!in_param) {
      out += c;
    }
  }
  return out;
}

route_set documented_routes(const nlohmann::json& doc) {
  route_set out;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters" || method == "summary")
        continue;
      std::string upper;
      for (char c : method)
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(upper + " " + to_pattern(path));
    }
  return out;
}

std::string minus(const route_set& a, const route_set& b) {
  std::string out;
  for (const auto& r : a)
    if (!b.count(r))
      out += "  " + r + "\n";
  return out;
}

TEST(OpenApiTest, IsAnOpenApi31Document) {
  auto doc = document();
  ASSERT_FALSE(doc.is_discarded()) << "api/openapi.json is not valid JSON";
  EXPECT_EQ(doc.value("openapi", ""), "3.1.0");
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
            "bearer");
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
}

TEST(OpenApiTest, EveryRouteIsDocumented) {
  auto missing = minus(served_routes(), documented_routes(document()));
  EXPECT_EQ(missing, "") << "routes missing from api/openapi.json:\n"
                         << missing;
}

TEST(OpenApiTest, EveryDocumentedRouteIsServed) {
  auto extra = minus(documented_routes(document()), served_routes());
  EXPECT_EQ(extra, "") << "documented in api/openapi.json but not served:\n"
                       << extra;
}

TEST(OpenApiTest, PatternsOfPathTemplates) {
  EXPECT_EQ(to_pattern("/v1/sessions/{key}/usage"), "/v1/sessions/{}/usage");
  EXPECT_EQ(to_pattern("/v1/messages:batch"), "/v1/messages:batch");
}

class OpenApiServedTest : public ApiTest {
protected:
  void SetUp() override {
    server_options o;
    o.token = "s3cret";
    start(o);
  }
};

TEST_F(OpenApiServedTest, ServedWithoutTokenAsTheEmbeddedFile) {
  auto r = get("/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.body, std::string{openapi_document()});
  EXPECT_EQ(get("/v1/sessions").status, 401); // the rest of /v1 still needs it
  EXPECT_EQ(http("POST", url("/v1/openapi.json")).status, 405);
}

} // namespace
} // namespace switchboard::api::testing

// GET /v1/cluster (shared/CLUSTER.md "Contract"): the node's view of the
// cluster, from the function the binary injects in cluster mode. A
// single-node server has none and answers 404 not_found, like the other
// mode-dependent route (POST /v1/admin/clock without --clock manual).

#include "api/replies.hpp"
#include "api/routes.hpp"

namespace switchboard::api {

namespace {

void get_cluster(const call& c, respond_fn respond) {
  if (!c.ctx.cluster_status)
    return respond(error_reply(
      core::not_found("not in cluster mode: GET /v1/cluster is served by "
                      "switchboard serve --nats URLS --node-id ID")));
  c.ctx.cluster_status([respond](core::result<nlohmann::json> r) {
    guarded(respond, [&] {
      if (!r)
        respond(error_reply(r.err()));
      else
        respond(json_reply(200, r.value()));
    });
  });
}

} // namespace

void add_cluster_routes(router& r) {
  r.add("GET", "/v1/cluster", get_cluster);
}

} // namespace switchboard::api

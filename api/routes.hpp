#pragma once

// The endpoint families of API.md; each adds its routes to the table.

#include "api/router.hpp"

namespace switchboard::api {

/// POST /v1/messages, POST /v1/messages:batch.
void add_message_routes(router& r);
/// /v1/sessions and /v1/sessions/KEY/...
void add_session_routes(router& r);
/// GET/PUT /v1/sessions/KEY/transcript (called by add_session_routes).
void add_transcript_routes(router& r);
/// GET /v1/sessions/KEY/context (called by add_session_routes).
void add_context_route(router& r);
/// /v1/session-ids/ID/...
void add_session_id_routes(router& r);
/// GET /v1/history, GET /v1/search.
void add_search_routes(router& r);
/// GET /v1/usage.
void add_usage_routes(router& r);
/// /v1/admin/expire, /v1/admin/prune, /v1/admin/retention, and
/// /v1/admin/clock when `with_clock`.
void add_admin_routes(router& r, bool with_clock);
/// GET /v1/stats, /v1/expiry/forecast, /v1/admin/loadtests (dashboard).
void add_dashboard_routes(router& r);
/// GET /v1/cluster (404 outside cluster mode).
void add_cluster_routes(router& r);
/// GET /healthz, GET /metrics, GET /v1/openapi.json, and the streaming
/// GET /v1/events.
void add_health_routes(router& r);

/// Every route of API.md.
router make_router(bool with_clock);

} // namespace switchboard::api

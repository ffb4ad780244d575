#pragma once

// The OpenAPI 3.1 document of every /v1 endpoint (API.md), served at
// GET /v1/openapi.json without a token. The source is api/openapi.json;
// cmake/embed_file.cmake compiles its bytes into the library.
// tests/unit/api/openapi_test.cpp holds it against the route table.

#include <string_view>

namespace switchboard::api {

/// The exact bytes of api/openapi.json (UTF-8 JSON).
std::string_view openapi_document();

} // namespace switchboard::api

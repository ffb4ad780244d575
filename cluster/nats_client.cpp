#include "cluster/nats_client.hpp"

#include <algorithm>

namespace switchboard::cluster {

namespace {

using options_ptr = nats_ptr<natsOptions, natsOptions_Destroy>;

bool unavailable(natsStatus s, jsErrCode js_code) {
  switch (s) {
    case NATS_TIMEOUT:
    case NATS_NO_RESPONDERS:
    case NATS_NO_SERVER:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NOT_YET_CONNECTED:
      return true;
    default:
      break;
  }
  return js_code == JSClusterNotAvailErr || js_code == JSClusterNotLeaderErr ||
         js_code == JSStreamOfflineErr || js_code == JSClusterNoPeersErr;
}

/// nats.c's text for the last error of this thread (it is thread-local)
/// when it belongs to `s`, else the status' generic text. nats.c starts it
/// with its source location, "(js.c:535): ", which says nothing to a user.
std::string text_of(natsStatus s) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  if (last != s || !text || !*text)
    return natsStatus_GetText(s);
  std::string_view t{text};
  if (auto end = t.find("): ");
      !t.empty() && t.front() == '(' && end != std::string_view::npos)
    t.remove_prefix(end + 3);
  return std::string{t};
}

core::result<options_ptr> make_options(const std::vector<std::string>& urls,
                                       std::chrono::milliseconds timeout) {
  natsOptions* raw = nullptr;
  if (auto s = natsOptions_Create(&raw); s != NATS_OK)
    return nats_error("NATS options", s);
  options_ptr opts{raw};
  std::vector<const char*> servers;
  for (const auto& u : urls)
    servers.push_back(u.c_str());
  auto s = natsOptions_SetServers(opts.get(), servers.data(),
                                  static_cast<int>(servers.size()));
  if (s == NATS_OK)
    s = natsOptions_SetTimeout(opts.get(), timeout.count());
  if (s != NATS_OK)
    return nats_error("NATS options", s);
  return opts;
}

std::string joined(const std::vector<std::string>& urls) {
  std::string out;
  for (const auto& u : urls)
    out += (out.empty() ? "" : ",") + u;
  return out;
}

} // namespace

core::error nats_error(std::string_view what, natsStatus s, jsErrCode js_code) {
  std::string message = std::string{what} + ": " + text_of(s);
  if (js_code != 0)
    message += " (JetStream error " + std::to_string(js_code) + ")";
  if (js_code == JSStreamWrongLastSequenceErr)
    return core::conflict(std::move(message));
  if (unavailable(s, js_code))
    return core::overloaded("NATS unavailable: " + message);
  return core::internal_error(std::move(message));
}

bool is_conflict(const core::error& e) {
  return e.code == core::errc::conflict;
}

core::result<std::unique_ptr<nats_client>>
nats_client::connect(const std::vector<std::string>& urls,
                     std::chrono::milliseconds timeout) {
  auto opts = make_options(urls, timeout);
  if (!opts)
    return opts.err();
  std::unique_ptr<nats_client> c{new nats_client};
  c->timeout_ = timeout;
  if (auto s = natsConnection_Connect(&c->nc_, opts->get()); s != NATS_OK)
    return nats_error("cannot connect to NATS at " + joined(urls), s);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = timeout.count();
  if (auto s = natsConnection_JetStream(&c->js_, c->nc_, &jo); s != NATS_OK)
    return nats_error("JetStream context", s);
  return c;
}

nats_client::~nats_client() {
  jsCtx_Destroy(js_);
  natsConnection_Destroy(nc_);
}

} // namespace switchboard::cluster

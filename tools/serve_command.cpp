// `switchboard serve`: runs the engine and its HTTP API on a data dir until
// SIGINT/SIGTERM (shared/API.md "Command line").
//
// Cluster mode (--nats/--node-id or the config's `cluster` section,
// shared/CLUSTER.md): before anything else the node connects and checks the
// cluster (initialised, same partitions, replicas and member TTL); once the
// HTTP server is bound it joins SB_MEMBERS with its URL (a live duplicate
// id is refused) and only then prints the listening line. On SIGINT/SIGTERM
// it deletes its member key first, then stops as a single node does. Phase
// 2a: the data still goes through this node's own engine.

#include "actors/engine.hpp"
#include "api/server.hpp"
#include "config/config.hpp"
#include "persistence/data_dir_lock.hpp"
#include "tools/cluster_node.hpp"
#include "tools/commands.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>

namespace switchboard::tools {

namespace {

struct serve_flags {
  std::optional<std::string> config_file;
  std::optional<std::string> data_dir;
  std::optional<std::string> listen;
  std::optional<std::string> token_file;
  std::string clock = "system";
  std::optional<std::string> ui_dir;
  std::optional<std::string> nats;
  std::optional<std::string> node_id;
  bool print_config = false;
};

struct host_port {
  std::string host;
  std::uint16_t port = 0;
};

/// "HOST:PORT" or "[V6]:PORT"; the port 0-65535.
core::result<host_port> parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return core::bad_request("listen: expected HOST:PORT, got '" + listen +
                             "'");
  host_port hp{listen.substr(0, colon), 0};
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']')
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  auto port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port_text) > 65535)
    return core::bad_request("listen: bad port '" + port_text + "'");
  hp.port = static_cast<std::uint16_t>(std::stoi(port_text));
  return hp;
}

core::result<core::settings> load(const serve_flags& f) {
  config::load_inputs in;
  in.config_file = f.config_file;
  in.flags.listen = f.listen;
  in.flags.data_dir = f.data_dir;
  in.flags.token_file = f.token_file;
  in.flags.nats = f.nats;
  in.flags.node_id = f.node_id;
  return config::load_settings(in);
}

/// The server options for the settings: listen address, token, body limit.
core::result<api::server_options>
server_options_for(const core::settings& cfg, core::manual_clock* clock) {
  auto hp = parse_listen(cfg.listen);
  if (!hp)
    return hp.err();
  api::server_options o;
  o.host = hp.value().host;
  o.port = hp.value().port;
  o.max_body_bytes = cfg.api.max_body_bytes;
  o.max_connections = static_cast<std::size_t>(cfg.api.max_connections);
  o.clock = clock;
  o.settings = cfg;
  if (cfg.api.token_file) {
    auto token = config::read_token_file(*cfg.api.token_file);
    if (!token)
      return token.err();
    o.token = token.value();
  }
  return o;
}

/// Blocks SIGINT and SIGTERM in this thread and every thread started after
/// it, so that wait_for_signal() is the only place they arrive.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int wait_for_signal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int fail(const core::error& e) {
  spdlog::error("serve: {}", e.message);
  return 1;
}

/// "http://HOST:PORT", as the listening line and the member key say it.
std::string listen_url(const std::string& host, std::uint16_t port) {
  return "http://" + host + ":" + std::to_string(port);
}

int serve(const serve_flags& f) {
  auto cfg = load(f);
  if (!cfg)
    return fail(cfg.err());
  if (f.print_config) {
    std::cout << config::dump_settings(cfg.value()) << std::endl;
    return 0;
  }
  // Before any thread starts (the node's, nats.c's, the engine's).
  auto signals = block_stop_signals();
  auto node = connect_node(cfg.value()); // null in single-node mode
  if (!node)
    return fail(node.err());
  std::shared_ptr<core::manual_clock> manual;
  std::shared_ptr<core::clock> clk = std::make_shared<core::system_clock>();
  if (f.clock == "manual")
    clk = manual = std::make_shared<core::manual_clock>(clk->now());
  auto opts = server_options_for(cfg.value(), manual.get());
  if (!opts)
    return fail(opts.err());
  opts.value().ui_dir = f.ui_dir;
  if (node.value())
    opts.value().cluster_status = status_source(*node.value());
  std::error_code ec;
  std::filesystem::create_directories(cfg.value().data_dir, ec);
  // SPEC 15: one owner per data dir, held until the process exits.
  auto lock = persistence::data_dir_lock::acquire(cfg.value().data_dir);
  if (!lock)
    return fail(lock.err());
  // Past a file size limit a write must fail with EFBIG (SQLite reports
  // it, the batch fails, nothing is acknowledged) instead of SIGXFSZ
  // killing the server.
  std::signal(SIGXFSZ, SIG_IGN);
  // Single-node mode: one engine on <data_dir>/state.db. Cluster mode: the
  // partitioned engine of the node's data path.
  std::unique_ptr<actors::engine> single;
  std::unique_ptr<data_path> cluster_data;
  if (node.value()) {
    auto d = data_path::start(cfg.value(), clk, *node.value());
    if (!d)
      return fail(d.err());
    cluster_data = std::move(*d);
  } else {
    auto eng = actors::engine::start(cfg.value(), clk);
    if (!eng)
      return fail(eng.err());
    single = std::move(*eng);
  }
  auto& eng = single ? *single : cluster_data->engine();
  auto stop_engine = [&] {
    if (cluster_data)
      cluster_data->stop();
    else
      single->stop();
  };
  auto server = api::start_server(eng, opts.value());
  if (!server) {
    stop_engine();
    return fail(server.err());
  }
  auto url = listen_url(opts.value().host, server.value().port());
  if (auto joined = join_cluster(node.value().get(), url); !joined) {
    server.value().stop();
    stop_engine();
    return fail(joined.err());
  }
  if (cluster_data)
    cluster_data->run_first_pass();
  spdlog::info("serve: started on {} (data dir {}, clock {})", url,
               cfg.value().data_dir, f.clock);
  std::cout << "switchboard listening on " << url << std::endl;
  int sig = wait_for_signal(signals);
  spdlog::info("serve: signal {}: stopping", sig);
  leave_cluster(node.value().get());
  if (cluster_data) // after leaving: the next owners take over at once
    cluster_data->hand_off();
  server.value().stop();
  stop_engine();
  spdlog::info("serve: stopped");
  return 0;
}

} // namespace

void register_serve_command(CLI::App& app, command_list& out) {
  auto* sub = app.add_subcommand("serve", "Run the engine and its HTTP API");
  auto f = std::make_shared<serve_flags>();
  sub->add_option("--config", f->config_file, "JSON configuration file");
  sub->add_option("--data-dir", f->data_dir, "Directory holding state.db");
  sub->add_option("--listen", f->listen, "HOST:PORT (port 0 picks one)");
  sub->add_option("--clock", f->clock, "system or manual")
    ->check(CLI::IsMember({"system", "manual"}));
  sub->add_option("--token-file", f->token_file,
                  "File holding the bearer token for /v1");
  sub
    ->add_option("--ui-dir", f->ui_dir,
                 "Serve the dashboard from this directory (development)")
    ->check(CLI::ExistingDirectory);
  sub->add_option("--nats", f->nats,
                  "Cluster mode: NATS server URLs, comma-separated "
                  "(nats://HOST:PORT); needs --node-id");
  sub->add_option("--node-id", f->node_id,
                  "Cluster mode: this node's id (1-64 of A-Z a-z 0-9 _ -)");
  sub->add_flag("--print-config", f->print_config,
                "Print the effective configuration and exit");
  out.push_back({sub, [f] {
                   // Logs go to stderr: stdout carries only the listening line.
                   spdlog::set_default_logger(
                     spdlog::stderr_logger_mt("switchboard"));
                   return serve(*f);
                 }});
}

} // namespace switchboard::tools

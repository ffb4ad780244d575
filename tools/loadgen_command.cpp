// `switchboard loadgen`: the command line of the load generator (loadgen/):
// simulated chats against an embedded engine or a running server
// (shared/API.md "Command line"), with a JSON summary, an HTML report,
// verification of the store and, with --url, publishing to the server.
//
// --url takes one server or several (comma-separated or the flag repeated):
// several are nodes of one cluster (or one server named twice), each
// answering for all the data. The load requests take the URLs in turn,
// the summary counts each URL's requests and errors ("targets"), and
// --verify checks the whole ledger through every URL. Independent
// single-node servers are no cluster: spread load over them with
// --replies 0 (a reply may land on a server that never saw the chat) and
// without --verify (each holds only its share).

#include "config/config.hpp"
#include "loadgen/publish.hpp"
#include "loadgen/report.hpp"
#include "loadgen/url_list.hpp"
#include "loadgen/verify.hpp"
#include "tools/client.hpp"
#include "tools/commands.hpp"
#include "tools/progress.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

namespace switchboard::tools {

namespace {

namespace lg = switchboard::loadgen;

struct loadgen_args {
  bool embedded = false;
  std::vector<std::string> url_args; // as given: repeated and/or a,b
  std::vector<std::string> urls;     // parsed, in order
  std::string data_dir;
  std::string config_file;
  std::string token_file;
  lg::workload_options work;
  std::string platforms = "telegram:40,discord:30,slack:20,whatsapp:10";
  lg::run_options run;
  bool json = false;
  std::string report;
  bool verify = false;
  bool no_verify = false;
  bool publish = false;
  int client_threads = 2;
  std::int64_t test_drop_ack = -1;
};

std::string url_text(const std::vector<std::string>& urls) {
  std::string out;
  for (const auto& u : urls)
    out += (out.empty() ? "" : ",") + u;
  return out;
}

nlohmann::json parameters_of(const loadgen_args& a) {
  return {{"target", a.embedded ? std::string{"embedded"} : url_text(a.urls)},
          {"chats", a.work.chats},
          {"messages", a.run.messages},
          {"message_bytes", a.work.message_bytes},
          {"platforms", a.platforms},
          {"groups", a.work.groups},
          {"threads", a.work.threads},
          {"zipf", a.work.zipf},
          {"replies", a.work.replies},
          {"seed", a.work.seed},
          {"concurrency", a.run.concurrency},
          {"batch", a.run.batch},
          {"rate", a.run.rate},
          {"virtual_clock", a.run.virtual_clock},
          {"sim_speed", a.run.sim_speed},
          {"sim_seconds_per_message", a.run.sim_per_message}};
}

/// A fresh directory under the temp dir.
core::result<std::string> make_temp_dir() {
  auto base =
    std::filesystem::temp_directory_path() / "switchboard-loadgen-XXXXXX";
  std::string path = base.string();
  if (!::mkdtemp(path.data()))
    return core::internal_error("cannot create a temp dir");
  return path;
}

core::result<std::optional<std::string>> read_token(const loadgen_args& a) {
  if (a.token_file.empty())
    return std::optional<std::string>{};
  auto t = config::read_token_file(a.token_file);
  if (!t)
    return t.err();
  return std::optional<std::string>{t.value()};
}

/// Prints the problems; 1 when there are any.
int report_problems(const std::vector<std::string>& problems) {
  if (problems.empty()) {
    std::cerr << "verify: ok\n";
    return 0;
  }
  std::cerr << "verify: FAILED\n";
  for (const auto& p : problems)
    std::cerr << "  " << p << "\n";
  return 1;
}

int write_outputs(const loadgen_args& a, const lg::run_result& r) {
  auto summary = lg::summary_json(r);
  for (const auto& e : r.first_errors)
    std::cerr << "error: " << e << "\n";
  if (!a.report.empty()) {
    std::ofstream f{a.report};
    f << lg::html_report(r, summary, parameters_of(a));
    if (!f)
      return fail(core::internal_error("cannot write " + a.report));
  }
  if (a.json) {
    std::cout << summary.dump() << std::endl;
  } else {
    lg::print_summary(std::cout, summary);
  }
  return 0;
}

struct embedded_run {
  std::string dir;
  bool temp = false;
  bool fresh = false;
};

core::result<embedded_run> prepare_dir(const loadgen_args& a) {
  embedded_run e{a.data_dir, false, true};
  if (e.dir.empty()) {
    auto d = make_temp_dir();
    if (!d)
      return d.err();
    e.dir = d.value();
    e.temp = true;
  } else {
    e.fresh = !std::filesystem::exists(e.dir + "/state.db");
  }
  return e;
}

int verify_embedded(const loadgen_args& a, const embedded_run& e,
                    const lg::run_result& r) {
  if (a.test_drop_ack >= 0)
    if (auto s = lg::drop_acked_message(e.dir, r.acked, a.test_drop_ack); !s)
      return fail(s.err());
  auto view = lg::data_dir_view(e.dir, e.fresh);
  if (!view)
    return fail(view.err());
  return report_problems(lg::verify_run(r.acked, view.value()));
}

int run_embedded(const loadgen_args& a, lg::workload& w) {
  auto e = prepare_dir(a);
  if (!e)
    return fail(e.err());
  lg::embedded_options o{e->dir, std::nullopt, a.run.virtual_clock};
  if (!a.config_file.empty())
    o.config_file = a.config_file;
  auto t = lg::start_embedded(o);
  if (!t)
    return fail(t.err());
  lg::run_result r;
  lg::run_load(*t.value(), w, a.run, r);
  lg::stop_embedded(*t.value());
  t.value().reset();
  int rc = write_outputs(a, r);
  if (rc == 0 && !a.no_verify)
    rc = verify_embedded(a, e.value(), r);
  if (e->temp) {
    std::error_code ec;
    std::filesystem::remove_all(e->dir, ec);
  }
  return rc;
}

/// "pass" when nothing failed and verification (if it ran) passed.
std::string verdict_of(const lg::run_result& r, int rc) {
  return rc == 0 && r.stats.errors() == 0 ? "pass" : "fail";
}

std::unique_ptr<lg::publisher>
start_publisher(const loadgen_args& a, const std::optional<std::string>& token,
                const lg::run_result& r) {
  if (!a.publish)
    return nullptr;
  lg::publish_options p{a.urls.front(), token, "", a.run.rate, a.report};
  auto out = std::make_unique<lg::publisher>(std::move(p), r);
  std::cerr << "loadgen: publishing as " << out->run_id() << "\n";
  return out;
}

/// The whole ledger through every URL (each node answers for the whole
/// cluster); with several URLs each problem names the URL it was seen
/// through.
int verify_http(const loadgen_args& a, const std::optional<std::string>& token,
                const lg::run_result& r) {
  std::vector<std::string> problems;
  for (const auto& url : a.urls) {
    auto found = lg::verify_run(r.acked, lg::http_view(url, token));
    for (auto& p : found)
      problems.push_back(a.urls.size() > 1 ? url + ": " + p : std::move(p));
  }
  return report_problems(problems);
}

int run_http(const loadgen_args& a, lg::workload& w) {
  auto token = read_token(a);
  if (!token)
    return fail(token.err());
  // One target (own connections, every URL) per driver thread, the
  // connections split.
  int lanes = std::min(a.client_threads, a.run.concurrency);
  std::vector<std::unique_ptr<lg::target>> targets;
  std::vector<lg::target*> ptrs;
  for (int i = 0; i < lanes; ++i) {
    targets.push_back(lg::make_http_target(
      {a.urls, token.value(), a.run.concurrency / lanes + 1}));
    ptrs.push_back(targets.back().get());
  }
  lg::run_result r;
  r.started = std::chrono::steady_clock::now();
  auto pub = start_publisher(a, token.value(), r);
  lg::run_load(ptrs, w, a.run, r);
  for (const auto& t : targets)
    lg::add_per_url(*t, r.targets);
  if (pub)
    pub->stop();
  int rc = write_outputs(a, r);
  if (rc == 0 && a.verify)
    rc = verify_http(a, token.value(), r);
  if (pub)
    pub->finish(lg::summary_json(r), verdict_of(r, rc));
  return rc;
}

int run_loadgen(loadgen_args& a) {
  if (a.embedded == !a.url_args.empty())
    return usage_error("loadgen: give exactly one of --embedded and --url");
  if (!a.embedded) {
    auto urls = lg::parse_url_list(a.url_args, "--url");
    if (!urls)
      return usage_error("loadgen: " + urls.err().message);
    a.urls = std::move(urls).value();
  }
  if (a.test_drop_ack >= 0 && !a.embedded)
    return usage_error("loadgen: --test-drop-ack needs --embedded");
  if (a.publish && a.embedded)
    return usage_error("loadgen: --publish needs --url");
  auto mix = lg::parse_platform_mix(a.platforms);
  if (!mix)
    return usage_error(mix.err().message);
  a.work.platforms = std::move(mix).value();
  if (a.work.groups + a.work.threads > 1)
    return usage_error("loadgen: --groups + --threads must be at most 1");
  a.run.progress = !a.json && stdout_is_terminal();
  lg::workload w{a.work};
  return a.embedded ? run_embedded(a, w) : run_http(a, w);
}

void add_workload_options(CLI::App* sub, loadgen_args& a) {
  sub->add_option("--chats", a.work.chats, "Distinct chats")
    ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}));
  sub
    ->add_option("--messages", a.run.messages,
                 "Messages in total (user and assistant)")
    ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000000}));
  sub
    ->add_option("--message-bytes", a.work.message_bytes,
                 "Typical message size (sizes vary +-50%)")
    ->check(CLI::Range(std::size_t{1}, std::size_t{500000}));
  sub->add_option("--platforms", a.platforms, "Platform mix NAME:WEIGHT,...");
  sub->add_option("--groups", a.work.groups, "Share of group chats")
    ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--threads", a.work.threads, "Share of thread chats")
    ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--zipf", a.work.zipf, "Zipf exponent of chat activity")
    ->check(CLI::Range(0.0, 10.0));
  sub
    ->add_option("--replies", a.work.replies,
                 "Share of user messages answered (assistant reply + usage)")
    ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--seed", a.work.seed, "Random seed (same seed, same load)");
}

void add_run_options(CLI::App* sub, loadgen_args& a) {
  sub
    ->add_option("--concurrency", a.run.concurrency,
                 "Requests in flight at most (with --url: keep-alive "
                 "connections, all driven from one thread)")
    ->check(CLI::Range(1, 4096));
  sub
    ->add_option("--batch", a.run.batch,
                 "Turns per POST /v1/messages:batch (route_batch embedded)")
    ->check(CLI::Range(0, 500));
  sub
    ->add_option("--rate", a.run.rate,
                 "Open loop: messages per second (latency from the "
                 "intended send time)")
    ->check(CLI::PositiveNumber);
  sub->add_flag("--virtual-clock", a.run.virtual_clock,
                "Drive the manual clock and expiry sweeps (embedded, or a "
                "server started with --clock manual)");
  sub
    ->add_option("--sim-speed", a.run.sim_speed,
                 "Simulated seconds per real second")
    ->check(CLI::NonNegativeNumber);
  sub
    ->add_option("--sim-seconds-per-message", a.run.sim_per_message,
                 "Advance simulated time per message sent instead "
                 "(deterministic)")
    ->check(CLI::NonNegativeNumber);
}

} // namespace

void register_loadgen_command(CLI::App& app, command_list& out) {
  auto a = std::make_shared<loadgen_args>();
  auto* sub = app.add_subcommand("loadgen", "Simulated chats against an "
                                            "embedded engine or a server");
  sub->add_flag("--embedded", a->embedded, "Run an engine in this process");
  sub
    ->add_option("--url", a->url_args,
                 "A running server, http://HOST:PORT; several (a,b or the "
                 "flag repeated) are nodes of one cluster: requests take "
                 "them in turn, --verify checks through each")
    ->allow_extra_args(false);
  sub->add_option("--data-dir", a->data_dir,
                  "Embedded: the engine's data dir (default: a fresh temp "
                  "dir, removed afterwards)");
  sub->add_option("--config", a->config_file,
                  "Embedded: the engine's JSON configuration");
  sub->add_option("--token-file", a->token_file, "URL: bearer token file");
  sub
    ->add_option("--client-threads", a->client_threads,
                 "URL: driver threads, each with its share of the "
                 "connections (event driven; default 2)")
    ->check(CLI::Range(1, 64));
  add_workload_options(sub, *a);
  add_run_options(sub, *a);
  sub->add_flag("--json", a->json, "Last stdout line: the JSON summary");
  sub->add_option("--report", a->report, "Write an HTML report");
  sub->add_flag("--verify", a->verify,
                "Check the store against the acknowledgements (default for "
                "--embedded; with several --url, the whole ledger through "
                "each URL)");
  sub->add_flag("--no-verify", a->no_verify, "Skip verification");
  sub->add_flag("--publish", a->publish,
                "URL: post the live summary to URL/v1/admin/loadtests every "
                "second and the verdict at the end");
  sub
    ->add_option("--test-drop-ack", a->test_drop_ack,
                 "Test only: delete the N-th acknowledged message before "
                 "verifying")
    ->group("");
  out.push_back({sub, [a] {
                   spdlog::set_default_logger(
                     spdlog::stderr_logger_mt("switchboard"));
                   spdlog::set_level(spdlog::level::warn);
                   return run_loadgen(*a);
                 }});
}

} // namespace switchboard::tools

#include "loadgen/report.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace switchboard::loadgen {

namespace {

double round3(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

nlohmann::json series_json(const run_result& r) {
  auto out = nlohmann::json::array();
  auto s = r.stats.series();
  for (std::size_t i = 0; i < s.size(); ++i)
    out.push_back({{"second", i},
                   {"msgs", s[i].acked},
                   {"errors", s[i].errors},
                   {"p50", round3(s[i].p50)},
                   {"p99", round3(s[i].p99)}});
  return out;
}

std::string esc(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

struct line {
  std::string name;
  std::string color;
  std::vector<double> ys;
};

constexpr double chart_w = 720, chart_h = 240, pad = 48;

std::string num(double v) {
  std::ostringstream o;
  o << std::setprecision(4) << v;
  return o.str();
}

/// A line chart over x = 0..n-1 with a y axis from 0 to the largest value.
std::string line_chart(const std::string& title, const std::string& unit,
                       const std::vector<line>& lines) {
  double ymax = 0;
  std::size_t n = 0;
  for (const auto& l : lines) {
    n = std::max(n, l.ys.size());
    for (double y : l.ys)
      ymax = std::max(ymax, y);
  }
  ymax = ymax > 0 ? ymax * 1.1 : 1;
  double dx = (chart_w - 2 * pad) / static_cast<double>(n > 1 ? n - 1 : 1);
  std::ostringstream o;
  o << "<h2>" << esc(title) << "</h2><svg width='" << chart_w << "' height='"
    << chart_h << "' xmlns='http://www.w3.org/2000/svg'>"
    << "<rect width='100%' height='100%' fill='#fafafa' stroke='#ccc'/>";
  for (int g = 0; g <= 4; ++g) {
    double y = chart_h - pad + (2 * pad - chart_h) * g / 4.0;
    o << "<line x1='" << pad << "' x2='" << chart_w - pad << "' y1='" << y
      << "' y2='" << y << "' stroke='#e0e0e0'/><text x='4' y='" << y + 4
      << "' font-size='10'>" << num(ymax * g / 4.0) << "</text>";
  }
  o << "<text x='" << chart_w / 2 << "' y='" << chart_h - 8
    << "' font-size='11'>seconds</text><text x='4' y='14' font-size='11'>"
    << esc(unit) << "</text>";
  for (std::size_t li = 0; li < lines.size(); ++li) {
    const auto& l = lines[li];
    o << "<polyline fill='none' stroke-width='2' stroke='" << l.color
      << "' points='";
    for (std::size_t i = 0; i < l.ys.size(); ++i)
      o << pad + dx * static_cast<double>(i) << ","
        << chart_h - pad - (chart_h - 2 * pad) * l.ys[i] / ymax << " ";
    o << "'/><text x='" << chart_w - pad - 60 << "' y='" << 16 + 14 * li
      << "' font-size='11' fill='" << l.color << "'>" << esc(l.name)
      << "</text>";
  }
  o << "</svg>";
  return o.str();
}

std::string histogram_chart(const std::vector<histogram_bucket>& buckets) {
  std::int64_t top = 1;
  for (const auto& b : buckets)
    top = std::max(top, b.count);
  double bw = (chart_w - 2 * pad) /
              static_cast<double>(std::max<std::size_t>(1, buckets.size()));
  std::ostringstream o;
  o << "<h2>Latency histogram (log buckets, ms)</h2><svg width='" << chart_w
    << "' height='" << chart_h << "' xmlns='http://www.w3.org/2000/svg'>"
    << "<rect width='100%' height='100%' fill='#fafafa' stroke='#ccc'/>";
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    double h = (chart_h - 2 * pad) * static_cast<double>(buckets[i].count) /
               static_cast<double>(top);
    double x = pad + bw * static_cast<double>(i);
    o << "<rect x='" << x << "' y='" << chart_h - pad - h << "' width='"
      << std::max(1.0, bw - 1) << "' height='" << h
      << "' fill='#4a7ebb'><title>&lt;= " << num(buckets[i].upper_ms)
      << " ms: " << buckets[i].count << "</title></rect>";
    if (i % 5 == 0)
      o << "<text x='" << x << "' y='" << chart_h - pad + 14
        << "' font-size='10'>" << num(buckets[i].upper_ms) << "</text>";
  }
  o << "<text x='4' y='14' font-size='11'>requests (max " << top
    << ")</text></svg>";
  return o.str();
}

std::string table(const nlohmann::json& object) {
  std::ostringstream o;
  o << "<table>";
  for (const auto& [k, v] : object.items())
    o << "<tr><th>" << esc(k) << "</th><td>"
      << esc(v.is_string() ? v.get<std::string>() : v.dump()) << "</td></tr>";
  o << "</table>";
  return o.str();
}

} // namespace

namespace {

nlohmann::json summary_of(const run_result& r, std::int64_t messages,
                          double seconds, const latency_summary& lat) {
  auto acked = r.stats.acked();
  return {{"messages", messages},
          {"acked", acked},
          {"errors", r.stats.errors()},
          {"seconds", round3(seconds)},
          {"msgs_per_s",
           round3(seconds > 0 ? static_cast<double>(acked) / seconds : 0)},
          {"latency_ms",
           {{"p50", round3(lat.p50)},
            {"p90", round3(lat.p90)},
            {"p99", round3(lat.p99)},
            {"max", round3(lat.max)}}},
          {"sessions", r.acked.session_count()},
          {"resets",
           {{"idle", r.acked.resets(core::reset_reason::idle)},
            {"daily", r.acked.resets(core::reset_reason::daily)}}},
          {"expired", r.acked.expired()},
          {"flushed", r.acked.flushed()}};
}

nlohmann::json targets_json(const std::vector<url_count>& targets) {
  auto out = nlohmann::json::array();
  for (const auto& t : targets)
    out.push_back(
      {{"url", t.url}, {"requests", t.requests}, {"errors", t.failed}});
  return out;
}

} // namespace

nlohmann::json summary_json(const run_result& r) {
  auto all = r.stats.all_latencies();
  auto out = summary_of(r, r.messages, r.seconds, summarize(all));
  out["series"] = series_json(r);
  if (!r.targets.empty())
    out["targets"] = targets_json(r.targets);
  return out;
}

nlohmann::json live_summary(const run_result& r) {
  auto seconds =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - r.started)
      .count();
  return summary_of(r, r.sent.load(), seconds, r.stats.running_latency());
}

void print_summary(std::ostream& out, const nlohmann::json& s) {
  const auto& l = s["latency_ms"];
  out << "messages " << s["messages"] << ", acked " << s["acked"] << ", errors "
      << s["errors"] << " in " << s["seconds"] << " s: " << s["msgs_per_s"]
      << " msg/s\n"
      << "latency ms: p50 " << l["p50"] << ", p90 " << l["p90"] << ", p99 "
      << l["p99"] << ", max " << l["max"] << "\n"
      << "sessions " << s["sessions"] << ", resets idle " << s["resets"]["idle"]
      << ", daily " << s["resets"]["daily"] << ", expired " << s["expired"]
      << ", flushed " << s["flushed"] << "\n";
  if (s.contains("targets") && s["targets"].size() > 1)
    for (const auto& t : s["targets"])
      out << "  " << t["url"].get<std::string>() << ": requests "
          << t["requests"] << ", errors " << t["errors"] << "\n";
}

std::string html_report(const run_result& r, const nlohmann::json& summary,
                        const nlohmann::json& parameters) {
  auto series = r.stats.series();
  line msgs{"msg/s", "#2a7", {}}, p50{"p50", "#37c", {}},
    p99{"p99", "#c33", {}};
  for (const auto& s : series) {
    msgs.ys.push_back(static_cast<double>(s.acked));
    p50.ys.push_back(s.p50);
    p99.ys.push_back(s.p99);
  }
  auto headline = summary;
  headline.erase("series");
  std::ostringstream o;
  o << "<!doctype html><html><head><meta charset='utf-8'>"
    << "<title>switchboard loadgen report</title><style>"
    << "body{font-family:sans-serif;margin:2em;color:#222}"
    << "th{text-align:left;padding-right:1em}td{font-family:monospace}"
    << "</style></head><body><h1>switchboard loadgen report</h1>"
    << "<h2>Summary</h2>" << table(headline) << "<h2>Parameters</h2>"
    << table(parameters)
    << line_chart("Throughput", "acknowledged messages per second", {msgs})
    << line_chart("Latency percentiles", "ms", {p50, p99})
    << histogram_chart(log_histogram(r.stats.all_latencies()))
    << "</body></html>\n";
  return o.str();
}

} // namespace switchboard::loadgen

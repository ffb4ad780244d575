#include "fake_engine.hpp"

#include "core/session_key.hpp"
#include "core/title.hpp"

#include <algorithm>

namespace switchboard::api::testing {

struct fake_session {
  std::string id;
  std::string source;
  std::optional<std::string> title;
  std::vector<core::message> messages;
  std::vector<core::message> replaced; // by rewrites (active = 0)
};

struct fake_engine::state {
  std::mutex mtx;
  std::map<std::string, core::session_entry> entries; // by key
  std::map<std::string, fake_session> sessions;       // by id
  int next_session = 1;
  std::int64_t next_message = 1;
  std::int64_t routed = 0;
  record last;

  std::string new_session(const std::string& source, core::time_point now) {
    (void)now;
    auto id = "sess_" + std::to_string(next_session++);
    sessions[id] = fake_session{id, source, std::nullopt, {}, {}};
    return id;
  }

  std::int64_t add_message(const std::string& id, core::message m) {
    sessions[id].messages.push_back(std::move(m));
    return next_message++;
  }

  nlohmann::json session_json(const fake_session& s) const {
    return {{"id", s.id},
            {"source", s.source},
            {"title", s.title ? nlohmann::json(*s.title) : nullptr},
            {"message_count", s.messages.size()}};
  }
};

namespace {

/// The store_reader over the fake state. REQUIRES: state.mtx held.
class fake_reader final : public core::store_reader {
public:
  explicit fake_reader(fake_engine::state& s) : s_(s) {}

  core::result<std::optional<core::session_entry>>
  get_entry(std::string_view key) override {
    auto it = s_.entries.find(std::string{key});
    if (it == s_.entries.end())
      return std::optional<core::session_entry>{};
    return std::optional<core::session_entry>{it->second};
  }
  core::result<std::vector<core::session_entry>>
  list_entries(const core::entry_list_query& q) override {
    s_.last.list = q;
    std::vector<core::session_entry> out;
    for (const auto& [k, e] : s_.entries)
      if (!q.active_since || e.updated_at >= *q.active_since)
        out.push_back(e);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.updated_at > b.updated_at;
    });
    return out;
  }
  core::result<core::entry_counts>
  count_entries(const core::entry_list_query& q) override {
    s_.last.list = q;
    core::entry_counts out;
    for (const auto& [k, e] : s_.entries) {
      if (q.active_since && e.updated_at < *q.active_since)
        continue;
      ++out.by_platform[e.platform];
      if (q.platform && *q.platform != e.platform)
        continue;
      ++out.total;
      out.total_tokens += e.total_tokens;
    }
    return out;
  }
  core::result<std::vector<core::expiry_candidate>>
  scan_expiry_candidates(core::time_point before, std::int64_t) override {
    std::vector<core::expiry_candidate> out;
    for (const auto& [k, e] : s_.entries)
      if (!e.expiry_finalized && e.updated_at < before)
        out.push_back({e, 0});
    return out;
  }
  core::result<std::vector<core::expiry_candidate>>
  scan_deferred_candidates(core::time_point, std::int64_t) override {
    return std::vector<core::expiry_candidate>{};
  }
  core::result<std::int64_t> entry_count() override {
    return static_cast<std::int64_t>(s_.entries.size());
  }
  core::result<std::optional<nlohmann::json>>
  get_session(std::string_view id) override {
    auto it = s_.sessions.find(std::string{id});
    if (it == s_.sessions.end())
      return std::optional<nlohmann::json>{};
    return std::optional<nlohmann::json>{s_.session_json(it->second)};
  }
  core::result<std::string> resolve_session_id(std::string_view p) override {
    if (s_.sessions.count(std::string{p}))
      return std::string{p};
    std::vector<std::string> hits;
    for (const auto& [id, s] : s_.sessions)
      if (id.rfind(p, 0) == 0)
        hits.push_back(id);
    if (hits.empty())
      return core::not_found("no session " + std::string{p});
    if (hits.size() > 1)
      return core::bad_request("ambiguous session id prefix '" +
                               std::string{p} + "'");
    return hits[0];
  }
  core::result<std::optional<std::string>>
  resolve_title(std::string_view) override {
    return std::optional<std::string>{};
  }
  core::result<std::string> next_title(std::string_view t) override {
    return std::string{t};
  }
  core::result<std::string> compression_tip(std::string_view id) override {
    return std::string{id};
  }
  core::result<nlohmann::json> history(const core::history_query& q) override {
    s_.last.history = q;
    auto rows = nlohmann::json::array();
    for (const auto& [id, s] : s_.sessions)
      if (!q.source || s.source == *q.source)
        rows.push_back(s_.session_json(s));
    return rows;
  }
  core::result<std::int64_t>
  session_count(std::optional<std::string>) override {
    return static_cast<std::int64_t>(s_.sessions.size());
  }
  core::result<std::vector<std::string>>
  select_prunable(const core::prune_rule&) override {
    return std::vector<std::string>{};
  }
  /// One row per group: "g1" with 1 of each token kind, cost 0.5.
  core::result<std::vector<core::usage_row>>
  usage(const core::usage_query& q) override {
    s_.last.usage = q;
    return std::vector<core::usage_row>{{"g1", 1, 2, 3, 4, 0.5, 1}};
  }
  core::result<nlohmann::json> transcript(std::string_view id,
                                          bool stitch) override {
    auto it = s_.sessions.find(std::string{id});
    if (it == s_.sessions.end())
      return core::not_found("no session " + std::string{id});
    auto out = nlohmann::json::array();
    if (stitch)
      out.push_back({{"role", "system"}, {"content", "stitched"}});
    for (const auto& m : it->second.messages)
      out.push_back(core::to_conversation_json(m));
    return out;
  }
  core::result<nlohmann::json> search(const core::search_query& q) override {
    s_.last.search = q;
    if (q.text == "fail")
      return core::internal_error("fts5: syntax error");
    auto hits = nlohmann::json::array();
    for (const auto& [id, s] : s_.sessions)
      for (const auto& m : s.messages)
        if (!q.text.empty() && m.content &&
            m.content->find(q.text) != std::string::npos)
          hits.push_back(
            {{"session_id", id}, {"role", m.role}, {"snippet", *m.content}});
    return hits;
  }
  core::result<std::optional<nlohmann::json>>
  export_session(std::string_view id) override {
    auto it = s_.sessions.find(std::string{id});
    if (it == s_.sessions.end())
      return std::optional<nlohmann::json>{};
    auto j = s_.session_json(it->second);
    j["messages"] = nlohmann::json::array();
    for (const auto& m : it->second.messages)
      j["messages"].push_back(core::to_conversation_json(m));
    return std::optional<nlohmann::json>{j};
  }
  /// The replaced rows first (active 0), then the current ones (active 1).
  core::result<std::optional<nlohmann::json>>
  export_session_all(std::string_view id) override {
    auto it = s_.sessions.find(std::string{id});
    if (it == s_.sessions.end())
      return std::optional<nlohmann::json>{};
    auto j = s_.session_json(it->second);
    j["messages"] = nlohmann::json::array();
    for (auto [rows, active] : {std::pair{&it->second.replaced, 0},
                                std::pair{&it->second.messages, 1}})
      for (const auto& m : *rows) {
        auto row = core::to_conversation_json(m);
        row["active"] = active;
        j["messages"].push_back(std::move(row));
      }
    return std::optional<nlohmann::json>{j};
  }
  core::status
  export_all(std::optional<std::string>,
             const std::function<void(const nlohmann::json&)>&) override {
    return {};
  }
  core::result<std::int64_t>
  message_count(std::optional<std::string>) override {
    return std::int64_t{0};
  }

private:
  fake_engine::state& s_;
};

core::error no_entry(const std::string& key) {
  return core::not_found("no session for key " + key);
}

} // namespace

fake_engine::fake_engine(core::settings cfg)
  : cfg_(std::move(cfg)), state_(std::make_unique<state>()),
    worker_([this] { run_worker(); }) {}

fake_engine::~fake_engine() {
  {
    std::lock_guard lock{qmtx_};
    quit_ = true;
  }
  qcv_.notify_all();
  worker_.join();
}

void fake_engine::run_worker() {
  std::unique_lock lock{qmtx_};
  while (true) {
    qcv_.wait(lock, [&] { return quit_ || (!held_ && !queue_.empty()); });
    if (queue_.empty())
      return;
    auto batch = std::move(queue_);
    queue_.clear();
    busy_running_ = true;
    lock.unlock();
    for (auto& fn : batch) {
      std::lock_guard slock{state_->mtx};
      fn();
    }
    lock.lock();
    busy_running_ = false;
    qcv_.notify_all();
  }
}

void fake_engine::deliver(std::function<void()> fn) {
  {
    std::lock_guard lock{qmtx_};
    queue_.push_back(std::move(fn));
  }
  qcv_.notify_all();
}

void fake_engine::hold() {
  std::lock_guard lock{qmtx_};
  held_ = true;
}

void fake_engine::release() {
  {
    std::lock_guard lock{qmtx_};
    held_ = false;
  }
  qcv_.notify_all();
}

void fake_engine::wait_queued(std::size_t n) {
  std::unique_lock lock{qmtx_};
  qcv_.wait(lock, [&] { return queue_.size() >= n; });
}

void fake_engine::wait_subscriber() {
  std::unique_lock lock{qmtx_};
  qcv_.wait(lock, [&] { return !subs_.empty(); });
}

void fake_engine::settle() {
  std::unique_lock lock{qmtx_};
  qcv_.wait(lock, [&] { return queue_.empty() && !busy_running_; });
}

fake_engine::record fake_engine::last() const {
  std::lock_guard lock{state_->mtx};
  return state_->last;
}

bool fake_engine::take_overload() {
  return overload_next_.exchange(false);
}

core::result<actors::route_reply>
fake_engine::route_now(actors::route_request& req) {
  auto& s = *state_;
  s.last.route_request_id = req.request_id;
  auto now = clock_.now();
  actors::route_reply r;
  r.session_key = core::build_session_key(req.origin, cfg_.keys);
  auto it = s.entries.find(r.session_key);
  if (it == s.entries.end() || req.force_new) {
    core::session_entry e;
    e.session_key = r.session_key;
    e.session_id = s.new_session(req.origin.platform, now);
    e.created_at = e.updated_at = now;
    e.origin = req.origin;
    e.platform = req.origin.platform;
    e.type = req.origin.type;
    if (it != s.entries.end()) {
      e.was_auto_reset = true; // reported like an auto reset for the test
      e.auto_reset_reason = core::reset_reason::idle;
    }
    r.was_auto_reset = e.was_auto_reset;
    r.auto_reset_reason = e.auto_reset_reason;
    s.entries[r.session_key] = e;
    r.created = true;
  }
  auto& e = s.entries[r.session_key];
  e.updated_at = now;
  r.session_id = e.session_id;
  if (req.msg)
    r.message_id = s.add_message(e.session_id, *req.msg);
  ++s.routed;
  return r;
}

void fake_engine::route(actors::route_request req,
                        actors::completion<actors::route_reply> done) {
  if (take_overload())
    return done(core::overloaded("writer queue full"));
  deliver(
    [this, req = std::move(req), done]() mutable { done(route_now(req)); });
}

void fake_engine::route_batch(
  std::vector<actors::route_request> reqs,
  std::function<void(std::vector<core::result<actors::route_reply>>)> done) {
  deliver([this, reqs = std::move(reqs), done]() mutable {
    std::vector<core::result<actors::route_reply>> out;
    for (auto& r : reqs)
      out.push_back(route_now(r));
    done(std::move(out));
  });
}

void fake_engine::append(std::string key, core::message msg,
                         actors::completion<actors::append_reply> done,
                         std::optional<std::string> request_id) {
  deliver([this, key, msg = std::move(msg), done, request_id] {
    state_->last.append_request_id = request_id;
    auto it = state_->entries.find(key);
    if (it == state_->entries.end())
      return done(no_entry(key));
    auto id = it->second.session_id;
    done(actors::append_reply{id, state_->add_message(id, msg)});
  });
}

void fake_engine::update_usage(std::string key, core::usage_update u,
                               actors::completion<core::session_entry> done) {
  deliver([this, key, u, done] {
    auto it = state_->entries.find(key);
    if (it == state_->entries.end())
      return done(no_entry(key));
    core::apply_usage(it->second, u);
    done(it->second);
  });
}

void fake_engine::reset(std::string key, std::optional<std::string> title,
                        actors::completion<core::session_entry> done) {
  deliver([this, key, title, done] {
    state_->last.reset_title = title;
    auto it = state_->entries.find(key);
    if (it == state_->entries.end())
      return done(no_entry(key));
    it->second.session_id =
      state_->new_session(it->second.platform, clock_.now());
    state_->sessions[it->second.session_id].title = title;
    done(it->second);
  });
}

void fake_engine::switch_to(std::string key, actors::switch_target target,
                            actors::completion<core::session_entry> done) {
  deliver([this, key, target, done] {
    state_->last.switch_target = target;
    auto it = state_->entries.find(key);
    if (it == state_->entries.end())
      return done(no_entry(key));
    if (!target.session_id || !state_->sessions.count(*target.session_id))
      return done(core::not_found("no such session"));
    it->second.session_id = *target.session_id;
    done(it->second);
  });
}

void fake_engine::set_busy(std::string key, bool busy,
                           std::optional<double> ttl,
                           actors::completion<core::session_entry> done) {
  deliver([this, key, busy, ttl, done] {
    state_->last.busy = busy;
    state_->last.busy_ttl = ttl;
    auto it = state_->entries.find(key);
    if (it == state_->entries.end())
      return done(no_entry(key));
    if (busy)
      it->second.busy_until = clock_.now() + std::chrono::hours{1};
    else
      it->second.busy_until.reset();
    done(it->second);
  });
}

void fake_engine::rewrite_transcript(
  std::string key, std::vector<core::message> msgs,
  actors::completion<actors::rewrite_reply> done) {
  deliver([this, key, msgs = std::move(msgs), done] {
    auto it = state_->entries.find(key);
    if (it == state_->entries.end())
      return done(no_entry(key));
    auto& s = state_->sessions[it->second.session_id];
    s.replaced.insert(s.replaced.end(), s.messages.begin(), s.messages.end());
    s.messages = msgs;
    done(actors::rewrite_reply{s.id, static_cast<std::int64_t>(msgs.size())});
  });
}

void fake_engine::get_entry(std::string key,
                            actors::completion<core::session_entry> done) {
  if (take_overload())
    return done(core::overloaded("too many requests in flight"));
  deliver([this, key, done] {
    auto it = state_->entries.find(key);
    if (it == state_->entries.end())
      return done(no_entry(key));
    done(it->second);
  });
}

void fake_engine::set_title(
  std::string session_id, std::string title,
  actors::completion<std::optional<std::string>> done) {
  deliver([this, session_id, title, done] {
    auto it = state_->sessions.find(session_id);
    if (it == state_->sessions.end())
      return done(core::not_found("no session " + session_id));
    auto clean = core::sanitize_title(title);
    if (!clean)
      return done(clean.err());
    for (const auto& [id, s] : state_->sessions)
      if (id != session_id && clean.value() && s.title == clean.value())
        return done(core::conflict("title '" + *clean.value() +
                                   "' is already in use by session " + id));
    it->second.title = clean.value();
    done(clean.value());
  });
}

void fake_engine::delete_session(std::string session_id,
                                 actors::completion<bool> done) {
  deliver([this, session_id, done] {
    if (!state_->sessions.erase(session_id))
      return done(core::not_found("no session " + session_id));
    std::erase_if(state_->entries, [&](const auto& kv) {
      return kv.second.session_id == session_id;
    });
    done(true);
  });
}

void fake_engine::expire_now(actors::completion<actors::sweep_report> done) {
  deliver([done] { done(actors::sweep_report{2, 1, 0}); });
}

void fake_engine::expire_key(std::string key,
                             std::optional<std::string> session_id,
                             actors::completion<actors::expire_reply> done) {
  deliver([this, key, session_id, done] {
    state_->last.expire_key = key;
    state_->last.expire_session_id = session_id;
    auto it = state_->entries.find(key);
    if (it == state_->entries.end())
      return done(no_entry(key));
    if (it->second.expiry_finalized)
      return done(core::conflict("already expired"));
    it->second.expiry_finalized = true;
    actors::expire_reply r;
    r.session_key = key;
    r.session_id = it->second.session_id;
    r.flushed = true;
    done(r);
  });
}

void fake_engine::prune(actors::prune_request req,
                        actors::completion<actors::prune_report> done) {
  deliver([this, req, done] {
    state_->last.prune_days = req.older_than_days;
    state_->last.prune_source = req.source;
    state_->last.prune_dry_run = req.dry_run;
    actors::prune_report r;
    r.dry_run = req.dry_run;
    for (int i = 0; i < 1003; ++i) // more than a reply lists
      r.session_ids.push_back("s" + std::to_string(i));
    r.pruned = static_cast<std::int64_t>(r.session_ids.size());
    done(std::move(r));
  });
}

void fake_engine::apply_retention(
  actors::completion<actors::prune_report> done) {
  deliver([done] {
    actors::prune_report r;
    r.pruned = 2;
    r.session_ids = {"a", "b"};
    done(std::move(r));
  });
}

void fake_engine::read(std::function<void(core::store_reader&)> fn) {
  deliver([this, fn] {
    fake_reader reader{*state_};
    fn(reader);
  });
}

std::shared_ptr<actors::subscription> fake_engine::subscribe(std::size_t cap) {
  auto sub = std::make_shared<actors::subscription>(cap);
  {
    std::lock_guard lock{qmtx_};
    subs_.push_back(sub);
  }
  qcv_.notify_all();
  return sub;
}

void fake_engine::publish(actors::event e) {
  std::lock_guard lock{qmtx_};
  for (auto& s : subs_)
    s->push(e);
}

actors::metrics_snapshot fake_engine::metrics() const {
  core::histogram batch{1.0};
  batch.record(3);
  batch.record(700);
  core::histogram commit{1e-6};
  commit.record(0.002);
  actors::metrics_snapshot m;
  m.messages_routed = 5;
  m.sessions_created = 2;
  m.resident_session_actors = 7;
  m.writer_batch_size = batch.read();
  m.writer_commit_seconds = commit.read();
  return m;
}

} // namespace switchboard::api::testing

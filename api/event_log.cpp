#include "api/event_log.hpp"

#include <algorithm>
#include <array>

namespace switchboard::api {

namespace {

constexpr std::array<std::string_view, 5> default_types{
  "session_created", "session_reset", "session_expired", "memory_flush",
  "session_switched"};
constexpr std::array<std::string_view, 3> opt_in_types{"message_appended",
                                                       "stats", "loadtest"};

bool known_type(std::string_view t) {
  auto in = [t](const auto& list) {
    return std::find(list.begin(), list.end(), t) != list.end();
  };
  return in(default_types) || in(opt_in_types);
}

std::string session_key_of(const nlohmann::json& data) {
  if (data.is_object())
    if (auto it = data.find("session_key"); it != data.end() && it->is_string())
      return it->get<std::string>();
  return {};
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

std::string format_sse(const logged_event& e) {
  return "id: " + std::to_string(e.id) + "\nevent: " + e.type +
         "\ndata: " + e.data + "\n\n";
}

bool opt_in_type(std::string_view type) {
  return std::find(opt_in_types.begin(), opt_in_types.end(), type) !=
         opt_in_types.end();
}

core::result<event_filter>
event_filter::parse(const std::vector<std::string>& types,
                    std::optional<std::string> session_key) {
  event_filter f;
  for (const auto& t : types) {
    if (!known_type(t))
      return core::bad_request("query.types: unknown event type '" + t + "'");
    f.types.insert(t);
  }
  f.session_key = std::move(session_key);
  return f;
}

bool event_filter::wants(const logged_event& e) const {
  if (e.type == "events_lost")
    return true;
  if (session_key && e.session_key != *session_key)
    return false;
  if (types.empty())
    return !opt_in_type(e.type);
  return names(e.type);
}

bool event_queue::push(const logged_event& e) {
  std::function<void()> ready;
  {
    std::lock_guard lk{mtx_};
    if (closed_)
      return false;
    if (buffer_.size() >= stream_queue_capacity) {
      closed_ = true; // too slow: the client resumes from the ring
    } else {
      buffer_.push_back(e);
    }
    ready = ready_;
  }
  if (ready)
    ready();
  return true;
}

std::vector<logged_event> event_queue::drain() {
  std::lock_guard lk{mtx_};
  std::vector<logged_event> out(std::make_move_iterator(buffer_.begin()),
                                std::make_move_iterator(buffer_.end()));
  buffer_.clear();
  return out;
}

bool event_queue::closed() const {
  std::lock_guard lk{mtx_};
  return closed_;
}

void event_queue::close() {
  std::lock_guard lk{mtx_};
  closed_ = true;
}

void event_queue::on_ready(std::function<void()> fn) {
  std::lock_guard lk{mtx_};
  ready_ = std::move(fn);
}

std::uint64_t event_log::append(std::string type, const nlohmann::json& data) {
  logged_event e{0, std::move(type), dump(data), session_key_of(data)};
  std::lock_guard lk{mtx_};
  e.id = next_id_++;
  for (const auto& q : queues_)
    if (q->filter().wants(e))
      q->push(e);
  // Why: a stats event is stale a second later; replaying minutes of them
  // after a reconnect helps nobody, and they would crowd out the rest.
  if (e.type == "stats")
    return e.id;
  ring_.push_back(std::move(e));
  if (ring_.size() > capacity_)
    ring_.pop_front();
  return ring_.back().id;
}

bool event_log::recording(std::string_view type, clock::time_point now) const {
  if (!opt_in_type(type))
    return true;
  std::lock_guard lk{mtx_};
  auto it = interest_.find(type);
  if (it == interest_.end())
    return false;
  return it->second.first > 0 || now - it->second.second < opt_in_grace;
}

std::shared_ptr<event_queue>
event_log::attach(event_filter f, std::optional<std::uint64_t> after) {
  auto q = std::make_shared<event_queue>(std::move(f));
  std::lock_guard lk{mtx_};
  if (after)
    replay(*q, after);
  for (const auto& t : q->filter().types)
    if (opt_in_type(t))
      ++interest_[t].first;
  queues_.push_back(q);
  return q;
}

void event_log::replay(event_queue& q,
                       std::optional<std::uint64_t> after) const {
  std::uint64_t oldest = ring_.empty() ? next_id_ : ring_.front().id;
  bool lost = *after + 1 < oldest || *after >= next_id_;
  if (lost) {
    nlohmann::json data{{"after", *after}, {"oldest", oldest}};
    q.push({oldest - 1, "events_lost", dump(data), {}});
  }
  for (const auto& e : ring_)
    if ((lost || e.id > *after) && q.filter().wants(e))
      q.push(e);
}

void event_log::detach(const std::shared_ptr<event_queue>& q,
                       clock::time_point now) {
  q->close();
  std::lock_guard lk{mtx_};
  auto it = std::find(queues_.begin(), queues_.end(), q);
  if (it == queues_.end())
    return;
  queues_.erase(it);
  for (const auto& t : q->filter().types)
    if (opt_in_type(t))
      interest_[t] = {interest_[t].first - 1, now};
}

std::uint64_t event_log::last_id() const {
  std::lock_guard lk{mtx_};
  return next_id_ - 1;
}

} // namespace switchboard::api

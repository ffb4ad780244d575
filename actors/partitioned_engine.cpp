// partitioned_engine (contract in partitioned_engine.hpp): slots, keyed
// operations, the batch split, reads, events, stop. By-id operations and
// switch_to are in partitioned_session_ops.cpp; scatter operations and
// metrics in partitioned_scatter.cpp.

#include "actors/partitioned_engine.hpp"

#include "actors/partitioned_reader.hpp"
#include "actors/pools.hpp"
#include "core/cluster_rules.hpp"
#include "core/session_key.hpp"

#include <cassert>

namespace switchboard::actors {

partitioned_engine::partitioned_engine(core::settings cfg,
                                       std::shared_ptr<core::clock> clk,
                                       int partitions, int read_threads)
  : cfg_(std::move(cfg)), clk_(std::move(clk)), slots_(partitions),
    pool_(std::make_unique<worker_pool>(read_threads)) {
  assert(partitions >= 1 && partitions <= core::max_partitions);
  assert(read_threads >= 1);
}

partitioned_engine::~partitioned_engine() {
  stop();
}

std::shared_ptr<engine>
partitioned_engine::set_slot(int partition, std::shared_ptr<engine> e) {
  std::lock_guard<std::mutex> lk(events_mtx_);
  auto previous = slots_.set(partition, e);
  events_.attach(e);
  return previous;
}

void partitioned_engine::stop() {
  if (stopping_.exchange(true))
    return;
  pool_->stop(); // the reads already running finish on live slots
  for (int p = 0; p < slots_.size(); ++p)
    if (auto e = slots_.get(p))
      e->stop();
}

template <class T, class Call>
void partitioned_engine::keyed(const std::string& key, completion<T>& done,
                               Call call) {
  int p = slots_.partition_of(key);
  auto e = slots_.get(p);
  if (!e)
    return done(no_owner(p));
  call(*e);
}

void partitioned_engine::route(route_request req,
                               completion<route_reply> done) {
  auto key = core::build_session_key(req.origin, cfg_.keys);
  keyed(key, done,
        [&](engine& e) { e.route(std::move(req), std::move(done)); });
}

namespace {

/// The answers of a split batch, filled part by part.
struct batch_gather {
  std::mutex mtx;
  std::vector<core::result<route_reply>> results;
  std::size_t parts_left = 0;
  std::function<void(std::vector<core::result<route_reply>>)> done;

  /// Stores one part's answers at their input positions; the last part
  /// answers the caller.
  void fill(const std::vector<std::size_t>& at,
            std::vector<core::result<route_reply>> rs) {
    std::unique_lock<std::mutex> lk(mtx);
    for (std::size_t i = 0; i < at.size() && i < rs.size(); ++i)
      results[at[i]] = std::move(rs[i]);
    if (--parts_left != 0)
      return;
    auto out = std::move(results);
    lk.unlock();
    done(std::move(out));
  }
};

} // namespace

void partitioned_engine::route_batch(
  std::vector<route_request> reqs,
  std::function<void(std::vector<core::result<route_reply>>)> done) {
  if (reqs.empty())
    return done({});
  std::vector<std::vector<route_request>> parts(slots_.size());
  std::vector<std::vector<std::size_t>> at(slots_.size());
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    auto p =
      slots_.partition_of(core::build_session_key(reqs[i].origin, cfg_.keys));
    parts[p].push_back(std::move(reqs[i]));
    at[p].push_back(i);
  }
  auto g = std::make_shared<batch_gather>();
  g->results.assign(reqs.size(), core::internal_error("not routed"));
  g->done = std::move(done);
  for (const auto& part : parts)
    g->parts_left += part.empty() ? 0 : 1;
  for (int p = 0; p < slots_.size(); ++p) {
    if (parts[p].empty())
      continue;
    auto e = slots_.get(p);
    if (!e) {
      g->fill(at[p], std::vector<core::result<route_reply>>(at[p].size(),
                                                            no_owner(p)));
      continue;
    }
    e->route_batch(std::move(parts[p]),
                   [g, positions = std::move(at[p])](
                     std::vector<core::result<route_reply>> rs) {
                     g->fill(positions, std::move(rs));
                   });
  }
}

void partitioned_engine::append(std::string key, core::message msg,
                                completion<append_reply> done,
                                std::optional<std::string> request_id) {
  keyed(key, done, [&](engine& e) {
    e.append(std::move(key), std::move(msg), std::move(done),
             std::move(request_id));
  });
}

void partitioned_engine::update_usage(std::string key, core::usage_update u,
                                      completion<core::session_entry> done) {
  keyed(key, done, [&](engine& e) {
    e.update_usage(std::move(key), std::move(u), std::move(done));
  });
}

void partitioned_engine::reset(std::string key,
                               std::optional<std::string> title,
                               completion<core::session_entry> done) {
  keyed(key, done, [&](engine& e) {
    e.reset(std::move(key), std::move(title), std::move(done));
  });
}

void partitioned_engine::set_busy(std::string key, bool busy,
                                  std::optional<double> ttl_seconds,
                                  completion<core::session_entry> done) {
  keyed(key, done, [&](engine& e) {
    e.set_busy(std::move(key), busy, ttl_seconds, std::move(done));
  });
}

void partitioned_engine::rewrite_transcript(std::string key,
                                            std::vector<core::message> messages,
                                            completion<rewrite_reply> done) {
  keyed(key, done, [&](engine& e) {
    e.rewrite_transcript(std::move(key), std::move(messages), std::move(done));
  });
}

void partitioned_engine::get_entry(std::string key,
                                   completion<core::session_entry> done) {
  keyed(key, done,
        [&](engine& e) { e.get_entry(std::move(key), std::move(done)); });
}

void partitioned_engine::expire_key(std::string key,
                                    std::optional<std::string> session_id,
                                    completion<expire_reply> done) {
  keyed(key, done, [&](engine& e) {
    e.expire_key(std::move(key), std::move(session_id), std::move(done));
  });
}

bool partitioned_engine::post(std::function<void()> job) {
  if (stopping_.load())
    return false;
  return pool_->post([job = std::move(job)](int) { job(); });
}

void partitioned_engine::read(std::function<void(core::store_reader&)> fn) {
  post([this, fn = std::move(fn)] {
    partitioned_reader r(slots_);
    fn(r);
  });
}

std::shared_ptr<subscription>
partitioned_engine::subscribe(std::size_t capacity) {
  std::lock_guard<std::mutex> lk(events_mtx_);
  std::vector<std::shared_ptr<engine>> engines;
  for (int p = 0; p < slots_.size(); ++p)
    engines.push_back(slots_.get(p));
  return events_.subscribe(engines, capacity);
}

} // namespace switchboard::actors

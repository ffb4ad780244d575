// partitioned_engine: the operations by session id and switch_to, which
// first find the partition holding a session (contract in
// partitioned_engine.hpp).

#include "actors/partitioned_engine.hpp"

#include "actors/partitioned_reader.hpp"
#include "core/ownership.hpp"

namespace switchboard::actors {

namespace {

core::error stopping() {
  return core::overloaded("engine is stopping");
}

std::optional<std::string> text_field(const nlohmann::json& row,
                                      const char* name) {
  auto it = row.find(name);
  if (it == row.end() || !it->is_string())
    return std::nullopt;
  return it->get<std::string>();
}

/// The owners of the target and of its compression tip, read in the
/// target's partition (the scope check of a switch, SPEC 5).
core::result<std::vector<core::session_owner>>
owners_of(core::store_reader& r, const std::string& id) {
  std::vector<core::session_owner> out;
  auto tip = r.compression_tip(id);
  if (!tip)
    return std::move(tip).err();
  for (const auto& sid : {id, *tip}) {
    auto row = r.get_session(sid);
    if (!row)
      return std::move(row).err();
    if (!*row)
      return core::not_found("session '" + sid + "' not found");
    out.push_back({text_field(**row, "session_key"),
                   text_field(**row, "source").value_or(""),
                   text_field(**row, "user_id")});
  }
  return out;
}

/// The session id a switch names, resolved over every partition as the
/// engine's switch op resolves it in one file.
core::result<std::string> resolve_target(partitioned_reader& r,
                                         const switch_target& t) {
  if (t.session_id)
    return r.resolve_session_id(*t.session_id);
  auto id = r.resolve_title(*t.title);
  if (!id)
    return std::move(id).err();
  if (!*id)
    return core::not_found("no session titled '" + *t.title + "'");
  return std::move(**id);
}

} // namespace

core::result<std::shared_ptr<engine>>
partitioned_engine::holder_of(const std::string& id) {
  partitioned_reader r(slots_);
  auto p = r.partition_of_session(id);
  if (!p)
    return std::move(p).err();
  auto e = slots_.get(*p);
  if (!e)
    return no_owner(*p);
  return e;
}

void partitioned_engine::set_title(
  std::string session_id, std::string title,
  completion<std::optional<std::string>> done) {
  auto job = [this, session_id, title, done] {
    auto e = holder_of(session_id);
    if (!e)
      return done(std::move(e).err());
    (*e)->set_title(session_id, title, done);
  };
  if (!post(job))
    done(stopping());
}

void partitioned_engine::delete_session(std::string session_id,
                                        completion<bool> done) {
  auto job = [this, session_id, done] {
    auto e = holder_of(session_id);
    if (!e) {
      auto err = std::move(e).err();
      if (err.code == core::errc::not_found)
        err.message = "no session '" + session_id + "'"; // the engine's words
      return done(std::move(err));
    }
    (*e)->delete_session(session_id, done);
  };
  if (!post(job))
    done(stopping());
}

void partitioned_engine::switch_to(std::string key, switch_target target,
                                   completion<core::session_entry> done) {
  if (target.session_id.has_value() == target.title.has_value()) {
    // Malformed: the key's slot answers it as one engine does.
    int p = slots_.partition_of(key);
    auto e = slots_.get(p);
    if (!e)
      return done(no_owner(p));
    return e->switch_to(std::move(key), std::move(target), std::move(done));
  }
  auto job = [this, key, target, done] {
    switch_resolved(key, target, done);
  };
  if (!post(job))
    done(stopping());
}

void partitioned_engine::switch_resolved(const std::string& key,
                                         const switch_target& target,
                                         completion<core::session_entry> done) {
  partitioned_reader r(slots_);
  auto id = resolve_target(r, target);
  if (!id)
    return done(std::move(id).err());
  auto at = r.partition_of_session(*id);
  if (!at)
    return done(std::move(at).err());
  int home = slots_.partition_of(key);
  auto e = slots_.get(home);
  if (!e)
    return done(no_owner(home));
  if (*at == home) {
    // One file holds both: the slot switches to the exact id as always.
    switch_target exact{*id, std::nullopt, target.scope};
    return e->switch_to(key, std::move(exact), std::move(done));
  }
  auto entry = r.get_entry(key);
  if (!entry)
    return done(std::move(entry).err());
  if (!*entry)
    return done(core::not_found("no session for key '" + key + "'"));
  auto owners = slots_.read_one<std::vector<core::session_owner>>(
    *at, [sid = *id](core::store_reader& rd) { return owners_of(rd, sid); });
  if (!owners)
    return done(std::move(owners).err());
  const auto& ent = **entry;
  core::switch_requester who{key, ent.platform,
                             ent.origin ? ent.origin->user_id : std::nullopt};
  for (const auto& owner : *owners)
    if (!core::may_switch(target.scope, who, owner))
      return done(core::forbidden(
        target.scope == core::switch_scope::key
          ? "switch: the session was not created under this key (scope key)"
          : "switch: the session belongs to another user (scope user)"));
  done(core::conflict(
    "switch: session " + *id + " is in partition " + std::to_string(*at) +
    " but key '" + key + "' is in partition " + std::to_string(home) +
    "; cluster mode cannot attach a session of another partition (it would "
    "take one transaction in each partition's file): resume it from a chat "
    "whose key is in partition " +
    std::to_string(*at) + ", or start a new session"));
}

} // namespace switchboard::actors

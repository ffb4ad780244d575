#include "cluster/kv.hpp"

#include <algorithm>
#include <chrono>

namespace switchboard::cluster {

namespace {

std::string value_of(kvEntry* e) {
  return {static_cast<const char*>(kvEntry_Value(e)),
          static_cast<std::size_t>(kvEntry_ValueLen(e))};
}

} // namespace

core::result<kv_store_ptr> create_bucket(nats_client& c,
                                         const bucket_config& cfg) {
  kvConfig kc;
  kvConfig_Init(&kc);
  kc.Bucket = cfg.name.c_str();
  kc.History = 1;
  kc.Replicas = cfg.replicas;
  kc.StorageType = js_FileStorage;
  // nats.c 3.4.1 takes the TTL in nanoseconds (not milliseconds).
  kc.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::seconds(cfg.ttl_seconds))
             .count();
  kvStore* raw = nullptr;
  auto s = js_CreateKeyValue(&raw, c.js(), &kc);
  // A concurrent creator of the same bucket makes the server answer
  // "subjects overlap" (not "exists", which nats.c would handle): once it
  // has won, the same request finds its bucket.
  if (s != NATS_OK)
    s = js_CreateKeyValue(&raw, c.js(), &kc);
  if (s != NATS_OK)
    return nats_error("creating KV bucket " + cfg.name, s);
  return kv_store_ptr{raw};
}

core::result<kv_store_ptr> find_bucket(nats_client& c, std::string_view name) {
  std::string n{name};
  kvStore* raw = nullptr;
  auto s = js_KeyValue(&raw, c.js(), n.c_str());
  if (s == NATS_NOT_FOUND)
    return kv_store_ptr{};
  if (s != NATS_OK)
    return nats_error("KV bucket " + n, s);
  return kv_store_ptr{raw};
}

core::status kv_put(kvStore* kv, std::string_view key, std::string_view value) {
  std::string k{key};
  auto s = kvStore_Put(nullptr, kv, k.c_str(), value.data(),
                       static_cast<int>(value.size()));
  if (s != NATS_OK)
    return nats_error("putting KV key " + k, s);
  return {};
}

core::status kv_delete(kvStore* kv, std::string_view key) {
  std::string k{key};
  if (auto s = kvStore_Delete(kv, k.c_str()); s != NATS_OK)
    return nats_error("deleting KV key " + k, s);
  return {};
}

core::result<bool> kv_create(kvStore* kv, std::string_view key,
                             std::string_view value) {
  std::string k{key};
  auto s = kvStore_Create(nullptr, kv, k.c_str(), value.data(),
                          static_cast<int>(value.size()));
  if (s == NATS_OK)
    return true;
  // Refused or failed: the key's value tells which.
  auto existing = kv_get(kv, key);
  if (existing && *existing)
    return false;
  return nats_error("creating KV key " + k, s);
}

core::result<std::optional<std::string>> kv_get(kvStore* kv,
                                                std::string_view key) {
  std::string k{key};
  kvEntry* raw = nullptr;
  auto s = kvStore_Get(&raw, kv, k.c_str());
  kv_entry_ptr e{raw};
  if (s == NATS_NOT_FOUND)
    return std::optional<std::string>{};
  if (s != NATS_OK)
    return nats_error("getting KV key " + k, s);
  return std::optional<std::string>{value_of(e.get())};
}

core::result<std::vector<std::pair<std::string, std::string>>>
kv_entries(nats_client& c, kvStore* kv) {
  // Why not a watcher: it creates a consumer, which the meta leader may
  // place on a dead server (creations then time out now and then for
  // minutes after a NATS server died) or on a replica that lags. The
  // stream's subjects and each subject's last message are answered by the
  // stream leader.
  std::string bucket = kvStore_Bucket(kv);
  std::string stream = "KV_" + bucket, prefix = "$KV." + bucket + ".";
  auto filter = prefix + ">";
  jsOptions o;
  jsOptions_Init(&o);
  o.Stream.Info.SubjectsFilter = filter.c_str();
  jsStreamInfo* si_raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s = js_GetStreamInfo(&si_raw, c.js(), stream.c_str(), &o, &jerr);
  stream_info_ptr si{si_raw};
  if (s != NATS_OK)
    return nats_error("listing KV bucket " + bucket, s, jerr);
  std::vector<std::pair<std::string, std::string>> out;
  const auto* subjects = si->State.Subjects;
  for (int i = 0; subjects && i < subjects->Count; ++i) {
    std::string subject = subjects->List[i].Subject;
    natsMsg* m_raw = nullptr;
    s = js_GetLastMsg(&m_raw, c.js(), stream.c_str(), subject.c_str(), nullptr,
                      &jerr);
    msg_ptr m{m_raw};
    if (s == NATS_NOT_FOUND)
      continue; // expired meanwhile
    if (s != NATS_OK)
      return nats_error("listing KV bucket " + bucket, s, jerr);
    const char* op = nullptr;
    if (natsMsgHeader_Get(m.get(), "KV-Operation", &op) == NATS_OK)
      continue; // a delete or purge marker
    out.emplace_back(
      subject.substr(prefix.size()),
      std::string{natsMsg_GetData(m.get()),
                  static_cast<std::size_t>(natsMsg_GetDataLength(m.get()))});
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace switchboard::cluster

#include "cluster/snapshot.hpp"
#include "cluster/sqlite_session.hpp"

#include "cluster/changeset.hpp"
#include "cluster/partition.hpp"
#include "cluster/partition_log.hpp"

#include "persistence/sqlite.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace switchboard::cluster {

namespace fs = std::filesystem;

namespace {

constexpr const char* snapshot_stream = "SB_SNAPSHOTS";
constexpr std::size_t chunk_bytes = 512 * 1024;

std::string subject(int partition, const char* what) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "sb.snap.%02d.%s", partition, what);
  return buf;
}

core::error io_error(const std::string& what) {
  return core::internal_error(what + ": " + std::strerror(errno));
}

core::result<std::unique_ptr<persistence::connection>>
open_file(const std::string& path) {
  auto db = persistence::connection::open(path, SQLITE_OPEN_READWRITE);
  if (!db)
    return std::move(db).err();
  sqlite3_busy_timeout((*db)->raw(), 5000);
  return db;
}

/// The applied sequence of `partition` in the file at `path`; 0 when there
/// is no file.
core::result<std::uint64_t> file_applied(const std::string& path,
                                         int partition) {
  if (!fs::exists(path))
    return 0u;
  auto db = open_file(path);
  if (!db)
    return std::move(db).err();
  return applied_seq((*db)->raw(), partition);
}

nlohmann::json to_json(const snapshot_manifest& m) {
  return {
    {"seq", m.seq}, {"bytes", m.bytes}, {"chunks", m.chunks}, {"node", m.node}};
}

core::result<snapshot_manifest> decode_manifest(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("seq") ||
      !j["seq"].is_number_unsigned() || !j.contains("bytes") ||
      !j["bytes"].is_number_unsigned() || !j.contains("chunks") ||
      !j["chunks"].is_array())
    return core::bad_request("snapshot manifest: expected {\"seq\", "
                             "\"bytes\", \"chunks\"}: " +
                             std::string(text.substr(0, 200)));
  snapshot_manifest m;
  m.seq = j["seq"].get<std::uint64_t>();
  m.bytes = j["bytes"].get<std::uint64_t>();
  for (const auto& c : j["chunks"]) {
    if (!c.is_number_unsigned())
      return core::bad_request("snapshot manifest: chunks must be sequences");
    m.chunks.push_back(c.get<std::uint64_t>());
  }
  m.node = j.value("node", "");
  return m;
}

/// Publishes `data` on `subj` of SB_SNAPSHOTS; returns its sequence.
core::result<std::uint64_t> publish(nats_client& c, const std::string& subj,
                                    const void* data, std::size_t size) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.ExpectStream = snapshot_stream;
  po.MaxWait = c.timeout().count();
  jsPubAck* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s = js_Publish(&raw, c.js(), subj.c_str(), data, static_cast<int>(size),
                      &po, &jerr);
  pub_ack_ptr ack{raw};
  if (s != NATS_OK)
    return nats_error("publishing " + subj, s, jerr);
  return ack->Sequence;
}

/// Purges the messages of `subj` below `below` (or all but the newest one
/// when `below` is 0).
core::status purge(nats_client& c, const std::string& subj,
                   std::uint64_t below) {
  jsOptions o;
  jsOptions_Init(&o);
  o.Stream.Purge.Subject = subj.c_str();
  if (below > 0)
    o.Stream.Purge.Sequence = below;
  else
    o.Stream.Purge.Keep = 1;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s = js_PurgeStream(c.js(), snapshot_stream, &o, &jerr);
  if (s != NATS_OK)
    return nats_error(std::string("purging ") + subj, s, jerr);
  return {};
}

/// VACUUM INTO `out` from the file at `file`; returns the copy's applied
/// sequence.
core::result<std::uint64_t> copy_file(const std::string& file, int partition,
                                      const std::string& out) {
  fs::remove(out);
  auto db = open_file(file);
  if (!db)
    return std::move(db).err();
  // Never checkpoint (and so delete <file>-wal) when this connection
  // closes: if a standby installed a snapshot over the file meanwhile, it
  // would be the last connection to the old file and delete the WAL the
  // new file's connection is using, by name.
  sqlite3_db_config((*db)->raw(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  auto q = (*db)->prepare("VACUUM INTO ?");
  if (!q)
    return std::move(q).err();
  q->bind(1, out);
  if (auto st = q->run(); !st)
    return std::move(st).err();
  return file_applied(out, partition);
}

/// Sends the file at `path` as chunks; returns their sequences.
core::result<std::vector<std::uint64_t>>
send_chunks(nats_client& c, int partition, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return io_error("reading " + path);
  std::vector<char> buf(chunk_bytes);
  std::vector<std::uint64_t> seqs;
  auto subj = subject(partition, "chunk");
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0)
      break;
    auto seq = publish(c, subj, buf.data(), n);
    if (!seq)
      return std::move(seq).err();
    seqs.push_back(*seq);
  }
  return seqs;
}

/// conflict unless the log's last record names `node`.
core::status still_owner(nats_client& c, int partition,
                         const std::string& node) {
  auto last = last_sequence(c, partition);
  if (!last)
    return std::move(last).err();
  auto r = read_record(c, partition, *last);
  if (!r)
    return std::move(r).err();
  if (r->node != node)
    return core::conflict("partition " + std::to_string(partition) +
                          ": the log names another owner; no snapshot");
  return {};
}

core::status write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    auto n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return io_error("writing a snapshot");
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

core::status fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0)
    return io_error("opening " + path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    return io_error("fsync of " + path);
  return {};
}

std::string parent_dir(const std::string& path) {
  auto dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

/// Downloads the chunks of `m` into `out` and fsyncs it.
core::status download(nats_client& c, int partition, const snapshot_manifest& m,
                      const std::string& out) {
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return io_error("creating " + out);
  std::uint64_t total = 0;
  auto chunk_subject = subject(partition, "chunk");
  core::status st;
  for (auto seq : m.chunks) {
    natsMsg* raw = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    auto s = js_GetMsg(&raw, c.js(), snapshot_stream, seq, nullptr, &jerr);
    msg_ptr msg{raw};
    if (s != NATS_OK) {
      st = nats_error("reading snapshot chunk " + std::to_string(seq), s, jerr);
      break;
    }
    if (chunk_subject != natsMsg_GetSubject(msg.get())) {
      st = core::internal_error("snapshot chunk " + std::to_string(seq) +
                                " is not partition " +
                                std::to_string(partition) + "'s");
      break;
    }
    auto n = static_cast<std::size_t>(natsMsg_GetDataLength(msg.get()));
    st = write_all(fd, natsMsg_GetData(msg.get()), n);
    if (!st)
      break;
    total += n;
  }
  if (st && total != m.bytes)
    st = core::internal_error("snapshot of partition " +
                              std::to_string(partition) + " has " +
                              std::to_string(total) + " bytes, its manifest " +
                              std::to_string(m.bytes));
  if (st && ::fsync(fd) != 0)
    st = io_error("fsync of " + out);
  ::close(fd);
  return st;
}

/// ok when the file at `path` passes quick_check and holds records 1..seq.
core::status check_copy(const std::string& path, int partition,
                        std::uint64_t seq) {
  {
    auto db = open_file(path);
    if (!db)
      return std::move(db).err();
    auto q = (*db)->prepare("PRAGMA quick_check");
    if (!q)
      return std::move(q).err();
    auto row = q->step();
    if (!row)
      return std::move(row).err();
    if (!*row || q->text(0) != "ok")
      return core::internal_error("snapshot of partition " +
                                  std::to_string(partition) +
                                  " fails SQLite's quick_check");
  }
  auto applied = file_applied(path, partition);
  if (!applied)
    return std::move(applied).err();
  if (*applied != seq)
    return core::internal_error(
      "snapshot of partition " + std::to_string(partition) + " holds record " +
      std::to_string(*applied) + ", its manifest says " + std::to_string(seq));
  return {};
}

} // namespace

core::status ensure_snapshot_stream(nats_client& c, int replicas) {
  const char* subjects[] = {"sb.snap.>"};
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = snapshot_stream;
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  sc.Replicas = replicas;
  sc.Retention = js_LimitsPolicy;
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s = js_AddStream(&raw, c.js(), &sc, nullptr, &jerr);
  stream_info_ptr info{raw};
  if (s != NATS_OK && jerr == JSStreamSubjectOverlapErr) {
    raw = nullptr; // a concurrent creator won (partition_log.cpp)
    s = js_AddStream(&raw, c.js(), &sc, nullptr, &jerr);
    info.reset(raw);
  }
  if (s != NATS_OK)
    return nats_error(std::string("creating stream ") + snapshot_stream, s,
                      jerr);
  return {};
}

core::result<std::optional<snapshot_manifest>> latest_snapshot(nats_client& c,
                                                               int partition) {
  auto subj = subject(partition, "manifest");
  natsMsg* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s =
    js_GetLastMsg(&raw, c.js(), snapshot_stream, subj.c_str(), nullptr, &jerr);
  msg_ptr msg{raw};
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr)
    return std::optional<snapshot_manifest>{};
  if (s != NATS_OK)
    return nats_error("reading " + subj, s, jerr);
  auto m = decode_manifest(
    {natsMsg_GetData(msg.get()),
     static_cast<std::size_t>(natsMsg_GetDataLength(msg.get()))});
  if (!m)
    return std::move(m).err();
  return std::optional<snapshot_manifest>{std::move(*m)};
}

core::result<snapshot_manifest> publish_snapshot(nats_client& c, int partition,
                                                 const std::string& file,
                                                 const std::string& node) {
  auto out = file + ".snapshot.out";
  auto seq = copy_file(file, partition, out);
  if (!seq) {
    fs::remove(out);
    return std::move(seq).err();
  }
  snapshot_manifest m;
  m.seq = *seq;
  m.bytes = fs::file_size(out);
  m.node = node;
  auto chunks = send_chunks(c, partition, out);
  fs::remove(out);
  if (!chunks)
    return std::move(chunks).err();
  m.chunks = std::move(*chunks);
  if (auto st = still_owner(c, partition, node); !st)
    return std::move(st).err();
  auto body = to_json(m).dump();
  auto published =
    publish(c, subject(partition, "manifest"), body.data(), body.size());
  if (!published)
    return std::move(published).err();
  // Older snapshots go; a reader still downloading one fails and reads
  // the newest manifest again.
  // Below sequence 2 there is nothing to purge, and a purge "below 1"
  // means no bound at all to nats-server: it would remove these chunks.
  if (!m.chunks.empty() && m.chunks.front() > 1)
    if (auto st = purge(c, subject(partition, "chunk"), m.chunks.front()); !st)
      return std::move(st).err();
  if (auto st = purge(c, subject(partition, "manifest"), 0); !st)
    return std::move(st).err();
  return m;
}

core::result<std::optional<snapshot_manifest>>
snapshot_if_due(nats_client& c, int partition, const std::string& file,
                const std::string& node, const snapshot_policy& policy,
                std::uint64_t& last_snapshot) {
  auto bounds = bounds_of(c, partition);
  if (!bounds)
    return std::move(bounds).err();
  if (bounds->last < last_snapshot + policy.every_records)
    return std::optional<snapshot_manifest>{};
  auto m = publish_snapshot(c, partition, file, node);
  if (!m)
    return std::move(m).err();
  last_snapshot = m->seq;
  if (m->seq > policy.keep_records) {
    auto keep_from = m->seq - policy.keep_records + 1;
    if (keep_from > bounds->first)
      if (auto st = trim_log(c, partition, keep_from); !st)
        return std::move(st).err();
  }
  return std::optional<snapshot_manifest>{std::move(*m)};
}

core::status finish_snapshot_install(const std::string& path) {
  auto staged = path + ".snapshot";
  if (!fs::exists(staged))
    return {};
  std::error_code ec;
  fs::remove(path + "-wal", ec);
  if (!ec)
    fs::remove(path + "-shm", ec);
  if (!ec)
    fs::rename(staged, path, ec);
  if (ec)
    return core::internal_error("installing the snapshot " + staged + ": " +
                                ec.message());
  return fsync_path(parent_dir(path), O_RDONLY | O_DIRECTORY);
}

core::result<std::uint64_t> bootstrap_from_snapshot(nats_client& c,
                                                    int partition,
                                                    const std::string& path) {
  auto m = latest_snapshot(c, partition);
  if (!m)
    return std::move(m).err();
  if (!*m)
    return core::not_found("partition " + std::to_string(partition) +
                           " has no snapshot");
  auto bounds = bounds_of(c, partition);
  if (!bounds)
    return std::move(bounds).err();
  if ((*m)->seq < bounds->last && (*m)->seq + 1 < bounds->first)
    // Only a deposed owner's late snapshot can be this old; the owner's
    // next one replaces it.
    return core::overloaded("partition " + std::to_string(partition) +
                            ": the newest snapshot holds record " +
                            std::to_string((*m)->seq) + ", the log starts at " +
                            std::to_string(bounds->first) +
                            "; waiting for the next snapshot");
  auto tmp = path + ".snapshot.tmp";
  auto st = download(c, partition, **m, tmp);
  if (st)
    st = check_copy(tmp, partition, (*m)->seq);
  if (!st) {
    fs::remove(tmp);
    return std::move(st).err();
  }
  std::error_code ec;
  fs::rename(tmp, path + ".snapshot", ec);
  if (ec)
    return core::internal_error("staging the snapshot " + tmp + ": " +
                                ec.message());
  if (auto done = finish_snapshot_install(path); !done)
    return std::move(done).err();
  return (*m)->seq;
}

core::result<std::uint64_t> ensure_log_reachable(nats_client& c, int partition,
                                                 const std::string& path) {
  if (auto st = finish_snapshot_install(path); !st)
    return std::move(st).err();
  auto applied = file_applied(path, partition);
  if (!applied)
    return std::move(applied).err();
  auto bounds = bounds_of(c, partition);
  if (!bounds)
    return std::move(bounds).err();
  if (*applied >= bounds->last || *applied + 1 >= bounds->first)
    return *applied;
  return bootstrap_from_snapshot(c, partition, path);
}

} // namespace switchboard::cluster

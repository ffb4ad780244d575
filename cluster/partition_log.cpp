#include "cluster/partition_log.hpp"

#include "cluster/partition.hpp"

#include <string>

namespace switchboard::cluster {

namespace {

/// The stream configuration of a partition's log. Limits retention with no
/// limits: records stay until a snapshot truncates the log (later phase).
void partition_config(jsStreamConfig& sc, const std::string& name,
                      const char* const* subjects, int replicas) {
  jsStreamConfig_Init(&sc);
  sc.Name = name.c_str();
  sc.Subjects = const_cast<const char**>(subjects);
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  sc.Replicas = replicas;
  sc.Retention = js_LimitsPolicy;
}

core::result<msg_ptr> fenced_message(int partition, const std::string& body,
                                     std::uint64_t expected_last_seq) {
  auto subject = log_subject(partition);
  natsMsg* raw = nullptr;
  auto s = natsMsg_Create(&raw, subject.c_str(), nullptr, body.data(),
                          static_cast<int>(body.size()));
  msg_ptr msg{raw};
  if (s == NATS_OK)
    s = natsMsgHeader_Set(msg.get(), "Nats-Expected-Last-Sequence",
                          std::to_string(expected_last_seq).c_str());
  if (s != NATS_OK)
    return nats_error("log record message", s);
  return msg;
}

} // namespace

core::status ensure_partition_stream(nats_client& c, int partition,
                                     int replicas) {
  auto name = stream_name(partition);
  auto subject = log_subject(partition);
  const char* subjects[] = {subject.c_str()};
  jsStreamConfig sc;
  partition_config(sc, name, subjects, replicas);
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s = js_AddStream(&raw, c.js(), &sc, nullptr, &jerr);
  stream_info_ptr info{raw};
  // A concurrent creator of the same stream makes the server answer
  // "subjects overlap"; once it has won, the same request finds its stream.
  if (s != NATS_OK && jerr == JSStreamSubjectOverlapErr) {
    raw = nullptr;
    s = js_AddStream(&raw, c.js(), &sc, nullptr, &jerr);
    info.reset(raw);
  }
  if (s != NATS_OK)
    return nats_error("creating stream " + name, s, jerr);
  return {};
}

core::result<std::uint64_t> append(nats_client& c, int partition,
                                   const log_record& r,
                                   std::uint64_t expected_last_seq) {
  auto msg = fenced_message(partition, encode(r), expected_last_seq);
  if (!msg)
    return msg.err();
  auto stream = stream_name(partition);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.ExpectStream = stream.c_str();
  po.MaxWait = c.timeout().count();
  po.ExpectNoMessage = expected_last_seq == 0;
  jsPubAck* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s = js_PublishMsg(&raw, c.js(), msg->get(), &po, &jerr);
  pub_ack_ptr ack{raw};
  if (s != NATS_OK) {
    auto what = "append to " + stream + " expecting last sequence " +
                std::to_string(expected_last_seq);
    if (jerr == JSStreamWrongLastSequenceErr)
      what = "fenced: " + what;
    return nats_error(what, s, jerr);
  }
  return ack->Sequence;
}

core::result<log_record> read_record(nats_client& c, int partition,
                                     std::uint64_t seq) {
  auto name = stream_name(partition);
  natsMsg* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s = js_GetMsg(&raw, c.js(), name.c_str(), seq, nullptr, &jerr);
  msg_ptr msg{raw};
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr)
    return core::not_found(name + " has no record " + std::to_string(seq));
  if (s != NATS_OK)
    return nats_error("reading " + name + " record " + std::to_string(seq), s,
                      jerr);
  return decode_record(
    {natsMsg_GetData(msg.get()),
     static_cast<std::size_t>(natsMsg_GetDataLength(msg.get()))});
}

core::result<std::uint64_t> last_sequence(nats_client& c, int partition) {
  auto bounds = bounds_of(c, partition);
  if (!bounds)
    return std::move(bounds).err();
  return bounds->last;
}

core::result<log_bounds> bounds_of(nats_client& c, int partition) {
  auto name = stream_name(partition);
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s = js_GetStreamInfo(&raw, c.js(), name.c_str(), nullptr, &jerr);
  stream_info_ptr info{raw};
  if (s != NATS_OK)
    return nats_error("stream " + name, s, jerr);
  return log_bounds{info->State.FirstSeq, info->State.LastSeq};
}

core::status trim_log(nats_client& c, int partition, std::uint64_t keep_from) {
  if (keep_from <= 1)
    return {}; // nothing below; and to nats-server, purge "below 1" is all
  auto name = stream_name(partition);
  jsOptions o;
  jsOptions_Init(&o);
  o.Stream.Purge.Sequence = keep_from;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  auto s = js_PurgeStream(c.js(), name.c_str(), &o, &jerr);
  if (s != NATS_OK)
    return nats_error("trimming " + name + " below record " +
                        std::to_string(keep_from),
                      s, jerr);
  return {};
}

} // namespace switchboard::cluster

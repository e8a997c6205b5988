#include "replica/member_table.h"

#include <algorithm>

#include "core/codec.h"

namespace synod::replica {
namespace {

constexpr std::string_view kSnapshotMagic = "SYNODMT1";
constexpr uint64_t kMaxUrls = 64;
constexpr uint64_t kMaxTextBytes = 4096;
constexpr uint64_t kMaxMembers = 1 << 16;

void write_list(ByteWriter& writer, const std::vector<std::string>& list) {
  writer.varint(list.size());
  for (const std::string& item : list) writer.bytes(item);
}

bool read_list(ByteReader& reader, std::vector<std::string>& list) {
  uint64_t count = 0;
  if (!reader.varint(count) || count > kMaxUrls) return false;
  list.assign(count, {});
  for (std::string& item : list)
    if (!reader.bytes(item, kMaxTextBytes)) return false;
  return true;
}

}  // namespace

std::string encode_member_request(const MemberRequest& request) {
  ByteWriter writer;
  writer.u8(static_cast<uint8_t>(request.kind));
  writer.varint(request.id);
  writer.bytes(request.name);
  write_list(writer, request.peer_urls);
  write_list(writer, request.client_urls);
  writer.u8(request.is_learner ? 1 : 0);
  return writer.take();
}

bool decode_member_request(std::string_view bytes, MemberRequest& request) {
  ByteReader reader(bytes);
  uint8_t kind = 0;
  uint8_t learner = 0;
  request = MemberRequest{};
  if (!reader.u8(kind) || kind > static_cast<uint8_t>(MemberRequest::Kind::kPublish)) return false;
  request.kind = static_cast<MemberRequest::Kind>(kind);
  return reader.varint(request.id) && request.id != consensus::kNoNode &&
         reader.bytes(request.name, kMaxTextBytes) && read_list(reader, request.peer_urls) &&
         read_list(reader, request.client_urls) && reader.u8(learner) && learner <= 1 &&
         (request.is_learner = learner == 1, reader.at_end());
}

void MemberTable::set_initial(const std::vector<MemberInfo>& initial) {
  initial_.clear();
  for (const MemberInfo& member : initial) initial_[member.id] = member;
}

void MemberTable::on_added(consensus::NodeId id, const MemberRequest* request) {
  MemberInfo& member = members_[id];
  member.id = id;
  if (request != nullptr) {
    if (request->kind == MemberRequest::Kind::kAdd) member.peer_urls = request->peer_urls;
    return;
  }
  auto initial = initial_.find(id);
  if (initial != initial_.end() && member.peer_urls.empty()) {
    member.name = initial->second.name;
    member.peer_urls = initial->second.peer_urls;
  }
}

void MemberTable::on_removed(consensus::NodeId id) {
  members_.erase(id);
  removed_.insert(id);
}

void MemberTable::on_attributes(const MemberRequest& request) {
  auto it = members_.find(request.id);
  if (it == members_.end()) return;
  if (request.kind == MemberRequest::Kind::kUpdate) {
    it->second.peer_urls = request.peer_urls;
  } else if (request.kind == MemberRequest::Kind::kPublish) {
    it->second.name = request.name;
    it->second.client_urls = request.client_urls;
  }
}

const MemberInfo* MemberTable::find(consensus::NodeId id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

consensus::NodeId MemberTable::peer_url_owner(const std::vector<std::string>& peer_urls,
                                              consensus::NodeId except) const {
  for (const auto& [id, member] : members_) {
    if (id == except) continue;
    for (const std::string& url : peer_urls)
      if (std::find(member.peer_urls.begin(), member.peer_urls.end(), url) != member.peer_urls.end())
        return id;
  }
  return consensus::kNoNode;
}

std::string MemberTable::encode() const {
  ByteWriter writer;
  writer.varint(members_.size());
  for (const auto& [id, member] : members_) {
    writer.varint(id);
    writer.bytes(member.name);
    write_list(writer, member.peer_urls);
    write_list(writer, member.client_urls);
  }
  writer.varint(removed_.size());
  for (consensus::NodeId id : removed_) writer.varint(id);
  return writer.take();
}

bool MemberTable::decode(std::string_view bytes) {
  ByteReader reader(bytes);
  std::map<consensus::NodeId, MemberInfo> members;
  std::set<consensus::NodeId> removed;
  uint64_t count = 0;
  if (!reader.varint(count) || count > kMaxMembers) return false;
  for (uint64_t i = 0; i < count; ++i) {
    MemberInfo member;
    if (!reader.varint(member.id) || member.id == consensus::kNoNode ||
        !reader.bytes(member.name, kMaxTextBytes) || !read_list(reader, member.peer_urls) ||
        !read_list(reader, member.client_urls))
      return false;
    members[member.id] = std::move(member);
  }
  if (!reader.varint(count) || count > kMaxMembers) return false;
  for (uint64_t i = 0; i < count; ++i) {
    consensus::NodeId id = 0;
    if (!reader.varint(id)) return false;
    removed.insert(id);
  }
  if (!reader.at_end()) return false;
  members_ = std::move(members);
  removed_ = std::move(removed);
  return true;
}

std::string wrap_snapshot(const MemberTable& table, std::string_view store_snapshot) {
  ByteWriter writer;
  writer.bytes(table.encode());
  std::string out(kSnapshotMagic);
  out += writer.take();
  out.append(store_snapshot);
  return out;
}

bool unwrap_snapshot(std::string_view data, MemberTable& table, std::string_view& store_snapshot) {
  if (!data.starts_with(kSnapshotMagic)) {
    store_snapshot = data;
    return true;
  }
  ByteReader reader(data.substr(kSnapshotMagic.size()));
  std::string encoded;
  if (!reader.bytes(encoded) || !table.decode(encoded)) return false;
  store_snapshot = data.substr(data.size() - reader.remaining());
  return true;
}

}  // namespace synod::replica

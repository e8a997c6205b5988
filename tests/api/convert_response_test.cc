// kv responses -> etcd's: checked on the serialized bytes against etcd's field numbers, so a field
// dropped, swapped or mis-numbered fails here. Headers follow etcd 3.4: the top-level one carries
// the node's identity and term, nested ones their revision only, a nested Txn's none.
#include <gtest/gtest.h>

#include "api/etcd/convert.h"
#include "wire.h"

namespace synod::api::etcd {
namespace {

using testing::WireReader;

// ResponseHeader: cluster_id 1, member_id 2, revision 3, raft_term 4.
// KeyValue: key 1, create_revision 2, mod_revision 3, version 4, value 5, lease 6.

const server::HeaderInfo kNode{.cluster_id = 11, .member_id = 22, .revision = 33, .raft_term = 44};

kv::KeyValue sample_kv(const std::string& key) {
  return kv::KeyValue{.key = key,
                      .create_revision = 2,
                      .mod_revision = 3,
                      .version = 4,
                      .value = "value-of-" + key,
                      .lease = 6};
}

void expect_kv(const WireReader& kv, const std::string& key) {
  EXPECT_EQ(kv.bytes(1), key);
  EXPECT_EQ(kv.varint(2), 2u);
  EXPECT_EQ(kv.varint(3), 3u);
  EXPECT_EQ(kv.varint(4), 4u);
  EXPECT_EQ(kv.bytes(5), "value-of-" + key);
  EXPECT_EQ(kv.varint(6), 6u);
}

void expect_top_header(const WireReader& header, uint64_t revision) {
  EXPECT_EQ(header.varint(1), 11u);
  EXPECT_EQ(header.varint(2), 22u);
  EXPECT_EQ(header.varint(3), revision);
  EXPECT_EQ(header.varint(4), 44u);
}

void expect_nested_header(const WireReader& header, uint64_t revision) {
  EXPECT_EQ(header.count(1) + header.count(2) + header.count(4), 0);
  EXPECT_EQ(header.varint(3), revision);
}

// RangeResponse: header 1, kvs 2, more 3, count 4.
TEST(ConvertResponse, RangeEveryField) {
  kv::RangeResponse in;
  in.header.revision = 55;
  in.kvs = {sample_kv("a"), sample_kv("b")};
  in.more = true;
  in.count = 9;
  etcdserverpb::RangeResponse out;
  to_proto(in, kNode, out);
  WireReader wire(out.SerializeAsString());
  expect_top_header(wire.message(1), 55);  // the store's revision, not the node's 33
  ASSERT_EQ(wire.count(2), 2);
  expect_kv(wire.message(2, 0), "a");
  expect_kv(wire.message(2, 1), "b");
  EXPECT_EQ(wire.varint(3), 1u);
  EXPECT_EQ(wire.varint(4), 9u);
}

TEST(ConvertResponse, HeaderTakesTheNodesRevisionWhenTheStoreLeftNone) {
  etcdserverpb::CompactionResponse out;
  to_proto(kv::CompactionResponse{}, kNode, out);
  expect_top_header(WireReader(out.SerializeAsString()).message(1), 33);
}

// PutResponse: header 1, prev_kv 2.
TEST(ConvertResponse, PutWithAndWithoutPrevKv) {
  kv::PutResponse in;
  in.header.revision = 8;
  etcdserverpb::PutResponse out;
  to_proto(in, kNode, out);
  EXPECT_FALSE(out.has_prev_kv());  // absent, not an empty KeyValue
  in.prev_kv = sample_kv("p");
  to_proto(in, kNode, out);
  WireReader wire(out.SerializeAsString());
  expect_top_header(wire.message(1), 8);
  expect_kv(wire.message(2), "p");
}

// DeleteRangeResponse: header 1, deleted 2, prev_kvs 3.
TEST(ConvertResponse, DeleteRangeEveryField) {
  kv::DeleteRangeResponse in;
  in.header.revision = 12;
  in.deleted = 2;
  in.prev_kvs = {sample_kv("x"), sample_kv("y")};
  etcdserverpb::DeleteRangeResponse out;
  to_proto(in, kNode, out);
  WireReader wire(out.SerializeAsString());
  expect_top_header(wire.message(1), 12);
  EXPECT_EQ(wire.varint(2), 2u);
  ASSERT_EQ(wire.count(3), 2);
  expect_kv(wire.message(3, 0), "x");
  expect_kv(wire.message(3, 1), "y");
}

// TxnResponse: header 1, succeeded 2, responses 3. ResponseOp: response_range 1, response_put 2,
// response_delete_range 3, response_txn 4.
TEST(ConvertResponse, TxnNestedResponsesAndTheirHeaders) {
  kv::RangeResponse range;
  range.header.revision = 20;
  range.kvs = {sample_kv("r")};
  range.count = 1;
  kv::PutResponse put;
  put.header.revision = 21;
  put.prev_kv = sample_kv("old");
  kv::DeleteRangeResponse remove;
  remove.header.revision = 21;
  remove.deleted = 1;
  kv::TxnResponse inner;
  inner.header.revision = 21;  // kv fills it; etcd 3.4 sends a nested Txn's header empty
  inner.succeeded = false;
  inner.responses = {kv::ResponseOp{remove}};
  kv::TxnResponse in;
  in.header.revision = 21;
  in.succeeded = true;
  in.responses = {kv::ResponseOp{range}, kv::ResponseOp{put}, kv::ResponseOp{inner}};

  etcdserverpb::TxnResponse out;
  to_proto(in, kNode, out);
  WireReader wire(out.SerializeAsString());
  expect_top_header(wire.message(1), 21);
  EXPECT_EQ(wire.varint(2), 1u);
  ASSERT_EQ(wire.count(3), 3);

  WireReader range_out = wire.message(3, 0).message(1);
  expect_nested_header(range_out.message(1), 20);
  expect_kv(range_out.message(2), "r");
  EXPECT_EQ(range_out.varint(4), 1u);

  WireReader put_out = wire.message(3, 1).message(2);
  expect_nested_header(put_out.message(1), 21);
  expect_kv(put_out.message(2), "old");

  WireReader inner_out = wire.message(3, 2).message(4);
  ASSERT_EQ(inner_out.count(1), 1);  // present...
  EXPECT_EQ(inner_out.bytes(1), "");  // ...and empty
  EXPECT_EQ(inner_out.count(2), 0);   // succeeded = false
  WireReader delete_out = inner_out.message(3).message(3);
  expect_nested_header(delete_out.message(1), 21);
  EXPECT_EQ(delete_out.varint(2), 1u);
}

TEST(ConvertResponse, ConvertingTwiceReplacesRatherThanAppends) {
  kv::RangeResponse in;
  in.kvs = {sample_kv("a")};
  etcdserverpb::RangeResponse out;
  to_proto(in, kNode, out);
  to_proto(in, kNode, out);
  EXPECT_EQ(out.kvs_size(), 1);
}

}  // namespace
}  // namespace synod::api::etcd

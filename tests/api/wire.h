#pragma once
// Protobuf wire bytes written and read by hand, with the field numbers of etcd's rpc.proto and
// kv.proto spelled out in the tests: they would catch a generated message whose numbering is not
// etcd's, or a conversion that fills the wrong field.
#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace synod::api::etcd::testing {

class WireWriter {
 public:
  WireWriter& varint(int field, uint64_t value) {
    tag(field, 0);
    raw_varint(value);
    return *this;
  }
  WireWriter& bytes(int field, std::string_view value) {
    tag(field, 2);
    raw_varint(value.size());
    out_.append(value);
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  void tag(int field, int wire_type) { raw_varint((static_cast<uint64_t>(field) << 3) | wire_type); }
  void raw_varint(uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }
  std::string out_;
};

// Every field of a serialized message, by number, as protobuf sees bytes without a schema.
class WireReader {
 public:
  explicit WireReader(const std::string& bytes) { EXPECT_TRUE(fields_.ParseFromString(bytes)); }

  int count(int number) const {
    int n = 0;
    for (int i = 0; i < fields_.field_count(); ++i) n += fields_.field(i).number() == number;
    return n;
  }
  uint64_t varint(int number, int index = 0) const {
    const google::protobuf::UnknownField* field = find(number, index);
    if (field == nullptr || field->type() != google::protobuf::UnknownField::TYPE_VARINT) {
      ADD_FAILURE() << "no varint field " << number << " #" << index;
      return 0;
    }
    return field->varint();
  }
  std::string bytes(int number, int index = 0) const {
    const google::protobuf::UnknownField* field = find(number, index);
    if (field == nullptr ||
        field->type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      ADD_FAILURE() << "no length-delimited field " << number << " #" << index;
      return "";
    }
    return field->length_delimited();
  }
  WireReader message(int number, int index = 0) const { return WireReader(bytes(number, index)); }

 private:
  const google::protobuf::UnknownField* find(int number, int index) const {
    for (int i = 0; i < fields_.field_count(); ++i) {
      if (fields_.field(i).number() == number && index-- == 0) return &fields_.field(i);
    }
    return nullptr;
  }
  google::protobuf::UnknownFieldSet fields_;
};

}  // namespace synod::api::etcd::testing

// Go's encoding/json over protobuf reflection; see go_json.h for the rules it reproduces.
#include "ctl/go_json.h"

#include <google/protobuf/descriptor.h>

#include <charconv>
#include <set>

#include "ctl/go_text.h"

namespace synod::ctl::go {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::OneofDescriptor;
using google::protobuf::Reflection;

constexpr char kLowerHex[] = "0123456789abcdef";

template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[32];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

// One value of a field: element `index` of a repeated field, or the singular value if -1.
void append_field_value(std::string& out, const Message& message, const FieldDescriptor& field,
                        int index) {
  const Reflection& reflection = *message.GetReflection();
  const bool repeated = index >= 0;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      append_integer(out, repeated ? reflection.GetRepeatedInt32(message, &field, index)
                                   : reflection.GetInt32(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      append_integer(out, repeated ? reflection.GetRepeatedInt64(message, &field, index)
                                   : reflection.GetInt64(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      append_integer(out, repeated ? reflection.GetRepeatedUInt32(message, &field, index)
                                   : reflection.GetUInt32(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      append_integer(out, repeated ? reflection.GetRepeatedUInt64(message, &field, index)
                                   : reflection.GetUInt64(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_ENUM:
      append_integer(out, repeated ? reflection.GetRepeatedEnumValue(message, &field, index)
                                   : reflection.GetEnumValue(message, &field));
      return;
    case FieldDescriptor::CPPTYPE_BOOL: {
      const bool value = repeated ? reflection.GetRepeatedBool(message, &field, index)
                                  : reflection.GetBool(message, &field);
      out += value ? "true" : "false";
      return;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      // etcd's responses carry no floating point; shortest round-trip text is close to Go's.
      const double value = field.cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE
                               ? (repeated ? reflection.GetRepeatedDouble(message, &field, index)
                                           : reflection.GetDouble(message, &field))
                               : (repeated ? reflection.GetRepeatedFloat(message, &field, index)
                                           : reflection.GetFloat(message, &field));
      append_integer(out, value);
      return;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& value =
          repeated ? reflection.GetRepeatedStringReference(message, &field, index, &scratch)
                   : reflection.GetStringReference(message, &field, &scratch);
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        out += '"';
        out += base64_encode(value);
        out += '"';
      } else {
        append_json_string(out, value);
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      append_message_json(out, repeated ? reflection.GetRepeatedMessage(message, &field, index)
                                        : reflection.GetMessage(message, &field));
      return;
  }
}

// `omitempty`: whether Go would leave a singular, non-oneof field out.
bool is_empty_value(const Message& message, const FieldDescriptor& field) {
  const Reflection& reflection = *message.GetReflection();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE: return !reflection.HasField(message, &field);
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return reflection.GetStringReference(message, &field, &scratch).empty();
    }
    default:
      // proto3 scalars: HasField is false exactly when the value is zero.
      return !reflection.HasField(message, &field);
  }
}

void append_key(std::string& out, bool& first, std::string_view key) {
  if (!first) out += ',';
  first = false;
  append_json_string(out, key);
  out += ':';
}

void append_oneof(std::string& out, bool& first, const Message& message,
                  const OneofDescriptor& oneof) {
  append_key(out, first, camel_case(oneof.name()));
  const FieldDescriptor* set_field =
      message.GetReflection()->GetOneofFieldDescriptor(message, &oneof);
  if (set_field == nullptr) {
    out += "null";
    return;
  }
  // The wrapper struct's field has no json tag: its Go name, and never omitted.
  out += '{';
  bool wrapper_first = true;
  append_key(out, wrapper_first, camel_case(set_field->name()));
  append_field_value(out, message, *set_field, -1);
  out += '}';
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  while (!text.empty()) {
    const unsigned char byte = static_cast<unsigned char>(text[0]);
    if (byte < 0x80) {
      text.remove_prefix(1);
      if (byte == '\\' || byte == '"') {
        out += '\\';
        out += static_cast<char>(byte);
      } else if (byte == '\n') {
        out += "\\n";
      } else if (byte == '\r') {
        out += "\\r";
      } else if (byte == '\t') {
        out += "\\t";
      } else if (byte < 0x20 || byte == '<' || byte == '>' || byte == '&') {
        out += "\\u00";
        out += kLowerHex[byte >> 4];
        out += kLowerHex[byte & 0xF];
      } else {
        out += static_cast<char>(byte);
      }
      continue;
    }
    const DecodedRune decoded = decode_rune(text);
    if (decoded.rune == kRuneError && decoded.size == 1) {
      out += "\\ufffd";
    } else if (decoded.rune == 0x2028 || decoded.rune == 0x2029) {
      out += decoded.rune == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(text.substr(0, decoded.size));
    }
    text.remove_prefix(decoded.size);
  }
  out += '"';
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16 |
                                static_cast<unsigned char>(bytes[i + 1]) << 8 |
                                static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += kAlphabet[group >> 6 & 63];
    out += kAlphabet[group & 63];
  }
  const std::size_t left = bytes.size() - i;
  if (left > 0) {
    std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16;
    if (left == 2) group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += left == 2 ? kAlphabet[group >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string camel_case(std::string_view proto_name) {
  std::string out;
  bool upper_next = true;
  for (const char c : proto_name) {
    if (c == '_') {
      upper_next = true;
      continue;
    }
    out += upper_next && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper_next = false;
  }
  return out;
}

void append_message_json(std::string& out, const Message& message) {
  const google::protobuf::Descriptor& descriptor = *message.GetDescriptor();
  const Reflection& reflection = *message.GetReflection();
  std::set<const OneofDescriptor*> oneofs_written;
  bool first = true;
  out += '{';
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const FieldDescriptor& field = *descriptor.field(i);
    if (const OneofDescriptor* oneof = field.real_containing_oneof()) {
      // Go declares the oneof's interface field where its first member is declared.
      if (oneofs_written.insert(oneof).second) append_oneof(out, first, message, *oneof);
      continue;
    }
    if (field.is_repeated()) {
      const int size = reflection.FieldSize(message, &field);
      if (size == 0) continue;
      append_key(out, first, field.name());
      out += '[';
      for (int index = 0; index < size; ++index) {
        if (index > 0) out += ',';
        append_field_value(out, message, field, index);
      }
      out += ']';
      continue;
    }
    if (is_empty_value(message, field)) continue;
    append_key(out, first, field.name());
    append_field_value(out, message, field, -1);
  }
  out += '}';
}

std::string message_json(const Message& message) {
  std::string out;
  append_message_json(out, message);
  return out;
}

}  // namespace synod::ctl::go

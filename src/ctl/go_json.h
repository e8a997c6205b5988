#pragma once
// JSON exactly as Go's encoding/json writes etcd's gogo-generated response structs, which is what
// `etcdctl -w json` prints: fields in declaration order, keyed by their proto names (the structs'
// json tags), every field `omitempty` (zero numbers, false, empty strings, bytes and lists and
// unset messages are left out), bytes in padded standard base64, 64-bit integers as bare
// numbers, enums as numbers, and a oneof as {"<OneofName>":{"<FieldName>":...}} in Go's
// CamelCase (e.g. "Response":{"ResponsePut":{...}}), or "<OneofName>":null when unset.
#include <google/protobuf/message.h>

#include <string>
#include <string_view>

namespace synod::ctl::go {

// encoding/json's string encoding with HTML escaping (<, >, & as \u003c...), \u00XX for other
// control bytes, \ufffd for invalid UTF-8 and \u2028/\u2029 escaped.
void append_json_string(std::string& out, std::string_view text);
// base64.StdEncoding.
std::string base64_encode(std::string_view bytes);
// Go's CamelCase for generated field names: "response_range" -> "ResponseRange".
std::string camel_case(std::string_view proto_name);

// A message as encoding/json marshals its gogo-generated struct.
void append_message_json(std::string& out, const google::protobuf::Message& message);
std::string message_json(const google::protobuf::Message& message);

}  // namespace synod::ctl::go

#pragma once
// JSON Schema -> Grammar for compact JSON text (no insignificant whitespace, so a model cannot
// stall in endless spaces). Supported: type (single or list), properties / required /
// additionalProperties, items / minItems / maxItems, enum, const, anyOf / oneOf, allOf of one
// schema, $ref into #/$defs or #/definitions (recursion allowed), string minLength / maxLength,
// string pattern (regex subset, see regex_grammar.h) and format (date, time, date-time, uuid,
// ipv4), integer / number, boolean, null. Keywords the grammar cannot express (minimum,
// multipleOf, other formats...) are not enforced. Object properties are written in the schema's order; an
// object schema with properties allows no others unless additionalProperties says so.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sample/grammar.h"

namespace slm {

// Throws slm::Error for schemas it cannot turn into a grammar (bad $ref, huge bounds...).
// Takes ordered_json: object properties are generated in the schema's order.
std::shared_ptr<const Grammar> json_schema_grammar(const nlohmann::ordered_json& schema);

// Any JSON object ({"type": "json_object"} response format).
std::shared_ptr<const Grammar> json_object_grammar();

// `prefix` VALUE `suffix`, VALUE following `schema`: a tool call in a model family's wrapper,
// e.g. prefix `<tool_call>{"name":"f","arguments":` and suffix `}</tool_call>`.
struct WrappedSchema {
  std::string prefix;
  nlohmann::ordered_json schema;
  std::string suffix;
};
// Any one of `options` (e.g. a call to any of the tools).
std::shared_ptr<const Grammar> wrapped_json_schema_grammar(const std::vector<WrappedSchema>& options);

// Free text that never contains `opener`, or such text, then `opener`, then one of `calls` to
// end the output: a reply that may call a tool, whose arguments must then follow the schema.
std::shared_ptr<const Grammar> text_or_wrapped_json_grammar(const std::string& opener,
                                                            const std::vector<WrappedSchema>& calls);

}  // namespace slm

#pragma once
// Reading user-supplied JSON (config and scenario files). Every way such a file can be bad
// is an InputError naming the file: missing or unreadable, a directory, a syntax error (with
// nlohmann's line and column), a number out of range (1e999), or objects and arrays nested
// deeper than kMaxJsonDepth (the parser and the code that walks the result recurse, so an
// unbounded depth is a stack overflow; issue 19).

#include <string>

#include <nlohmann/json.hpp>

namespace smmusim::core {

constexpr int kMaxJsonDepth = 64;

nlohmann::json read_json_file(const std::string& path);
// The same checks on text already in memory; `source` names it in messages.
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

}  // namespace smmusim::core

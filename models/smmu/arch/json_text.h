#pragma once
// Appending JSON members to a string, for the arch formatters (events_json, commands_json).
// Standard library only: arch is shared with the software, which must not depend on models/core
// (whose JsonLine does the same for the model's logs). A member gets a comma before it unless
// the text ends with '{', so these append to an object someone else has opened.

#include <charconv>
#include <cstdint>
#include <string>

namespace smmusim::smmu::arch::json {

inline void key(std::string& out, const char* k) {
    if (!out.empty() && out.back() != '{') out += ',';
    out += '"';
    out += k;
    out += "\":";
}

inline void append_uint(std::string& out, uint64_t v, int base = 10, unsigned digits = 0) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v, base);  // hex digits are lower-case
    const size_t n = size_t(r.ptr - tmp);
    if (digits > n) out.append(digits - n, '0');
    out.append(tmp, n);
}

// "0x..." lower-case; `digits` pads with zeros.
inline void append_hex(std::string& out, uint64_t v, unsigned digits = 0) {
    out += "\"0x";
    append_uint(out, v, 16, digits);
    out += '"';
}

inline void num(std::string& out, const char* k, uint64_t v) {
    key(out, k);
    append_uint(out, v);
}
inline void hex(std::string& out, const char* k, uint64_t v) {
    key(out, k);
    append_hex(out, v);
}
inline void boolean(std::string& out, const char* k, bool v) {
    key(out, k);
    out += v ? "true" : "false";
}
inline void null(std::string& out, const char* k) {
    key(out, k);
    out += "null";
}
// `v` is one of this library's names (no characters to escape).
inline void name(std::string& out, const char* k, const char* v) {
    key(out, k);
    out += '"';
    out += v;
    out += '"';
}

}  // namespace smmusim::smmu::arch::json

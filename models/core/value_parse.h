#pragma once
// Text -> typed value parsing shared by parameters, --set, traces and scenarios.
// Each parser returns false and fills `err` with a short reason on bad input.

#include <cstdint>
#include <string>

#include <systemc>

namespace smmusim::core {

// Decimal or 0x-hex, optional '_' separators, optional IEC suffix KiB/MiB/GiB/TiB.
bool parse_u64(const std::string& text, uint64_t& out, std::string& err);
bool parse_i64(const std::string& text, int64_t& out, std::string& err);
// true/false, 1/0, yes/no, on/off (case-insensitive).
bool parse_bool(const std::string& text, bool& out, std::string& err);
bool parse_double(const std::string& text, double& out, std::string& err);
// "<number> <unit>" with unit ps/ns/us/ms/s, or a frequency Hz/kHz/MHz/GHz (taken as its period).
bool parse_time(const std::string& text, sc_core::sc_time& out, std::string& err);

std::string format_time(const sc_core::sc_time& t);
std::string hex(uint64_t v);
// 8 GiB, 4 KiB, 12345 B: for human-readable listings.
std::string format_size(uint64_t bytes);

// Whether `s` ends with `tail` (an output file's extension chooses its format).
inline bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace smmusim::core

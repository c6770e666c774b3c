#include "models/core/value_parse.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace smmusim::core {
namespace {

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t");
    size_t e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

struct Suffix {
    const char* text;
    unsigned shift;
};
constexpr Suffix kSizeSuffixes[] = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};

}  // namespace

bool parse_u64(const std::string& text, uint64_t& out, std::string& err) {
    std::string s = trim(text);
    if (!s.empty() && s[0] == '-') {
        err = "expected a non-negative integer";
        return false;
    }
    unsigned shift = 0;
    for (const Suffix& suf : kSizeSuffixes) {
        size_t n = std::char_traits<char>::length(suf.text);
        if (s.size() > n && s.compare(s.size() - n, n, suf.text) == 0) {
            shift = suf.shift;
            s = trim(s.substr(0, s.size() - n));
            break;
        }
    }
    unsigned base = 10;
    size_t i = 0;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i >= s.size()) {
        err = "expected an unsigned integer (decimal, 0x-hex, optional KiB/MiB/GiB/TiB)";
        return false;
    }
    uint64_t v = 0;
    bool digits = false;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '_' && digits) continue;
        unsigned d;
        if (c >= '0' && c <= '9') d = unsigned(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') d = unsigned(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F') d = unsigned(c - 'A' + 10);
        else {
            err = "expected an unsigned integer (decimal, 0x-hex, optional KiB/MiB/GiB/TiB)";
            return false;
        }
        if (v > (std::numeric_limits<uint64_t>::max() - d) / base) {
            err = "integer does not fit in 64 bits";
            return false;
        }
        v = v * base + d;
        digits = true;
    }
    if (shift && v > (std::numeric_limits<uint64_t>::max() >> shift)) {
        err = "size does not fit in 64 bits";
        return false;
    }
    out = v << shift;
    return true;
}

bool parse_i64(const std::string& text, int64_t& out, std::string& err) {
    std::string s = trim(text);
    bool neg = !s.empty() && s[0] == '-';
    uint64_t mag;
    if (!parse_u64(neg ? s.substr(1) : s, mag, err)) {
        err = "expected an integer (decimal or 0x-hex)";
        return false;
    }
    uint64_t limit = neg ? uint64_t(std::numeric_limits<int64_t>::max()) + 1
                         : uint64_t(std::numeric_limits<int64_t>::max());
    if (mag > limit) {
        err = "integer does not fit in 64 bits";
        return false;
    }
    out = neg ? int64_t(0 - mag) : int64_t(mag);
    return true;
}

bool parse_bool(const std::string& text, bool& out, std::string& err) {
    std::string s = lower(trim(text));
    if (s == "true" || s == "1" || s == "yes" || s == "on") {
        out = true;
        return true;
    }
    if (s == "false" || s == "0" || s == "no" || s == "off") {
        out = false;
        return true;
    }
    err = "expected a boolean (true/false)";
    return false;
}

bool parse_double(const std::string& text, double& out, std::string& err) {
    std::string s = trim(text);
    if (s.empty()) {
        err = "expected a number";
        return false;
    }
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) {
        err = "expected a finite number";
        return false;
    }
    out = v;
    return true;
}

bool parse_time(const std::string& text, sc_core::sc_time& out, std::string& err) {
    std::string s = trim(text);
    size_t unit_pos = s.find_first_not_of("0123456789.eE+-");
    // "1e3ns" would be ambiguous with the exponent parse; keep the number part strict.
    if (unit_pos == std::string::npos || unit_pos == 0) {
        err = "expected a time with a unit (ps, ns, us, ms, s) or a frequency (Hz, kHz, MHz, GHz)";
        return false;
    }
    double v;
    std::string num_err;
    if (!parse_double(s.substr(0, unit_pos), v, num_err) || v < 0) {
        err = "expected a non-negative time such as \"10 ns\" or \"1 GHz\"";
        return false;
    }
    std::string unit = lower(trim(s.substr(unit_pos)));
    double seconds;
    if (unit == "ps") seconds = v * 1e-12;
    else if (unit == "ns") seconds = v * 1e-9;
    else if (unit == "us") seconds = v * 1e-6;
    else if (unit == "ms") seconds = v * 1e-3;
    else if (unit == "s") seconds = v;
    else if (unit == "hz" || unit == "khz" || unit == "mhz" || unit == "ghz") {
        double scale = unit == "hz" ? 1 : unit == "khz" ? 1e3 : unit == "mhz" ? 1e6 : 1e9;
        if (v <= 0) {
            err = "frequency must be positive";
            return false;
        }
        seconds = 1.0 / (v * scale);
    } else {
        err = "unknown time unit '" + unit + "' (ps, ns, us, ms, s, Hz, kHz, MHz, GHz)";
        return false;
    }
    double ps = seconds * 1e12;
    if (ps > 9e18) {
        err = "time too large";
        return false;
    }
    out = sc_core::sc_time(std::round(ps), sc_core::SC_PS);
    return true;
}

std::string format_time(const sc_core::sc_time& t) {
    uint64_t ps = uint64_t(t.to_seconds() * 1e12 + 0.5);
    if (ps == 0) return "0 ns";
    if (ps % 1000000000ull == 0) return std::to_string(ps / 1000000000ull) + " ms";
    if (ps % 1000000ull == 0) return std::to_string(ps / 1000000ull) + " us";
    if (ps % 1000ull == 0) return std::to_string(ps / 1000ull) + " ns";
    return std::to_string(ps) + " ps";
}

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string format_size(uint64_t bytes) {
    for (auto it = std::rbegin(kSizeSuffixes); it != std::rend(kSizeSuffixes); ++it) {
        uint64_t unit = uint64_t(1) << it->shift;
        if (bytes >= unit && bytes % unit == 0) return std::to_string(bytes / unit) + " " + it->text;
    }
    return std::to_string(bytes) + " B";
}

}  // namespace smmusim::core

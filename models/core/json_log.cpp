#include "models/core/json_log.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "models/core/errors.h"

namespace smmusim::core {

namespace {

void append_uint(std::string& out, uint64_t v, int base = 10, unsigned digits = 0) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v, base);  // hex digits are lower-case
    const size_t n = size_t(r.ptr - tmp);
    if (digits > n) out.append(digits - n, '0');
    out.append(tmp, n);
}

void append_escaped(std::string& out, const char* s) {
    out += '"';
    for (; *s; ++s) {
        const unsigned char c = static_cast<unsigned char>(*s);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < 0x20) {
            out += "\\u00";
            out += "0123456789abcdef"[c >> 4];
            out += "0123456789abcdef"[c & 15];
        } else {
            out += char(c);
        }
    }
    out += '"';
}

// Closes the logs at normal process exit if the owner did not: a test that ends without
// close_all() still leaves complete lines.
struct CloseAtExit {
    ~CloseAtExit() { JsonLog::close_all(); }
} close_at_exit;

}  // namespace

JsonLog* JsonLog::open_[kLogCount] = {};

const char* JsonLog::name(LogId id) {
    switch (id) {
    case LogId::Xlate: return "xlate";
    case LogId::Cmd: return "cmd";
    case LogId::Event: return "event";
    }
    return "?";
}

void JsonLog::open(LogId id, const std::string& path, const std::string& what) {
    close(id);
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw InputError(what + " " + path + ": cannot open for writing: " + std::strerror(errno));
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
    open_[unsigned(id)] = new JsonLog(f, path);
}

bool JsonLog::close(LogId id) {
    JsonLog*& log = open_[unsigned(id)];
    if (!log) return true;
    const bool ok = !std::ferror(log->file_) && std::fclose(log->file_) == 0;
    delete log;
    log = nullptr;
    return ok;
}

bool JsonLog::close_all() {
    bool ok = true;
    for (unsigned i = 0; i < kLogCount; ++i) ok = close(LogId(i)) && ok;
    return ok;
}

JsonLine JsonLog::line() {
    buf_.clear();  // keeps its capacity
    buf_ += '{';
    return JsonLine(*this, buf_);
}

// Unlocked: the log is its file's only writer.
void JsonLog::write() { fwrite_unlocked(buf_.data(), 1, buf_.size(), file_); }

void JsonLog::time_scale() {
    // Found on first use, not at open(): open() may run before elaboration has settled the
    // time resolution.
    if (units_per_ns_) return;
    const double res_ps = sc_core::sc_get_time_resolution().to_seconds() * 1e12;
    if (res_ps <= 1000) {
        units_per_ns_ = uint64_t(std::llround(1000 / res_ps));
    } else {
        units_per_ns_ = 1;
        ns_per_unit_ = uint64_t(std::llround(res_ps / 1000));
    }
}

JsonLine::JsonLine(JsonLog& log, std::string& buf) : log_(log), buf_(buf) {}

JsonLine::~JsonLine() {
    buf_ += "}\n";
    log_.write();
}

void JsonLine::key(const char* k) {
    if (buf_.back() != '{') buf_ += ',';
    buf_ += '"';
    buf_ += k;
    buf_ += "\":";
}

JsonLine& JsonLine::time_ns(const char* k, const sc_core::sc_time& t) {
    key(k);
    log_.time_scale();
    const uint64_t upn = log_.units_per_ns_;
    if (log_.ns_per_unit_ != 1) {  // a resolution coarser than 1 ns: whole ns
        append_uint(buf_, t.value() * log_.ns_per_unit_);
        return *this;
    }
    append_uint(buf_, t.value() / upn);
    uint64_t frac = t.value() % upn;
    if (!frac) return *this;
    // upn is a power of ten: as many fraction digits as it has zeros, trailing zeros dropped.
    unsigned digits = 0;
    for (uint64_t u = upn; u > 1; u /= 10) ++digits;
    while (frac % 10 == 0) {
        frac /= 10;
        --digits;
    }
    buf_ += '.';
    append_uint(buf_, frac, 10, digits);
    return *this;
}

JsonLine& JsonLine::num(const char* k, uint64_t v) {
    key(k);
    append_uint(buf_, v);
    return *this;
}

JsonLine& JsonLine::hex(const char* k, uint64_t v, unsigned digits) {
    key(k);
    buf_ += "\"0x";
    append_uint(buf_, v, 16, digits);
    buf_ += '"';
    return *this;
}

JsonLine& JsonLine::str(const char* k, const char* v) {
    key(k);
    append_escaped(buf_, v);
    return *this;
}

JsonLine& JsonLine::boolean(const char* k, bool v) {
    key(k);
    buf_ += v ? "true" : "false";
    return *this;
}

JsonLine& JsonLine::null(const char* k) {
    key(k);
    buf_ += "null";
    return *this;
}

}  // namespace smmusim::core

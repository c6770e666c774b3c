#pragma once
// JSON-lines logs (DESIGN §5 "Log lines"): a few named, process-wide logs (xlate, cmd, event),
// each off until opened. A model asks for its log where it would write one and gets nullptr
// while it is off, so a run without logs pays one load and compare per site:
//
//     if (core::JsonLog* log = core::JsonLog::get(core::LogId::Xlate))
//         log->line().time_ns("t_ns", now).str("dev", dev).num("sid", sid);
//
// A line is appended to the log's append buffer (models/core/out_buffer.h: inline digits, the
// stream called once per 64 KiB; no allocation per line) and ends when the JsonLine goes out
// of scope. The text is a pure function of
// what the model passes in (integers and hex strings, never floating-point formatting of
// computed values), so the same inputs and seed give byte-identical files.

#include <cstdint>
#include <cstdio>
#include <string>

#include <systemc>

#include "models/core/out_buffer.h"

namespace smmusim::core {

enum class LogId : unsigned { Xlate, Cmd, Event };
constexpr unsigned kLogCount = 3;

class JsonLog;

// One line being built: an object whose members are appended in call order. Keys are string
// literals of the caller (not escaped); string values are escaped.
class JsonLine {
public:
    JsonLine(const JsonLine&) = delete;
    JsonLine& operator=(const JsonLine&) = delete;
    ~JsonLine();  // closes the object and ends the line (in the log's buffer until a flush)

    // A time in nanoseconds: an integer, or a decimal with the digits the time resolution has.
    JsonLine& time_ns(const char* key, const sc_core::sc_time& t);
    JsonLine& num(const char* key, uint64_t v);
    // "0x" and lower-case hex digits; `digits` pads with zeros (16 for a raw 64-bit word).
    JsonLine& hex(const char* key, uint64_t v, unsigned digits = 0);
    JsonLine& str(const char* key, const char* v);
    JsonLine& str(const char* key, const std::string& v) { return str(key, v.c_str()); }
    JsonLine& boolean(const char* key, bool v);
    JsonLine& null(const char* key);
    // Members formatted elsewhere: `append(std::string& out)` adds `"k":v,...` to `out`, with
    // a comma before each member unless `out` ends with '{' (arch::append_event_json does).
    template <typename F>
    JsonLine& members(F&& append) {
        std::string& s = scratch();  // "{" before the first member, else "-"
        append(s);
        add_members(s);
        return *this;
    }

private:
    friend class JsonLog;
    explicit JsonLine(JsonLog& log);
    void key(const char* k);
    std::string& scratch();
    void add_members(const std::string& s);

    JsonLog& log_;
    OutBuffer& out_;
    bool first_ = true;  // no member yet
};

class JsonLog {
public:
    // The open log, or nullptr while it is off.
    static JsonLog* get(LogId id) { return open_[unsigned(id)]; }
    static const char* name(LogId id);  // "xlate", "cmd", "event"

    // Opens (truncates) `path`. On failure throws InputError "<what> <path>: cannot open for
    // writing: <reason>", `what` naming where the path came from (the flag).
    static void open(LogId id, const std::string& path, const std::string& what);
    // Flushes and closes; false if anything could not be written. Closing a closed log is a no-op.
    static bool close(LogId id);
    // Closes every open log; false if any failed.
    static bool close_all();

    JsonLine line();
    const std::string& path() const { return path_; }

private:
    friend class JsonLine;
    JsonLog(std::FILE* f, std::string path) : file_(f), path_(std::move(path)) { out_.attach(f); }
    void time_scale();

    static JsonLog* open_[kLogCount];

    std::FILE* file_;
    std::string path_;
    OutBuffer out_;        // the lines, in front of file_
    std::string scratch_;  // members formatted elsewhere (JsonLine::members)
    uint64_t units_per_ns_ = 0;  // time-resolution units per ns (0: not found yet)
    uint64_t ns_per_unit_ = 1;   // ns per unit, for a resolution coarser than 1 ns
};

}  // namespace smmusim::core

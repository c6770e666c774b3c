#include "models/core/txn_trace.h"

#include "models/core/errors.h"

namespace smmusim::core {
namespace {
constexpr unsigned kLanesPerTrack = 1000;
constexpr unsigned kDevicePid = 1, kSmmuPid = 2;

uint64_t to_ns(const sc_core::sc_time& t) { return uint64_t(t.to_seconds() * 1e9 + 0.5); }

// Whole nanoseconds as microseconds: "12.345".
struct Us {
    char text[32];
    explicit Us(uint64_t ns) {
        std::snprintf(text, sizeof text, "%llu.%03llu", static_cast<unsigned long long>(ns / 1000),
                      static_cast<unsigned long long>(ns % 1000));
    }
};

}  // namespace

TxnTraceWriter& TxnTraceWriter::instance() {
    static TxnTraceWriter w;
    return w;
}

void TxnTraceWriter::open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "w");
    if (!file_) throw InputError(path + ": cannot open trace file for writing");
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    std::fprintf(file_, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    std::fprintf(file_,
                 "{\"name\":\"process_name\",\"cat\":\"__metadata\",\"ph\":\"M\",\"pid\":%u,\"tid\":0,"
                 "\"args\":{\"name\":\"devices\"}},\n"
                 "{\"name\":\"process_name\",\"cat\":\"__metadata\",\"ph\":\"M\",\"pid\":%u,\"tid\":0,"
                 "\"args\":{\"name\":\"smmu\"}}",
                 kDevicePid, kSmmuPid);
}

void TxnTraceWriter::close() {
    if (!file_) return;
    std::fprintf(file_, "\n]}\n");
    std::fclose(file_);
    file_ = nullptr;
}

unsigned TxnTraceWriter::thread_id(const std::string& track, unsigned pid, unsigned lane, Track** out) {
    auto it = tracks_.find(track);
    if (it == tracks_.end()) it = tracks_.emplace(track, Track{unsigned(tracks_.size()) + 1, pid, {}}).first;
    if (out) *out = &it->second;
    const unsigned tid = it->second.index * kLanesPerTrack + lane % kLanesPerTrack;
    if (named_threads_.insert(tid).second) {
        std::fprintf(file_,
                     ",\n{\"name\":\"thread_name\",\"cat\":\"__metadata\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
                     "\"args\":{\"name\":\"%s #%u\"}},\n"
                     "{\"name\":\"thread_sort_index\",\"cat\":\"__metadata\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
                     "\"args\":{\"sort_index\":%u}}",
                     pid, tid, track.c_str(), lane, pid, tid, tid);
    }
    return tid;
}

void TxnTraceWriter::complete(const std::string& track, unsigned lane, const sc_core::sc_time& start,
                              const sc_core::sc_time& end, const char* label, uint64_t addr,
                              unsigned size, const std::string& args_json) {
    if (!file_) return;
    const unsigned tid = thread_id(track, kDevicePid, lane);
    const uint64_t s = to_ns(start), e = to_ns(end);
    std::fprintf(file_,
                 ",\n{\"name\":\"%s %s\",\"cat\":\"device\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,"
                 "\"ts\":%s,\"dur\":%s,\"args\":{\"master\":\"%s\",\"addr\":\"0x%llx\",\"size\":%u,"
                 "\"latency_ns\":%llu%s%s}}",
                 track.c_str(), label, kDevicePid, tid, Us(s).text, Us(e - s).text, track.c_str(),
                 static_cast<unsigned long long>(addr), size, static_cast<unsigned long long>(e - s),
                 args_json.empty() ? "" : ",", args_json.c_str());
}

void TxnTraceWriter::span(const std::string& track, const char* name, const char* cat,
                          const sc_core::sc_time& start, const sc_core::sc_time& end,
                          const std::string& args_json, uint64_t flow_out, uint64_t flow_in) {
    if (!file_) return;
    const uint64_t s = to_ns(start), e = std::max(to_ns(end), s);
    Track* t = nullptr;
    thread_id(track, kSmmuPid, 0, &t);
    // Spans end in time order, so a lane that was free by `s` holds nothing after it.
    unsigned lane = 0;
    while (lane < t->lane_end_ns.size() && t->lane_end_ns[lane] > s) ++lane;
    if (lane == t->lane_end_ns.size()) t->lane_end_ns.push_back(0);
    t->lane_end_ns[lane] = e;
    const unsigned tid = thread_id(track, kSmmuPid, lane);
    const Us ts(s);
    std::fprintf(file_,
                 ",\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":%s,\"dur\":%s,"
                 "\"args\":{%s}}",
                 name, cat, kSmmuPid, tid, ts.text, Us(e - s).text, args_json.c_str());
    // Flow events bind to the slice that encloses their timestamp on their thread.
    if (flow_out)
        std::fprintf(file_,
                     ",\n{\"name\":\"translation\",\"cat\":\"flow\",\"ph\":\"s\",\"id\":%llu,\"pid\":%u,"
                     "\"tid\":%u,\"ts\":%s}",
                     static_cast<unsigned long long>(flow_out), kSmmuPid, tid, ts.text);
    if (flow_in)
        std::fprintf(file_,
                     ",\n{\"name\":\"translation\",\"cat\":\"flow\",\"ph\":\"f\",\"bp\":\"e\",\"id\":%llu,"
                     "\"pid\":%u,\"tid\":%u,\"ts\":%s}",
                     static_cast<unsigned long long>(flow_in), kSmmuPid, tid, ts.text);
}

unsigned LaneSet::acquire() {
    if (free_.empty()) return next_++;
    unsigned lane = *free_.begin();
    free_.erase(free_.begin());
    return lane;
}

void LaneSet::release(unsigned lane) { free_.insert(lane); }

}  // namespace smmusim::core

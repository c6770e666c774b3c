#include "models/core/txn_trace.h"

#include <cstring>

#include "models/core/errors.h"

namespace smmusim::core {
namespace {
constexpr unsigned kLanesPerTrack = 1000;
constexpr unsigned kDevicePid = 1, kSmmuPid = 2;

uint64_t to_ns(const sc_core::sc_time& t) { return uint64_t(t.to_seconds() * 1e9 + 0.5); }

// One trace event built in a buffer and written with one unlocked fwrite: a traced run writes
// an event per span, and printf's format parsing and stream locking were most of its cost.
class Line {
public:
    explicit Line(std::FILE* f) : f_(f) {}
    ~Line() { flush(); }
    Line& s(const char* p) { return put(p, std::strlen(p)); }
    Line& s(const std::string& p) { return put(p.data(), p.size()); }
    Line& u(uint64_t v) {
        char d[24];
        unsigned k = 0;
        do d[k++] = char('0' + v % 10);
        while (v /= 10);
        while (k) c(d[--k]);
        return *this;
    }
    Line& hex(uint64_t v) {
        char d[16];
        unsigned k = 0;
        do d[k++] = "0123456789abcdef"[v & 15];
        while (v >>= 4);
        s("0x");
        while (k) c(d[--k]);
        return *this;
    }
    // Whole nanoseconds as microseconds with three decimals: "12.345".
    Line& us(uint64_t ns) {
        u(ns / 1000);
        c('.');
        const uint64_t f = ns % 1000;
        c(char('0' + f / 100));
        c(char('0' + f / 10 % 10));
        return c(char('0' + f % 10));
    }

private:
    Line& c(char ch) {
        if (n_ == sizeof buf_) flush();
        buf_[n_++] = ch;
        return *this;
    }
    Line& put(const char* p, size_t len) {
        while (len) {
            if (n_ == sizeof buf_) flush();
            const size_t k = std::min(len, sizeof buf_ - n_);
            std::memcpy(buf_ + n_, p, k);
            n_ += k;
            p += k;
            len -= k;
        }
        return *this;
    }
    void flush() {
        if (n_) fwrite_unlocked(buf_, 1, n_, f_);
        n_ = 0;
    }
    std::FILE* f_;
    char buf_[512];
    size_t n_ = 0;
};

}  // namespace

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

unsigned TxnTraceWriter::track(const std::string& name) {
    auto [it, fresh] = by_name_.try_emplace(name, unsigned(tracks_.size()));
    if (fresh) tracks_.push_back(Track{name, unsigned(tracks_.size()) + 1, {}, {}});
    return it->second;
}

unsigned TxnTraceWriter::thread_id(Track& t, unsigned pid, unsigned lane) {
    const unsigned slot = lane % kLanesPerTrack;
    const unsigned tid = t.index * kLanesPerTrack + slot;
    if (slot >= t.named.size()) t.named.resize(slot + 1);
    if (!t.named[slot]) {
        t.named[slot] = true;
        Line(file_)
            .s(",\n{\"name\":\"thread_name\",\"cat\":\"__metadata\",\"ph\":\"M\",\"pid\":")
            .u(pid)
            .s(",\"tid\":")
            .u(tid)
            .s(",\"args\":{\"name\":\"")
            .s(t.name)
            .s(" #")
            .u(lane)
            .s("\"}},\n{\"name\":\"thread_sort_index\",\"cat\":\"__metadata\",\"ph\":\"M\",\"pid\":")
            .u(pid)
            .s(",\"tid\":")
            .u(tid)
            .s(",\"args\":{\"sort_index\":")
            .u(tid)
            .s("}}");
    }
    return tid;
}

void TxnTraceWriter::complete(unsigned track, unsigned lane, const sc_core::sc_time& start,
                              const sc_core::sc_time& end, const char* label, uint64_t addr, unsigned size,
                              const char* args_json) {
    if (!file_) return;
    Track& t = tracks_[track];
    const unsigned tid = thread_id(t, kDevicePid, lane);
    const uint64_t s = to_ns(start), e = to_ns(end);
    Line l(file_);
    l.s(",\n{\"name\":\"").s(t.name).s(" ").s(label).s("\",\"cat\":\"device\",\"ph\":\"X\",\"pid\":").u(kDevicePid);
    l.s(",\"tid\":").u(tid).s(",\"ts\":").us(s).s(",\"dur\":").us(e - s);
    l.s(",\"args\":{\"master\":\"").s(t.name).s("\",\"addr\":\"").hex(addr).s("\",\"size\":").u(size);
    l.s(",\"latency_ns\":").u(e - s);
    if (*args_json) l.s(",").s(args_json);
    l.s("}}");
}

void TxnTraceWriter::span(unsigned track, const char* name, const char* cat, const sc_core::sc_time& start,
                          const sc_core::sc_time& end, const char* args_json, uint64_t flow_out, uint64_t flow_in) {
    if (!file_) return;
    const uint64_t s = to_ns(start), e = std::max(to_ns(end), s);
    Track& t = tracks_[track];
    thread_id(t, kSmmuPid, 0);
    // Spans end in time order, so a lane that was free by `s` holds nothing after it.
    unsigned lane = 0;
    while (lane < t.lane_end_ns.size() && t.lane_end_ns[lane] > s) ++lane;
    if (lane == t.lane_end_ns.size()) t.lane_end_ns.push_back(0);
    t.lane_end_ns[lane] = e;
    const unsigned tid = thread_id(t, kSmmuPid, lane);
    Line l(file_);
    l.s(",\n{\"name\":\"").s(name).s("\",\"cat\":\"").s(cat).s("\",\"ph\":\"X\",\"pid\":").u(kSmmuPid);
    l.s(",\"tid\":").u(tid).s(",\"ts\":").us(s).s(",\"dur\":").us(e - s).s(",\"args\":{").s(args_json).s("}}");
    // Flow events bind to the slice that encloses their timestamp on their thread.
    auto flow = [&](const char* phase, uint64_t id) {
        l.s(",\n{\"name\":\"translation\",\"cat\":\"flow\",\"ph\":").s(phase).s(",\"id\":").u(id);
        l.s(",\"pid\":").u(kSmmuPid).s(",\"tid\":").u(tid).s(",\"ts\":").us(s).s("}");
    };
    if (flow_out) flow("\"s\"", flow_out);
    if (flow_in) flow("\"f\",\"bp\":\"e\"", flow_in);
}

unsigned LaneSet::acquire() {
    if (free_.empty()) return next_++;
    unsigned lane = *free_.begin();
    free_.erase(free_.begin());
    return lane;
}

void LaneSet::release(unsigned lane) { free_.insert(lane); }

}  // namespace smmusim::core

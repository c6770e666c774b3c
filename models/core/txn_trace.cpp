#include "models/core/txn_trace.h"

#include "models/core/errors.h"
#include "models/core/out_buffer.h"
#include "models/core/sim_time.h"
#include "models/core/value_parse.h"

namespace smmusim::core {
namespace {
constexpr unsigned kDevicePid = 1, kSmmuPid = 2;

// Whole nanoseconds as microseconds with three decimals: "12.345".
OutBuffer& put_us(OutBuffer& b, uint64_t ns) {
    b.decimal(ns / 1000).put('.');
    const unsigned f = unsigned(ns % 1000);
    return b.put(char('0' + f / 100)).put(char('0' + f / 10 % 10)).put(char('0' + f % 10));
}

// The members of "args", in order (strings are names and outcomes: nothing to escape).
void put_args(OutBuffer& b, const TraceArgs& args) {
    bool first = true;
    for (const TraceArg& a : args) {
        if (!first) b.put(',');
        first = false;
        b.put('"').put(a.key).put("\":");
        switch (a.kind) {
            case TraceArg::Kind::Uint: b.decimal(a.a); break;
            case TraceArg::Kind::Hex: b.put('"').hex(a.a).put('"'); break;
            case TraceArg::Kind::Str: b.put('"').put(a.s ? a.s : "").put('"'); break;
            case TraceArg::Kind::Bool: b.put(a.a ? "true" : "false"); break;
            case TraceArg::Kind::Null: b.put("null"); break;
            case TraceArg::Kind::HexPair: b.put("[\"").hex(a.a).put("\",\"").hex(a.b).put("\"]"); break;
        }
    }
}

}  // namespace

void TxnTraceWriter::open(const std::string& path) {
    close();
    // A new file names its threads again; tracks and their ids stay.
    for (Track& t : tracks_) {
        t.lane_end_ns.clear();
        t.named.clear();
    }
    file_ = std::fopen(path.c_str(), "w");
    if (!file_) throw InputError(path + ": cannot open trace file for writing");
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    out_.attach(file_);  // the events; the JSON's header and tail go to the stream directly
    if (ends_with(path, ".pftrace") || ends_with(path, ".perfetto-trace")) {
        perfetto_ = std::make_unique<PerfettoTrace>();
        perfetto_->start(&out_);
        perfetto_->process(kDevicePid, "devices");
        perfetto_->process(kSmmuPid, "smmu");
        return;
    }
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
    out_.flush();
    out_.attach(nullptr);
    if (!perfetto_) std::fprintf(file_, "\n]}\n");
    std::fclose(file_);
    file_ = nullptr;
    perfetto_.reset();
}

unsigned TxnTraceWriter::track(const std::string& name) {
    auto [it, fresh] = by_name_.try_emplace(name, unsigned(tracks_.size()));
    if (fresh) tracks_.push_back(Track{name, unsigned(tracks_.size()) + 1, {}, {}, {}});
    return it->second;
}

unsigned TxnTraceWriter::name_thread(Track& t, unsigned pid, unsigned lane) {
    const unsigned slot = lane % kLanesPerTrack;
    const unsigned tid = t.index * kLanesPerTrack + slot;
    if (slot >= t.named.size()) t.named.resize(slot + 1);
    if (!t.named[slot]) {
        t.named[slot] = 1;
        if (perfetto_) {
            perfetto_->thread(pid, tid, t.name + " #" + std::to_string(lane));
            return tid;
        }
        out_.put(",\n{\"name\":\"thread_name\",\"cat\":\"__metadata\",\"ph\":\"M\",\"pid\":")
            .decimal(pid)
            .put(",\"tid\":")
            .decimal(tid)
            .put(",\"args\":{\"name\":\"")
            .put(t.name)
            .put(" #")
            .decimal(lane)
            .put("\"}},\n{\"name\":\"thread_sort_index\",\"cat\":\"__metadata\",\"ph\":\"M\",\"pid\":")
            .decimal(pid)
            .put(",\"tid\":")
            .decimal(tid)
            .put(",\"args\":{\"sort_index\":")
            .decimal(tid)
            .put("}}");
    }
    return tid;
}

const char* TxnTraceWriter::device_name(Track& t, const char* label) {
    for (const auto& [l, name] : t.labels)
        if (l == label) return name.c_str();
    t.labels.emplace_back(label, t.name + " " + label);
    return t.labels.back().second.c_str();
}

void TxnTraceWriter::complete(unsigned track, unsigned lane, const sc_core::sc_time& start,
                              const sc_core::sc_time& end, const char* label, uint64_t addr, unsigned size,
                              const TraceArgs& extra) {
    if (!file_) return;
    Track& t = tracks_[track];
    const unsigned tid = thread_id(t, kDevicePid, lane);
    const uint64_t s = to_whole_ns(start), e = to_whole_ns(end);
    TraceArgs args;
    args.str("master", t.name.c_str()).hex("addr", addr).u("size", size).u("latency_ns", e - s);
    for (const TraceArg& a : extra) args.append(a);
    if (perfetto_) {
        perfetto_->slice(tid, s, e, device_name(t, label), "device", args, 0, 0);
        return;
    }
    OutBuffer& l = out_;
    l.put(",\n{\"name\":\"").put(t.name).put(" ").put(label).put("\",\"cat\":\"device\",\"ph\":\"X\",\"pid\":").decimal(kDevicePid);
    put_us(put_us(l.put(",\"tid\":").decimal(tid).put(",\"ts\":"), s).put(",\"dur\":"), e - s);
    put_args(l.put(",\"args\":{"), args);
    l.put("}}");
}

void TxnTraceWriter::span(unsigned track, const char* name, const char* cat, const sc_core::sc_time& start,
                          const sc_core::sc_time& end, const TraceArgs& args, uint64_t flow_out, uint64_t flow_in) {
    if (!file_) return;
    const uint64_t s = to_whole_ns(start), e = std::max(to_whole_ns(end), s);
    Track& t = tracks_[track];
    thread_id(t, kSmmuPid, 0);
    // Spans end in time order, so a lane that was free by `s` holds nothing after it.
    unsigned lane = 0;
    while (lane < t.lane_end_ns.size() && t.lane_end_ns[lane] > s) ++lane;
    if (lane == t.lane_end_ns.size()) t.lane_end_ns.push_back(0);
    t.lane_end_ns[lane] = e;
    const unsigned tid = thread_id(t, kSmmuPid, lane);
    if (perfetto_) {
        perfetto_->slice(tid, s, e, name, cat, args, flow_out, flow_in);
        return;
    }
    OutBuffer& l = out_;
    l.put(",\n{\"name\":\"").put(name).put("\",\"cat\":\"").put(cat).put("\",\"ph\":\"X\",\"pid\":").decimal(kSmmuPid);
    put_us(put_us(l.put(",\"tid\":").decimal(tid).put(",\"ts\":"), s).put(",\"dur\":"), e - s).put(",\"args\":{");
    put_args(l, args);
    l.put("}}");
    // Flow events bind to the slice that encloses their timestamp on their thread.
    auto flow = [&](const char* phase, uint64_t id) {
        l.put(",\n{\"name\":\"translation\",\"cat\":\"flow\",\"ph\":").put(phase).put(",\"id\":").decimal(id);
        l.put(",\"pid\":").decimal(kSmmuPid).put(",\"tid\":").decimal(tid);
        put_us(l.put(",\"ts\":"), s).put("}");
    };
    if (flow_out) flow("\"s\"", flow_out);
    if (flow_in) flow("\"f\",\"bp\":\"e\"", flow_in);
}

unsigned LaneSet::acquire() {
    for (size_t w = 0; w < free_.size(); ++w) {
        if (const uint64_t bits = free_[w]) {
            free_[w] = bits & (bits - 1);
            return unsigned(64 * w) + unsigned(__builtin_ctzll(bits));
        }
    }
    return next_++;
}

void LaneSet::release(unsigned lane) {
    if (lane / 64 >= free_.size()) free_.resize(lane / 64 + 1);
    free_[lane / 64] |= uint64_t(1) << (lane % 64);
}

}  // namespace smmusim::core

#include "models/core/txn_trace.h"

#include "models/core/errors.h"

namespace smmusim::core {
namespace {
constexpr unsigned kLanesPerTrack = 1000;

double to_us(const sc_core::sc_time& t) { return t.to_seconds() * 1e6; }
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
                 "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,"
                 "\"args\":{\"name\":\"smmu-sim transactions\"}}");
    first_ = false;
}

void TxnTraceWriter::close() {
    if (!file_) return;
    std::fprintf(file_, "\n]}\n");
    std::fclose(file_);
    file_ = nullptr;
}

unsigned TxnTraceWriter::thread_id(const std::string& track, unsigned lane) {
    auto it = tracks_.emplace(track, unsigned(tracks_.size()) + 1).first;
    unsigned tid = it->second * kLanesPerTrack + lane % kLanesPerTrack;
    if (named_threads_.insert(tid).second) {
        std::fprintf(file_,
                     ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
                     "\"args\":{\"name\":\"%s #%u\"}},\n"
                     "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
                     "\"args\":{\"sort_index\":%u}}",
                     tid, track.c_str(), lane, tid, tid);
    }
    return tid;
}

void TxnTraceWriter::complete(const std::string& track, unsigned lane, const sc_core::sc_time& start,
                              const sc_core::sc_time& end, const char* label, uint64_t addr,
                              unsigned size, const std::string& args_json) {
    if (!file_) return;
    unsigned tid = thread_id(track, lane);
    std::fprintf(file_,
                 ",\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%u,"
                 "\"ts\":%.6f,\"dur\":%.6f,\"args\":{\"addr\":\"0x%llx\",\"size\":%u,"
                 "\"latency_ns\":%.3f%s%s}}",
                 label, track.c_str(), tid, to_us(start), to_us(end - start),
                 static_cast<unsigned long long>(addr), size, (end - start).to_seconds() * 1e9,
                 args_json.empty() ? "" : ",", args_json.c_str());
}

unsigned LaneSet::acquire() {
    if (free_.empty()) return next_++;
    unsigned lane = *free_.begin();
    free_.erase(free_.begin());
    return lane;
}

void LaneSet::release(unsigned lane) { free_.insert(lane); }

}  // namespace smmusim::core

#include "models/core/perfetto_trace.h"

#include <cassert>
#include <cstring>

namespace smmusim::core {
namespace {

// Field numbers from Perfetto's protos/perfetto/trace/: trace.proto, trace_packet.proto,
// track_event/{track_event,track_descriptor,process_descriptor,thread_descriptor,
// debug_annotation}.proto, interned_data/interned_data.proto.
namespace trace { constexpr unsigned kPacket = 1; }
namespace packet {
constexpr unsigned kTimestamp = 8, kSequenceId = 10, kTrackEvent = 11, kInternedData = 12,
                   kSequenceFlags = 13, kTrackDescriptor = 60, kFirstPacketOnSequence = 87;
constexpr uint64_t kIncrementalStateCleared = 1, kNeedsIncrementalState = 2;  // SequenceFlags
}  // namespace packet
namespace event {
constexpr unsigned kCategoryIids = 3, kDebugAnnotations = 4, kType = 9, kNameIid = 10, kTrackUuid = 11,
                   kFlowIds = 47, kTerminatingFlowIds = 48;
constexpr uint64_t kSliceBegin = 1, kSliceEnd = 2;  // TrackEvent.Type
}  // namespace event
namespace descriptor {
constexpr unsigned kUuid = 1, kProcess = 3, kThread = 4;
constexpr unsigned kProcessPid = 1, kProcessName = 6;
constexpr unsigned kThreadPid = 1, kThreadTid = 2, kThreadName = 5;
}  // namespace descriptor
namespace annotation {
constexpr unsigned kNameIid = 1, kBool = 2, kUint = 3, kPointer = 7, kStringIid = 17;
}
// EventName, EventCategory, DebugAnnotationName and InternedString: iid 1, then the text 2.
constexpr unsigned kEntryIid = 1, kEntryText = 2;

using W = ProtoWriter;

// A length field of a message still being written: two bytes, a redundant varint (as
// Perfetto's own protozero writes nested lengths), patched when the message ends.
void put_length(char* at, size_t len) {
    assert(len < (1u << 14));  // a begin packet is at most a few hundred bytes
    at[0] = char((len & 0x7f) | 0x80);
    at[1] = char(len >> 7);
}

// One trusted sequence: its id is what ties the interned data to the events that use it.
constexpr uint64_t kSequence = 1;

}  // namespace

uint64_t PerfettoTrace::StringIds::lookup(const char* s, bool& fresh) {
    auto [at, new_address] = by_address_.try_emplace(s, 0);
    if (new_address) {
        auto [text, new_text] = by_text_.try_emplace(s, next_);
        if (new_text) {
            ++next_;
            fresh = true;
        }
        at->second = text->second;
    }
    slots_[slot(s)] = {s, at->second};
    return at->second;
}

uint64_t PerfettoTrace::intern_new(StringIds& ids, unsigned field, const char* s) {
    if (!s) s = "";
    bool fresh = false;
    const uint64_t iid = ids.lookup(s, fresh);
    if (fresh) {
        const size_t entry = interned_.open(field);
        interned_.uint_field(kEntryIid, iid);
        interned_.bytes_field(kEntryText, s, std::strlen(s));
        interned_.close(entry);
    }
    return iid;
}

void PerfettoTrace::framed_head() {
    char f[11];
    char* p = f;
    p = W::put_tag(p, trace::kPacket, W::kLengthDelimited);
    p = W::put_varint(p, head_.size());
    out_->put(f, size_t(p - f));
    out_->put(head_.data(), head_.size());
    head_.clear();
}

void PerfettoTrace::descriptor_packet() {
    head_.clear();
    head_.uint_field(packet::kSequenceId, kSequence);
    head_.bytes_field(packet::kTrackDescriptor, ev_);
    ev_.clear();
    framed_head();
}

void PerfettoTrace::start(OutBuffer* out) {
    out_ = out;
    head_.clear();
    head_.uint_field(packet::kSequenceId, kSequence);
    head_.uint_field(packet::kSequenceFlags, packet::kIncrementalStateCleared);
    head_.uint_field(packet::kFirstPacketOnSequence, 1);
    framed_head();
}

void PerfettoTrace::process(unsigned pid, const std::string& name) {
    ev_.uint_field(descriptor::kUuid, pid);
    const size_t p = ev_.open(descriptor::kProcess);
    ev_.uint_field(descriptor::kProcessPid, pid);
    ev_.bytes_field(descriptor::kProcessName, name.data(), name.size());
    ev_.close(p);
    descriptor_packet();
}

void PerfettoTrace::thread(unsigned pid, unsigned tid, const std::string& name) {
    ev_.uint_field(descriptor::kUuid, tid);
    const size_t t = ev_.open(descriptor::kThread);
    ev_.uint_field(descriptor::kThreadPid, pid);
    ev_.uint_field(descriptor::kThreadTid, tid);
    ev_.bytes_field(descriptor::kThreadName, name.data(), name.size());
    ev_.close(t);
    descriptor_packet();
}

// One DebugAnnotation (at most 2 + 10 + 3 + 10 bytes: its one-byte length is enough).
__attribute__((always_inline)) inline char* PerfettoTrace::annotation(char* p, const char* key, const TraceArg& a) {
    const uint64_t name = key_id(key);
    const uint64_t value_iid = a.kind == TraceArg::Kind::Str ? intern(strings_, kInternedStrings, a.s) : 0;
    p = W::put_tag(p, event::kDebugAnnotations, W::kLengthDelimited);
    char* len = p++;
    p = W::put_uint(p, annotation::kNameIid, name);
    switch (a.kind) {
        case TraceArg::Kind::Uint:
            p = W::put_uint(p, annotation::kUint, a.a);
            break;
        case TraceArg::Kind::Hex:
        case TraceArg::Kind::HexPair:
            p = W::put_uint(p, annotation::kPointer, a.a);
            break;
        case TraceArg::Kind::Str:
            p = W::put_uint(p, annotation::kStringIid, value_iid);
            break;
        case TraceArg::Kind::Bool:
            p = W::put_uint(p, annotation::kBool, a.a != 0);
            break;
        case TraceArg::Kind::Null: break;
    }
    *len = char(p - len - 1);
    return p;
}

void PerfettoTrace::slice(unsigned tid, uint64_t start_ns, uint64_t end_ns, const char* name, const char* cat,
                          const TraceArgs& args, uint64_t flow_out, uint64_t flow_in) {
    // SLICE_BEGIN, written in place: packet framing and fields, then the TrackEvent (5 fields
    // of at most 11 bytes, an argument at most 27 bytes, a pair two, flows 10 bytes each).
    constexpr size_t kMaxBegin = 3 + 11 + 2 + 2 + 3 + 5 * 11 + 2 * 27 * TraceArgs::kMax + 2 * 10;
    char* const start = out_->reserve(kMaxBegin);
    char* p = start;
    p = W::put_tag(p, trace::kPacket, W::kLengthDelimited);
    char* const packet_len = p;
    p += 2;
    p = W::put_uint(p, packet::kTimestamp, start_ns);
    p = W::put_uint(p, packet::kSequenceId, kSequence);
    p = W::put_uint(p, packet::kSequenceFlags, packet::kNeedsIncrementalState);
    p = W::put_tag(p, packet::kTrackEvent, W::kLengthDelimited);
    char* const event_len = p;
    p += 2;
    p = W::put_uint(p, event::kType, event::kSliceBegin);
    p = W::put_uint(p, event::kTrackUuid, tid);
    p = W::put_uint(p, event::kNameIid, intern(names_, kInternedNames, name));
    p = W::put_uint(p, event::kCategoryIids, intern(cats_, kInternedCategories, cat));
    for (const TraceArg& a : args) {
        if (a.kind == TraceArg::Kind::Null) continue;  // no value to show
        if (a.kind != TraceArg::Kind::HexPair) {
            p = annotation(p, a.key, a);
            continue;
        }
        auto [at, fresh] = pair_keys_.try_emplace(a.key);
        if (fresh) at->second = {std::string(a.key) + "[0]", std::string(a.key) + "[1]"};
        p = annotation(p, at->second.first.c_str(), a);
        p = annotation(p, at->second.second.c_str(), TraceArg{a.key, TraceArg::Kind::Hex, a.b, 0, nullptr});
    }
    if (flow_out) p = W::put_fixed64(W::put_tag(p, event::kFlowIds, W::kFixed64), flow_out);
    if (flow_in) p = W::put_fixed64(W::put_tag(p, event::kTerminatingFlowIds, W::kFixed64), flow_in);
    put_length(event_len, size_t(p - event_len - 2));
    put_length(packet_len, size_t(p - packet_len - 2));
    if (interned_.size()) {
        // A string's first use (rare): its interned data goes in a packet of its own before
        // the event, which moves out of the buffer meanwhile.
        const std::string begin(start, size_t(p - start));
        interned_packet();
        out_->put(begin);
    } else {
        out_->commit(size_t(p - start));
    }

    // SLICE_END.
    p = out_->reserve(3 + 11 + 2 + 2 + 4 + 10);
    char* const end = p;
    p = W::put_tag(p, trace::kPacket, W::kLengthDelimited);
    char* const end_len = p++;
    p = W::put_uint(p, packet::kTimestamp, end_ns);
    p = W::put_uint(p, packet::kSequenceId, kSequence);
    p = W::put_tag(p, packet::kTrackEvent, W::kLengthDelimited);
    char* const end_event_len = p++;
    p = W::put_uint(p, event::kType, event::kSliceEnd);
    p = W::put_uint(p, event::kTrackUuid, tid);
    *end_event_len = char(p - end_event_len - 1);  // under 128 bytes: one-byte lengths
    *end_len = char(p - end_len - 1);
    out_->commit(size_t(p - end));
}

void PerfettoTrace::interned_packet() {
    head_.clear();
    head_.uint_field(packet::kSequenceId, kSequence);
    head_.uint_field(packet::kSequenceFlags, packet::kNeedsIncrementalState);
    head_.bytes_field(packet::kInternedData, interned_);
    interned_.clear();
    framed_head();
}

}  // namespace smmusim::core

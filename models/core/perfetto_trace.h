#pragma once
// The transaction trace as a Perfetto protobuf trace (a `Trace` of `TracePacket`s, the format
// ui.perfetto.dev and trace_processor read natively; protos/perfetto/trace/ in the Perfetto
// repository), for the same tracks, lanes, spans and flows as the Chrome JSON
// (models/core/txn_trace.h), at about a third of its bytes and CPU:
//  - one trusted packet sequence; its first packet clears the incremental state, and event
//    names, categories, argument keys and string arguments are interned (sent once, by id,
//    in the packet that first uses them);
//  - a process track per JSON process and a thread track per lane (uuid = the JSON tid);
//  - a span is a SLICE_BEGIN packet at its start and a SLICE_END at its end on its lane's
//    track (written together when the span ends: trace_processor sorts by timestamp, ties in
//    file order); flow arrows are flow_ids on the source slice's begin and
//    terminating_flow_ids on the destination's.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/core/out_buffer.h"
#include "models/core/proto_writer.h"
#include "models/core/trace_args.h"

namespace smmusim::core {

class PerfettoTrace {
public:
    // Starts the sequence on `out` (which the caller flushes and closes).
    void start(OutBuffer* out);
    void process(unsigned pid, const std::string& name);
    void thread(unsigned pid, unsigned tid, const std::string& name);
    // A span on thread `tid`; a non-zero flow_out starts a flow at it, a non-zero flow_in ends one.
    void slice(unsigned tid, uint64_t start_ns, uint64_t end_ns, const char* name, const char* cat,
               const TraceArgs& args, uint64_t flow_out, uint64_t flow_in);

private:
    // Ids of strings by address (TraceArgs' rule), the same id for equal text at two addresses.
    class StringIds {
    public:
        // The id of `s` if it was seen at this address lately, else 0.
        uint64_t cached(const char* s) const {
            const Slot& e = slots_[slot(s)];
            return e.p == s ? e.id : 0;
        }
        // The id of `s`, assigned if new (`fresh` is then set: the caller sends it).
        uint64_t lookup(const char* s, bool& fresh);

    private:
        static constexpr size_t kSlots = 1024;  // direct-mapped cache in front of the maps
        static size_t slot(const char* s) {
            const uintptr_t a = reinterpret_cast<uintptr_t>(s);
            return (a ^ (a >> 10)) & (kSlots - 1);
        }
        struct Slot {
            const char* p = nullptr;
            uint64_t id = 0;
        };
        std::vector<Slot> slots_ = std::vector<Slot>(kSlots);
        std::unordered_map<const char*, uint64_t> by_address_;
        std::unordered_map<std::string, uint64_t> by_text_;
        uint64_t next_ = 1;  // iid 0 is not used
    };

    // The interned id of `s` in table `field` of InternedData; a new one is added to the
    // interned data of the next packet.
    uint64_t intern(StringIds& ids, unsigned field, const char* s) {
        if (const uint64_t id = ids.cached(s)) return id;
        return intern_new(ids, field, s);
    }
    uint64_t intern_new(StringIds& ids, unsigned field, const char* s);
    inline char* annotation(char* p, const char* key, const TraceArg& a);
    uint64_t key_id(const char* key) { return intern(keys_, kInternedKeys, key); }
    // Packets built in head_: the interned data alone, or the TrackDescriptor in ev_.
    void interned_packet();
    void descriptor_packet();
    void framed_head();  // writes head_ as one packet

    static constexpr unsigned kInternedCategories = 1, kInternedNames = 2, kInternedKeys = 3,
                              kInternedStrings = 29;

    OutBuffer* out_ = nullptr;
    ProtoWriter ev_;        // a TrackDescriptor
    ProtoWriter interned_;  // the next event packet's InternedData body
    ProtoWriter head_;      // a packet's fields other than its event
    StringIds names_, cats_, keys_, strings_;
    // key[0] and key[1] of each HexPair key, kept for their addresses.
    std::unordered_map<const char*, std::pair<std::string, std::string>> pair_keys_;
};

}  // namespace smmusim::core

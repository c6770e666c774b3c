// The transaction trace's encoders in isolation: the protobuf writer against a decoder written
// here from the wire-format rules, the Perfetto packets' interning, and the lane allocator
// against a std::set reference. (The whole trace is compared with the JSON one in
// tests/system/tools_test.py, case perfetto_trace.)

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/core/out_buffer.h"
#include "models/core/perfetto_trace.h"
#include "models/core/proto_writer.h"
#include "models/core/txn_trace.h"

namespace smmusim::core {
namespace {

struct Field {
    unsigned number;
    unsigned wire;
    uint64_t value;     // varint, fixed64
    std::string bytes;  // length-delimited
};

uint64_t read_varint(const std::string& b, size_t& i) {
    uint64_t v = 0;
    for (unsigned shift = 0; i < b.size(); shift += 7) {
        const uint8_t c = uint8_t(b[i++]);
        v |= uint64_t(c & 0x7f) << shift;
        if (!(c & 0x80)) return v;
    }
    ADD_FAILURE() << "truncated varint";
    return v;
}

std::vector<Field> decode(const std::string& b) {
    std::vector<Field> out;
    size_t i = 0;
    while (i < b.size()) {
        const uint64_t key = read_varint(b, i);
        Field f{unsigned(key >> 3), unsigned(key & 7), 0, {}};
        if (f.wire == 0) {
            f.value = read_varint(b, i);
        } else if (f.wire == 1) {
            for (unsigned k = 0; k < 8; ++k) f.value |= uint64_t(uint8_t(b[i + k])) << (8 * k);
            i += 8;
        } else if (f.wire == 2) {
            const uint64_t n = read_varint(b, i);
            if (i + n > b.size()) {
                ADD_FAILURE() << "length " << n << " past the end";
                return out;
            }
            f.bytes = b.substr(i, n);
            i += n;
        } else {
            ADD_FAILURE() << "wire type " << f.wire;
            return out;
        }
        out.push_back(f);
    }
    return out;
}

std::string contents(const ProtoWriter& w) { return std::string(w.data(), w.size()); }

TEST(ProtoWriter, FieldsDecodeToTheirValues) {
    const uint64_t values[] = {0, 1, 127, 128, 300, 16383, 16384, (1ull << 35) + 7, ~0ull};
    ProtoWriter w;
    for (uint64_t v : values) {
        w.uint_field(3, v);
        w.fixed64_field(47, v);
    }
    w.bytes_field(29, "abc", 3);
    const auto f = decode(contents(w));
    ASSERT_EQ(f.size(), 2 * std::size(values) + 1);
    for (size_t i = 0; i < std::size(values); ++i) {
        EXPECT_EQ(f[2 * i].number, 3u);
        EXPECT_EQ(f[2 * i].wire, 0u);
        EXPECT_EQ(f[2 * i].value, values[i]);
        EXPECT_EQ(f[2 * i + 1].number, 47u);
        EXPECT_EQ(f[2 * i + 1].wire, 1u);
        EXPECT_EQ(f[2 * i + 1].value, values[i]);
    }
    EXPECT_EQ(f.back().bytes, "abc");
}

TEST(ProtoWriter, NestedMessagesOfEveryLengthClass) {
    // Bodies whose length needs one, two and three varint bytes: close() moves the body up.
    for (size_t len : {0u, 1u, 126u, 127u, 128u, 129u, 300u, 16383u, 16384u, 70000u}) {
        ProtoWriter w;
        w.uint_field(1, 5);
        const size_t at = w.open(4);
        std::string body;
        for (size_t i = 0; i < len; ++i) body += char('a' + i % 26);
        w.bytes_field(2, body.data(), body.size());
        w.close(at);
        w.uint_field(6, 9);
        const auto f = decode(contents(w));
        ASSERT_EQ(f.size(), 3u) << len;
        EXPECT_EQ(f[0].value, 5u);
        EXPECT_EQ(f[2].number, 6u);
        EXPECT_EQ(f[2].value, 9u);
        const auto inner = decode(f[1].bytes);
        ASSERT_EQ(inner.size(), 1u) << len;
        EXPECT_EQ(inner[0].bytes, body) << len;
    }
}

// The whole of `f`, which is then closed.
std::string read_and_close(std::FILE* f) {
    std::string bytes;
    char buf[4096];
    std::rewind(f);
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.append(buf, n);
    std::fclose(f);
    return bytes;
}

// The packets of a Trace, each decoded.
std::vector<std::vector<Field>> packets_in(const std::string& trace) {
    std::vector<std::vector<Field>> packets;
    for (const Field& p : decode(trace)) {
        EXPECT_EQ(p.number, 1u);  // Trace.packet
        packets.push_back(decode(p.bytes));
    }
    return packets;
}

// A Perfetto trace written through an OutBuffer into a temporary file, read back.
std::vector<std::vector<Field>> packets_of(const std::function<void(PerfettoTrace&)>& write) {
    std::FILE* f = std::tmpfile();
    OutBuffer out;
    out.attach(f);
    {
        PerfettoTrace t;
        t.start(&out);
        write(t);
    }
    out.flush();
    return packets_in(read_and_close(f));
}

const Field* find(const std::vector<Field>& m, unsigned number) {
    for (const Field& f : m)
        if (f.number == number) return &f;
    return nullptr;
}

TEST(PerfettoTrace, StringsAreInternedOnceAndBeforeTheirFirstUse) {
    // Two names with the same text at two addresses, used twice each.
    static const char name_a[] = "walk";
    static const std::string name_b = "walk";
    const auto packets = packets_of([](PerfettoTrace& t) {
        t.thread(2, 1000, "smmu.tcu walk #0");
        for (const char* n : {name_a, name_b.c_str(), name_a, name_b.c_str()})
            t.slice(1000, 10, 20, n, "tcu.walk", TraceArgs().u("sid", 3).str("status", "ok"), 0, 0);
    });
    std::map<std::string, uint64_t> interned;  // "table/text" -> iid
    std::set<uint64_t> names_used;
    unsigned begins = 0, ends = 0;
    for (const auto& p : packets) {
        if (const Field* in = find(p, 12)) {  // interned_data
            for (const Field& e : decode(in->bytes)) {
                const auto entry = decode(e.bytes);
                const std::string key = std::to_string(e.number) + "/" + entry[1].bytes;
                EXPECT_FALSE(interned.count(key)) << "interned twice: " << key;
                interned[key] = entry[0].value;
            }
        }
        const Field* ev = find(p, 11);
        if (!ev) continue;
        const auto e = decode(ev->bytes);
        const uint64_t type = find(e, 9)->value;
        if (type == 2) {
            ++ends;
            continue;
        }
        ++begins;
        ASSERT_TRUE(interned.count("2/walk")) << "event name used before it is interned";
        EXPECT_EQ(find(e, 10)->value, interned["2/walk"]);
        names_used.insert(find(e, 10)->value);
        EXPECT_EQ(find(e, 11)->value, 1000u);                // track_uuid: the thread's
        EXPECT_EQ(find(p, 8)->value, 10u);                    // timestamp
        EXPECT_EQ(find(p, 13)->value & 2, 2u);                // SEQ_NEEDS_INCREMENTAL_STATE
        unsigned annotations = 0;
        for (const Field& a : e) annotations += a.number == 4;
        EXPECT_EQ(annotations, 2u);
    }
    EXPECT_EQ(begins, 4u);
    EXPECT_EQ(ends, 4u);
    EXPECT_EQ(names_used.size(), 1u);
    EXPECT_TRUE(interned.count("3/sid") && interned.count("3/status") && interned.count("29/ok") &&
                interned.count("1/tcu.walk"));
    // The first packet clears the incremental state.
    EXPECT_EQ(find(packets.front(), 13)->value & 1, 1u);
}

TEST(PerfettoTrace, ArgumentKindsEncodeAsTheirAnnotationFields) {
    const auto packets = packets_of([](PerfettoTrace& t) {
        t.thread(2, 1000, "x #0");
        t.slice(1000, 1, 2, "n", "c",
                TraceArgs().u("u", 7).hex("h", 0xabc).flag("b", true).null("z").hex_pair("raw", 1, 0xffffffffffffffff),
                5, 6);
    });
    std::map<uint64_t, std::string> keys;
    std::map<std::string, std::pair<unsigned, uint64_t>> got;  // key -> (field, value)
    for (const auto& p : packets) {
        if (const Field* in = find(p, 12))
            for (const Field& e : decode(in->bytes))
                if (e.number == 3) keys[decode(e.bytes)[0].value] = decode(e.bytes)[1].bytes;
        const Field* ev = find(p, 11);
        if (!ev || find(decode(ev->bytes), 9)->value != 1) continue;
        const auto e = decode(ev->bytes);
        for (const Field& a : e) {
            if (a.number != 4) continue;
            const auto d = decode(a.bytes);
            ASSERT_EQ(d.size(), 2u);
            got[keys[d[0].value]] = {d[1].number, d[1].value};
        }
        EXPECT_EQ(find(e, 47)->wire, 1u);
        EXPECT_EQ(find(e, 47)->value, 5u);  // flow_ids
        EXPECT_EQ(find(e, 48)->value, 6u);  // terminating_flow_ids
    }
    using P = std::pair<unsigned, uint64_t>;
    EXPECT_EQ(got["u"], P(3, 7));        // uint_value
    EXPECT_EQ(got["h"], P(7, 0xabc));    // pointer_value
    EXPECT_EQ(got["b"], P(2, 1));        // bool_value
    EXPECT_EQ(got["raw[0]"], P(7, 1));
    EXPECT_EQ(got["raw[1]"], P(7, 0xffffffffffffffff));
    EXPECT_FALSE(got.count("z"));  // a null has no value to show
    EXPECT_EQ(got.size(), 5u);
}

// Names interned by address must keep their address: tracks and labels added during the run
// (each master's first read and write, tracks found lazily) never move an earlier one, so no
// freed address comes back as another master's name.
TEST(TxnTraceWriter, DeviceNamesStayRightWhileTracksAndLabelsAreAdded) {
    char path[] = "/tmp/trace_names_XXXXXX.pftrace";
    const int fd = mkstemps(path, 8);
    ASSERT_GE(fd, 0);
    close(fd);
    TxnTraceWriter& w = TxnTraceWriter::instance();
    w.open(path);
    const sc_core::sc_time t0(10, sc_core::SC_NS), t1(20, sc_core::SC_NS);
    std::vector<std::string> want;  // each slice's name, in order
    for (int m = 0; m < 40; ++m) {
        const std::string name = "dma" + std::to_string(m);
        const unsigned track = w.track(name);
        for (const char* op : {"write", "read", "write"}) {
            w.complete(track, 0, t0, t1, op, 0x1000, 64);
            want.push_back(name + " " + op);
        }
    }
    w.close();
    std::FILE* f = std::fopen(path, "rb");
    ASSERT_NE(f, nullptr);
    const auto packets = packets_in(read_and_close(f));
    std::remove(path);
    std::map<uint64_t, std::string> names, strings;
    std::vector<std::string> got, masters;
    for (const auto& packet : packets) {
        if (const Field* in = find(packet, 12)) {
            for (const Field& e : decode(in->bytes)) {
                const auto entry = decode(e.bytes);
                if (e.number == 2) names[entry[0].value] = entry[1].bytes;
                if (e.number == 29) strings[entry[0].value] = entry[1].bytes;
            }
        }
        const Field* ev = find(packet, 11);
        if (!ev) continue;
        const auto e = decode(ev->bytes);
        if (find(e, 9)->value != 1) continue;
        got.push_back(names[find(e, 10)->value]);
        const auto master = decode(find(e, 4)->bytes);  // the first argument: master
        masters.push_back(strings[master[1].value]);
    }
    EXPECT_EQ(got, want);
    ASSERT_EQ(masters.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(masters[i] + " " + (i % 3 == 1 ? "read" : "write"), want[i]);
}

TEST(LaneSet, HandsOutTheSmallestFreeLaneLikeAnOrderedSet) {
    LaneSet lanes;
    std::set<unsigned> free;  // the reference
    unsigned next = 0;
    std::vector<unsigned> held;
    std::mt19937 rng(7);
    for (int i = 0; i < 20000; ++i) {
        if (held.empty() || rng() % 3 != 0) {
            unsigned want;
            if (free.empty()) {
                want = next++;
            } else {
                want = *free.begin();
                free.erase(free.begin());
            }
            const unsigned got = lanes.acquire();
            ASSERT_EQ(got, want) << "step " << i;
            held.push_back(got);
        } else {
            const size_t k = rng() % held.size();
            lanes.release(held[k]);
            free.insert(held[k]);
            held.erase(held.begin() + long(k));
        }
    }
    EXPECT_GT(next, 64u);  // the bitmap grew past one word
}

}  // namespace
}  // namespace smmusim::core

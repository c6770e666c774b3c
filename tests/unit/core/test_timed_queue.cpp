// TimedQueue against tlm_utils::peq_with_get, which it replaces on per-transaction paths: the
// same objects come out at the same times in the same order (ties in notify order), whatever
// mix of zero, equal and later delays goes in. And Ring keeps FIFO order across wrap and growth.

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm_utils/peq_with_get.h>

#include "models/core/ring.h"
#include "models/core/rng.h"
#include "models/core/timed_queue.h"

using namespace smmusim::core;

namespace {

struct Item {
    unsigned id;
};

struct Out {
    uint64_t ps;
    unsigned id;
    bool operator==(const Out& o) const { return ps == o.ps && id == o.id; }
};

struct Pair : sc_core::sc_module {
    tlm_utils::peq_with_get<Item> reference{"reference"};
    TimedQueue<Item> queue;
    std::vector<Item> items;
    std::vector<Out> ref_out, out;

    SC_HAS_PROCESS(Pair);
    explicit Pair(sc_core::sc_module_name n) : sc_module(n), items(2000) {
        for (unsigned i = 0; i < items.size(); ++i) items[i].id = i;
        SC_THREAD(feed);
        SC_METHOD(drain_reference);
        sensitive << reference.get_event();
        dont_initialize();
        SC_METHOD(drain);
        sensitive << queue.get_event();
        dont_initialize();
    }
    void feed() {
        Rng rng(7);
        for (Item& it : items) {
            // Delays from a small set, so many fall due at the same time (ties).
            const sc_core::sc_time d(double(rng.below(4) * 5), sc_core::SC_NS);
            reference.notify(it, d);
            queue.notify(it, d);
            if (rng.below(3) == 0) wait(sc_core::sc_time(double(rng.below(3) * 5), sc_core::SC_NS));
        }
    }
    void drain_reference() {
        while (Item* it = reference.get_next_transaction()) ref_out.push_back({sc_core::sc_time_stamp().value(), it->id});
    }
    void drain() {
        while (Item* it = queue.get_next_transaction()) out.push_back({sc_core::sc_time_stamp().value(), it->id});
    }
};

TEST(TimedQueue, SameOrderAndTimesAsPeqWithGet) {
    Pair p("pair");
    sc_core::sc_start();
    ASSERT_EQ(p.ref_out.size(), p.items.size());
    EXPECT_TRUE(p.out == p.ref_out);
    EXPECT_TRUE(p.queue.empty());
}

TEST(Ring, FifoAcrossWrapAndGrowth) {
    Ring<unsigned> r;
    unsigned next_in = 0, next_out = 0;
    for (unsigned round = 0; round < 200; ++round) {
        for (unsigned i = 0; i < round % 37; ++i) r.push_back(next_in++);
        for (unsigned i = 0; i < round % 23 && !r.empty(); ++i) {
            ASSERT_EQ(r.front(), next_out++);
            r.pop_front();
        }
        ASSERT_EQ(r.size(), next_in - next_out);
    }
    while (!r.empty()) {
        ASSERT_EQ(r.front(), next_out++);
        r.pop_front();
    }
    EXPECT_EQ(next_in, next_out);
}

}  // namespace

// The trace's whole nanoseconds without the library call: equal to the library formula for
// every value tried, the values ending in exactly half a nanosecond among them (where a
// different rounding would show).
TEST(SimTime, WholeNanosecondsEqualTheLibraryFormula) {
    Rng rng(11);
    for (int i = 0; i < 200000; ++i) {
        uint64_t v = rng.next() >> (rng.next() % 64);
        if (i % 3 == 0) v = v / 1000 * 1000 + 500;  // x.5 ns
        const sc_core::sc_time t = time_from_value(v);
        ASSERT_EQ(to_whole_ns(t), uint64_t(t.to_seconds() * 1e9 + 0.5)) << v;
    }
}

#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "models/core/vcd.h"

using namespace smmusim::core;
using sc_core::SC_NS;

namespace {

struct Driver : sc_core::sc_module {
    TraceSignal level{this, "level", 8};
    TraceSignal irq{this, "irq", 1};
    SC_HAS_PROCESS(Driver);
    explicit Driver(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
    void run() {
        wait(5, SC_NS);
        level.set(3);
        irq.set(1);
        wait(5, SC_NS);
        level.set(3);  // unchanged: no line
        wait(5, SC_NS);
        level.set(0);
        irq.set(0);
    }
};

struct Outer : sc_core::sc_module {
    Driver inner{"inner"};
    explicit Outer(sc_core::sc_module_name n) : sc_module(n) {}
};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST(Vcd, HeaderScopesAndValueChanges) {
    Outer top("top");
    const std::string path = "/tmp/vcd_test_" + std::to_string(getpid()) + ".vcd";
    VcdWriter::instance().open(path);
    sc_core::sc_start();
    VcdWriter::instance().close();
    std::string s = slurp(path);
    const std::string save = slurp(path.substr(0, path.size() - 4) + ".gtkw");
    for (const char* ext : {".vcd", ".gtkw", ".gtkwaverc"}) std::remove((path.substr(0, path.size() - 4) + ext).c_str());
    // The GTKWave save file names every signal in full, in a group per module.
    EXPECT_NE(save.find("-top.inner\n"), std::string::npos) << save;
    EXPECT_NE(save.find("\ntop.inner.level[7:0]\n"), std::string::npos) << save;
    EXPECT_NE(save.find("\ntop.inner.irq\n"), std::string::npos) << save;

    EXPECT_NE(s.find("$timescale 1ps $end"), std::string::npos);
    const std::string scopes =
        "$scope module top $end\n$scope module inner $end\n"
        "$var wire 1 ! irq $end\n$var wire 8 \" level [7:0] $end\n$upscope $end\n$upscope $end\n";
    EXPECT_NE(s.find(scopes), std::string::npos) << s;
    EXPECT_NE(s.find("#5000\nb11 \"\n1!\n"), std::string::npos) << s;
    EXPECT_NE(s.find("#15000\nb0 \"\n0!\n"), std::string::npos) << s;
    EXPECT_EQ(s.find("#10000"), std::string::npos) << "an unchanged value must not be dumped";
}

TEST(Vcd, SignalsAfterOpenAreRejected) {
    const std::string path = "/tmp/vcd_test_late_" + std::to_string(getpid()) + ".vcd";
    VcdWriter::instance().open(path);
    EXPECT_THROW(TraceSignal("late.sig", 4), std::logic_error);
    VcdWriter::instance().close();
    for (const char* ext : {".vcd", ".gtkw", ".gtkwaverc"}) std::remove((path.substr(0, path.size() - 4) + ext).c_str());
}

TEST(Vcd, UntracedSignalKeepsValue) {
    TraceSignal s("a.b", 16);
    s.set(5);
    EXPECT_EQ(s.value(), 5u);
    EXPECT_FALSE(VcdWriter::instance().is_open());
}

namespace {

struct Wide : sc_core::sc_module {
    TraceSignal wide{this, "wide", 64};
    std::vector<uint64_t> values;
    SC_HAS_PROCESS(Wide);
    Wide(sc_core::sc_module_name n, std::vector<uint64_t> v) : sc_module(n), values(std::move(v)) {
        SC_THREAD(run);
    }
    void run() {
        for (uint64_t v : values) {
            wait(1, SC_NS);
            wide.set(v);
        }
    }
};

// A vector value in VCD: 'b', its binary digits without leading zeros, a space, the code.
std::string binary(uint64_t v) {
    std::string s;
    do s.insert(s.begin(), char('0' + (v & 1)));
    while (v >>= 1);
    return s;
}

}  // namespace

TEST(Vcd, VectorValuesAreTheirBinaryDigitsAtEveryWidth) {
    std::vector<uint64_t> values;
    for (int bit = 0; bit < 64; ++bit) values.insert(values.end(), {uint64_t(1) << bit, (uint64_t(2) << bit) - 1});
    std::mt19937_64 rng(3);
    for (int i = 0; i < 500; ++i) values.push_back(rng() >> (rng() % 64));
    values.push_back(0);
    Wide top("top", values);
    const std::string path = "/tmp/vcd_test_wide_" + std::to_string(getpid()) + ".vcd";
    VcdWriter::instance().open(path);
    sc_core::sc_start();
    VcdWriter::instance().close();
    const std::string s = slurp(path);
    for (const char* ext : {".vcd", ".gtkw", ".gtkwaverc"}) std::remove((path.substr(0, path.size() - 4) + ext).c_str());
    std::string expect = "$dumpvars\nb0 !\n$end\n";
    uint64_t last = 0;
    for (size_t i = 0; i < values.size(); ++i) {
        if (values[i] == last) continue;  // an unchanged value writes nothing
        last = values[i];
        expect += "#" + std::to_string((i + 1) * 1000) + "\nb" + binary(values[i]) + " !\n";
    }
    ASSERT_NE(s.find("$dumpvars"), std::string::npos) << s;
    EXPECT_EQ(s.substr(s.find("$dumpvars"), expect.size()), expect);
}

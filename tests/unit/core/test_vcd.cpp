#include <fstream>
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

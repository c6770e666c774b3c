// Test executables run GoogleTest from sc_main; gtest_discover_tests starts one process per
// test, because SystemC elaborates once per process.

#include <cstdlib>

#include <gtest/gtest.h>
#include <systemc>

#include "models/core/leak_check.h"

int sc_main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

int main(int argc, char** argv) {
    smmusim::core::prepare_leak_check();
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}

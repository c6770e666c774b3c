// With libFuzzer, main() is libFuzzer's; SystemC still needs an sc_main to link, and the
// fuzz targets' finding() reports through an abort libFuzzer catches and saves the input for.

#include <cstdio>
#include <cstdlib>

#include <systemc>  // declares sc_main extern "C"

#include "tests/fuzz/fuzz_target.h"

int sc_main(int, char**) { return 0; }

namespace smmusim::fuzz {
[[noreturn]] void finding(const char* what) {
    std::fprintf(stderr, "fuzz: %s\n", what);
    std::abort();
}
}  // namespace smmusim::fuzz

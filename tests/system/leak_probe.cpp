// A SystemC program for the sanitizer build's leak-check test (tests/system/leak_check_test.sh):
// threads that run, finish and are freed, as every test's do; with --leak, one heap block
// that nothing points to. LeakSanitizer must report exactly that block and nothing else, and
// must never crash scanning a coroutine stack (issue 19, item 8; models/core/leak_check.h).

#include <cstdlib>
#include <cstring>
#include <vector>

#include <systemc>

#include "models/core/leak_check.h"

namespace {

bool g_leak = false;
int* volatile g_sink = nullptr;

struct Workers : sc_core::sc_module {
    SC_HAS_PROCESS(Workers);
    explicit Workers(sc_core::sc_module_name n) : sc_module(n) {
        for (int i = 0; i < 8; ++i) sc_core::sc_spawn([this, i] { work(i); });
    }
    void work(int i) {
        std::vector<int> v(1000 + i);  // on a coroutine stack: a pointer to the heap
        sc_core::wait(sc_core::sc_time(i + 1, sc_core::SC_NS));
        v[0] = i;
        if (g_leak && i == 3) {
            g_sink = new int[17];
            g_sink = nullptr;  // lost: a real leak
        }
    }
};

}  // namespace

int sc_main(int argc, char** argv) {
    g_leak = argc > 1 && std::strcmp(argv[1], "--leak") == 0;
    Workers w("w");
    sc_core::sc_start();
    return 0;
}

int main(int argc, char** argv) {
    smmusim::core::prepare_leak_check();
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}

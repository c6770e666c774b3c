#include "models/core/leak_check.h"

#include <pthread.h>

#include <cstddef>
#include <cstdlib>

// AddressSanitizer's fiber interface (sanitizer/common_interface_defs.h), weak: null when no
// sanitizer runtime is linked.
extern "C" {
void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom, size_t size) __attribute__((weak));
void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** bottom_old, size_t* size_old)
    __attribute__((weak));
}

namespace smmusim::core {
namespace {

void restore_main_stack() {
    pthread_attr_t a;
    if (pthread_getattr_np(pthread_self(), &a) != 0) return;
    void* bottom = nullptr;
    size_t size = 0;
    const int rc = pthread_attr_getstack(&a, &bottom, &size);
    pthread_attr_destroy(&a);
    if (rc != 0) return;
    // A "switch" to the stack we are already on: ASan records its bounds again.
    __sanitizer_start_switch_fiber(nullptr, bottom, size);
    __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
}

}  // namespace

void prepare_leak_check() {
    // LeakSanitizer's own exit handler was registered before main; exit handlers run in
    // reverse order, so this one runs first.
    if (__sanitizer_start_switch_fiber && __sanitizer_finish_switch_fiber) std::atexit(restore_main_stack);
}

}  // namespace smmusim::core

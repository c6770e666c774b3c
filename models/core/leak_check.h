#pragma once
// LeakSanitizer and SystemC's coroutines (issue 19, item 8). Debian's SystemC 2.3.4 tells
// AddressSanitizer about every coroutine switch (__sanitizer_start/finish_switch_fiber), and
// after the simulation the main thread's stack is still recorded as the last coroutine's. At
// exit LeakSanitizer then scans that coroutine stack, freed by then (a crash whenever its
// memory was unmapped: "Tracer caught signal 11"), instead of the main thread's real stack
// (pointers held there missed). prepare_leak_check() registers an exit handler, run before
// LeakSanitizer's, that records the main thread's real stack again. Without a sanitizer in
// the process it does nothing.

namespace smmusim::core {

// Call first thing in main().
void prepare_leak_check();

}  // namespace smmusim::core

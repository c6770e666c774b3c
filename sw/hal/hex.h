#pragma once
// "0x1f000": how the software stack names an address in its error messages.
#include <cstdint>
#include <cstdio>
#include <string>

namespace smmusim::sw::hal {

inline std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

}  // namespace smmusim::sw::hal

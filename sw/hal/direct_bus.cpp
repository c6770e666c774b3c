#include "sw/hal/direct_bus.h"

#include <algorithm>
#include <cstring>

namespace smmusim::sw::hal {

uint64_t DirectBus::mmio(uint64_t pa, uint64_t value, bool write, unsigned size) {
    if (!mmio_) throw BusError("DirectBus: register access with no device behind it");
    return mmio_(pa, value, write, size);
}

DirectBus::Page* DirectBus::page(uint64_t pa, bool create) {
    const uint64_t n = pa / kPage;
    auto it = pages_.find(n);
    if (it != pages_.end()) return it->second.get();
    if (!create) return nullptr;
    auto p = std::make_unique<Page>();
    p->fill(0);
    return pages_.emplace(n, std::move(p)).first->second.get();
}

void DirectBus::read(uint64_t pa, void* dst, size_t len) {
    ++reads_;
    auto* out = static_cast<uint8_t*>(dst);
    while (len) {
        const size_t off = pa % kPage, n = std::min(len, size_t(kPage - off));
        if (const Page* p = page(pa, false)) std::memcpy(out, p->data() + off, n);
        else std::memset(out, 0, n);
        pa += n;
        out += n;
        len -= n;
    }
}

void DirectBus::write(uint64_t pa, const void* src, size_t len) {
    ++writes_;
    if (on_write) on_write(pa, src, len);
    auto* in = static_cast<const uint8_t*>(src);
    while (len) {
        const size_t off = pa % kPage, n = std::min(len, size_t(kPage - off));
        std::memcpy(page(pa, true)->data() + off, in, n);
        pa += n;
        in += n;
        len -= n;
    }
}

}  // namespace smmusim::sw::hal

#include "models/mem/sparse_store.h"

#include <algorithm>
#include <cstring>

namespace smmusim::mem {

const unsigned char* SparseStore::find(uint64_t index) const {
    if (index == last_index_) return last_;
    auto it = chunks_.find(index);
    if (it == chunks_.end()) return nullptr;
    last_index_ = index;
    last_ = it->second.get();
    return last_;
}

unsigned char* SparseStore::chunk(uint64_t addr) {
    uint64_t index = addr >> kChunkBits;
    if (const unsigned char* c = find(index)) return const_cast<unsigned char*>(c);
    auto& slot = chunks_[index];
    slot.reset(new unsigned char[kChunkSize]());
    last_index_ = index;
    last_ = slot.get();
    return last_;
}

void SparseStore::read(uint64_t addr, unsigned char* dst, size_t len) const {
    while (len) {
        uint64_t off = addr & (kChunkSize - 1);
        size_t n = std::min<uint64_t>(len, kChunkSize - off);
        const unsigned char* c = find(addr >> kChunkBits);
        if (c) std::memcpy(dst, c + off, n);
        else std::memset(dst, 0, n);
        addr += n;
        dst += n;
        len -= n;
    }
}

void SparseStore::write(uint64_t addr, const unsigned char* src, size_t len) {
    while (len) {
        uint64_t off = addr & (kChunkSize - 1);
        size_t n = std::min<uint64_t>(len, kChunkSize - off);
        std::memcpy(chunk(addr) + off, src, n);
        addr += n;
        src += n;
        len -= n;
    }
}

void SparseStore::write_enabled(uint64_t addr, const unsigned char* src, size_t len,
                                const unsigned char* be, size_t be_len) {
    for (size_t i = 0; i < len; ++i) {
        if (be[i % be_len] != 0xff) continue;
        uint64_t a = addr + i;
        chunk(a)[a & (kChunkSize - 1)] = src[i];
    }
}

}  // namespace smmusim::mem

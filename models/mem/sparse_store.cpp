#include "models/mem/sparse_store.h"

#include <algorithm>
#include <cstring>

namespace smmusim::mem {

namespace {

// Every byte equal to the first: each equals its successor (one memcmp, not a byte loop).
bool uniform(const unsigned char* p, size_t n) { return n < 2 || std::memcmp(p, p + 1, n - 1) == 0; }

}  // namespace

const SparseStore::Chunk* SparseStore::find(uint64_t index) const {
    if (index == last_index_) return last_;
    if (table_.empty()) return nullptr;
    const size_t mask = table_.size() - 1;
    for (size_t i = slot_of(index);; i = (i + 1) & mask) {
        const Bucket& b = table_[i];
        if (!b.chunk) return nullptr;
        if (b.index == index) {
            last_index_ = index;
            last_ = b.chunk;
            return last_;
        }
    }
}

SparseStore::Chunk& SparseStore::get(uint64_t index) {
    if (index == last_index_) return *last_;
    if (Chunk* c = const_cast<Chunk*>(find(index))) return *c;
    if ((chunks_.size() + 1) * 2 > table_.size()) grow();
    const size_t i = empty_slot(index);
    table_[i] = Bucket{index, &chunks_.emplace_back()};
    last_index_ = index;
    last_ = table_[i].chunk;
    return *last_;
}

void SparseStore::grow() {
    std::vector<Bucket> old;
    old.swap(table_);
    table_bits_ = table_bits_ ? table_bits_ + 1 : 10;
    table_.assign(size_t(1) << table_bits_, Bucket{});
    for (const Bucket& b : old)
        if (b.chunk) table_[empty_slot(b.index)] = b;
}

size_t SparseStore::empty_slot(uint64_t index) const {
    const size_t mask = table_.size() - 1;
    size_t i = slot_of(index);
    while (table_[i].chunk) i = (i + 1) & mask;
    return i;
}

void SparseStore::make_raw(Chunk& c, unsigned line) {
    if (!c.data) {
        // Not zeroed: a line's bytes are read from the block only once it is raw.
        c.data.reset(new unsigned char[kChunkSize]);
        ++blocks_;
    }
    std::memset(c.data.get() + line * kLineSize, c.fill[line], kLineSize);
    c.raw |= uint64_t(1) << line;
}

unsigned char* SparseStore::chunk(uint64_t addr) {
    Chunk& c = get(addr >> kChunkBits);
    if (!c.pinned) {
        for (unsigned line = 0; line < kLines; ++line)
            if (!(c.raw >> line & 1)) make_raw(c, line);
        c.pinned = true;
    }
    return c.data.get();
}

void SparseStore::read(uint64_t addr, unsigned char* dst, size_t len) const {
    while (len) {
        const unsigned off = unsigned(addr & (kChunkSize - 1));
        const size_t n = std::min<uint64_t>(len, kChunkSize - off);
        const Chunk* c = find(addr >> kChunkBits);
        if (!c) {
            std::memset(dst, 0, n);
        } else if (c->pinned) {
            std::memcpy(dst, c->data.get() + off, n);
        } else {
            for (size_t done = 0; done < n;) {
                const unsigned o = unsigned(off + done), line = o >> kLineBits;
                const size_t seg = std::min<size_t>(n - done, kLineSize - (o & (kLineSize - 1)));
                // A whole line, the usual case, with a constant size: a few vector stores.
                const bool raw = c->raw >> line & 1;
                if (seg == kLineSize && raw) std::memcpy(dst + done, c->data.get() + o, kLineSize);
                else if (seg == kLineSize) std::memset(dst + done, c->fill[line], kLineSize);
                else if (raw) std::memcpy(dst + done, c->data.get() + o, seg);
                else std::memset(dst + done, c->fill[line], seg);
                done += seg;
            }
        }
        addr += n;
        dst += n;
        len -= n;
    }
}

void SparseStore::write_in(Chunk& c, unsigned off, const unsigned char* src, size_t n) {
    if (c.pinned) {
        std::memcpy(c.data.get() + off, src, n);
        return;
    }
    for (size_t done = 0; done < n;) {
        const unsigned o = unsigned(off + done), line = o >> kLineBits;
        const size_t seg = std::min<size_t>(n - done, kLineSize - (o & (kLineSize - 1)));
        const unsigned char* s = src + done;
        done += seg;
        if (!(c.raw >> line & 1) && uniform(s, seg)) {
            // Still one repeated byte: a whole line takes the new byte; part of a line keeps
            // the line uniform only if it writes the byte the line already holds.
            if (seg == kLineSize) c.fill[line] = s[0];
            if (seg == kLineSize || s[0] == c.fill[line]) continue;
        }
        if (!(c.raw >> line & 1)) make_raw(c, line);
        std::memcpy(c.data.get() + o, s, seg);
    }
}

void SparseStore::write(uint64_t addr, const unsigned char* src, size_t len) {
    while (len) {
        const unsigned off = unsigned(addr & (kChunkSize - 1));
        const size_t n = std::min<uint64_t>(len, kChunkSize - off);
        write_in(get(addr >> kChunkBits), off, src, n);
        addr += n;
        src += n;
        len -= n;
    }
}

void SparseStore::write_enabled(uint64_t addr, const unsigned char* src, size_t len,
                                const unsigned char* be, size_t be_len) {
    for (size_t i = 0; i < len; ++i) {
        if (be[i % be_len] != 0xff) continue;
        const uint64_t a = addr + i;
        write_in(get(a >> kChunkBits), unsigned(a & (kChunkSize - 1)), src + i, 1);
    }
}

}  // namespace smmusim::mem

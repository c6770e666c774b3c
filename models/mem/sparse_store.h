#pragma once
// Byte store for a large physical space: a 4 KiB chunk exists once something is written to it,
// so a 48-bit space costs host memory only for what was touched. Untouched bytes read as zero.
//
// A chunk keeps each 64-byte line as one fill byte while every byte of the line is the same,
// and holds a 4 KiB data block only once a line needs one. Device traffic generators write
// each transaction's payload as one repeated byte, so a pattern-DMA run costs ~100 bytes per
// page touched instead of 4 KiB and no page faults, however many bytes it writes; reads return
// exactly what was written either way. Tables, queues and software data get data blocks.
// A chunk handed out by chunk() (DMI) is expanded for good: its user may write it directly.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace smmusim::mem {

class SparseStore {
public:
    static constexpr unsigned kChunkBits = 12;
    static constexpr uint64_t kChunkSize = uint64_t(1) << kChunkBits;
    static constexpr unsigned kLineBits = 6;
    static constexpr unsigned kLineSize = 1u << kLineBits;
    static constexpr unsigned kLines = unsigned(kChunkSize / kLineSize);
    static_assert(kLines == 64, "one bit per line in a 64-bit mask");

    void read(uint64_t addr, unsigned char* dst, size_t len) const;
    // Every write goes through write() or write_enabled(): the place to observe writes.
    void write(uint64_t addr, const unsigned char* src, size_t len);
    // Writes only the bytes whose enable byte is 0xff (TLM byte-enable convention); the enable
    // pattern repeats every `be_len` bytes.
    void write_enabled(uint64_t addr, const unsigned char* src, size_t len, const unsigned char* be,
                       size_t be_len);
    // The chunk holding `addr` as plain bytes, allocated if needed (for DMI); stable.
    unsigned char* chunk(uint64_t addr);

    size_t resident_chunks() const { return chunks_.size(); }
    // Host memory the store holds: chunk records plus data blocks.
    size_t resident_bytes() const { return chunks_.size() * sizeof(Chunk) + blocks_ * kChunkSize; }

private:
    struct Chunk {
        uint64_t raw = 0;            // bit i: line i lives in `data` (else all bytes are fill[i])
        bool pinned = false;         // handed out by chunk(): every line in `data`, for good
        unsigned char fill[kLines] = {};
        std::unique_ptr<unsigned char[]> data;
    };
    const Chunk* find(uint64_t index) const;
    Chunk& get(uint64_t index);
    // Line `line` of `c` moves into the data block (allocated, with every line's bytes, on
    // first need).
    void make_raw(Chunk& c, unsigned line);
    // Writes [off, off + n) of one chunk (n > 0, within the chunk).
    void write_in(Chunk& c, unsigned off, const unsigned char* src, size_t n);

    // Chunk index -> chunk: open addressing with linear probing in a power-of-two table, at
    // most half full (a descriptor read of a walk is one multiply and, mostly, one probe;
    // std::unordered_map cost a node chase per lookup). Chunks are never removed.
    struct Bucket {
        uint64_t index = 0;
        Chunk* chunk = nullptr;  // nullptr: empty
    };
    size_t slot_of(uint64_t index) const {
        return size_t((index * 0x9E3779B97F4A7C15ull) >> (64 - table_bits_));
    }
    size_t empty_slot(uint64_t index) const;  // where `index` goes: its slot or the next free one
    void grow();
    std::vector<Bucket> table_;
    unsigned table_bits_ = 0;
    std::deque<Chunk> chunks_;  // stable addresses; freed with the store
    size_t blocks_ = 0;
    mutable uint64_t last_index_ = ~uint64_t(0);
    mutable Chunk* last_ = nullptr;
};

}  // namespace smmusim::mem

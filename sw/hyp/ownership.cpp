#include "sw/hyp/ownership.h"

#include <iterator>

#include "sw/hal/hex.h"

namespace smmusim::sw::hyp {

using hal::hex;

const char* state_name(PageState s) {
    switch (s) {
    case PageState::HostOwned: return "owned by the host";
    case PageState::SharedWithHyp: return "shared with the hypervisor";
    case PageState::DonatedToHyp: return "donated to the hypervisor";
    case PageState::DonatedToGuest: return "donated to a guest";
    }
    return "?";
}

Ownership::Ownership(uint64_t base, uint64_t size) : mem_{base, size} { runs_[base] = PageState::HostOwned; }

PageState Ownership::at(uint64_t pa) const {
    auto it = runs_.upper_bound(pa);
    return std::prev(it)->second;
}

void Ownership::check_in_state(uint64_t pa, uint64_t size, const std::function<bool(PageState)>& ok,
                               const char* want, const char* what) const {
    const std::string where = std::string(what) + " of [" + hex(pa) + ", " + hex(pa + size) + ")";
    if (size == 0 || pa % kPage || size % kPage) throw HypError(where + ": not whole 4 KiB pages");
    if (pa < mem_.base || pa + size > mem_.end() || pa + size < pa)
        throw HypError(where + ": outside host memory [" + hex(mem_.base) + ", " + hex(mem_.end()) + ")");
    auto it = std::prev(runs_.upper_bound(pa));
    for (; it != runs_.end() && it->first < pa + size; ++it)
        if (!ok(it->second)) {
            const uint64_t at = std::max(it->first, pa);
            throw HypError(where + ": page " + hex(at) + " is " + state_name(it->second) + ", not " + want);
        }
}

void Ownership::set(uint64_t pa, uint64_t size, PageState s) {
    const uint64_t end = pa + size;
    const PageState after = end < mem_.end() ? at(end) : s;
    // Cut the runs at pa and end, then replace everything in between.
    runs_[pa] = at(pa);
    if (end < mem_.end()) runs_[end] = after;
    runs_.erase(runs_.upper_bound(pa), runs_.lower_bound(end));
    runs_[pa] = s;
    // Merge with equal neighbours.
    auto it = runs_.find(pa);
    if (it != runs_.begin() && std::prev(it)->second == s) it = runs_.erase(it), --it;
    auto next = std::next(it);
    if (next != runs_.end() && next->second == s) runs_.erase(next);
}

void Ownership::transition(uint64_t pa, uint64_t size, PageState from, PageState to, const char* what) {
    check_in_state(pa, size, [from](PageState s) { return s == from; }, state_name(from), what);
    set(pa, size, to);
}

void Ownership::donate(uint64_t pa, uint64_t size, bool to_guest) {
    transition(pa, size, PageState::HostOwned, to_guest ? PageState::DonatedToGuest : PageState::DonatedToHyp,
               "donate");
}

void Ownership::reclaim(uint64_t pa, uint64_t size) {
    check_in_state(
        pa, size, [](PageState s) { return s == PageState::DonatedToHyp || s == PageState::DonatedToGuest; },
        "donated", "reclaim");
    set(pa, size, PageState::HostOwned);
}

void Ownership::share(uint64_t pa, uint64_t size) {
    transition(pa, size, PageState::HostOwned, PageState::SharedWithHyp, "share");
}

void Ownership::unshare(uint64_t pa, uint64_t size) {
    transition(pa, size, PageState::SharedWithHyp, PageState::HostOwned, "unshare");
}

std::vector<Range> Ownership::host_accessible() const {
    std::vector<Range> out;
    for (auto it = runs_.begin(); it != runs_.end(); ++it) {
        if (!host_may_access(it->second)) continue;
        const uint64_t end = std::next(it) == runs_.end() ? mem_.end() : std::next(it)->first;
        if (!out.empty() && out.back().end() == it->first) out.back().size += end - it->first;
        else out.push_back({it->first, end - it->first});
    }
    return out;
}

uint64_t Ownership::bytes_in(PageState s) const {
    uint64_t n = 0;
    for (auto it = runs_.begin(); it != runs_.end(); ++it) {
        const uint64_t end = std::next(it) == runs_.end() ? mem_.end() : std::next(it)->first;
        if (it->second == s) n += end - it->first;
    }
    return n;
}

}  // namespace smmusim::sw::hyp

#include "sw/driver/entry_writer.h"

#include "models/smmu/arch/cd.h"
#include "models/smmu/arch/ste.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

namespace {

template <typename F>
void use(Entry& u) {
    u[F::word] |= F::mask;
}

// Writes words [first, last) of `values` that differ from `cur`; syncs once if any did.
bool entry_set(hal::Bus& bus, uint64_t pa, Entry& cur, const Entry& values, unsigned first, unsigned last,
               const std::function<void()>& sync, EntryWriteStats& st) {
    bool changed = false;
    for (unsigned i = first; i < last; ++i) {
        if (cur[i] == values[i]) continue;
        bus.store64(pa + 8 * i, values[i]);
        cur[i] = values[i];
        ++st.stores;
        changed = true;
    }
    if (changed) {
        sync();
        ++st.syncs;
    }
    return changed;
}

}  // namespace

Entry ste_used_bits(const Entry& ste) {
    Entry u{};
    use<Ste::V>(u);
    if (!Ste::V::get(ste[0])) return u;
    use<Ste::Config>(u);
    const uint64_t cfg = Ste::Config::get(ste[0]);
    if (ste_config::s1_enabled(cfg)) {
        use<Ste::S1Fmt>(u);
        use<Ste::S1ContextPtr>(u);
        use<Ste::S1CDMax>(u);
        use<Ste::S1DSS>(u);
        use<Ste::S1CIR>(u);
        use<Ste::S1COR>(u);
        use<Ste::S1CSH>(u);
        use<Ste::S1STALLD>(u);
        use<Ste::STRW>(u);
        use<Ste::EATS>(u);
        use<Ste::S2VMID>(u);
        if (Ste::S1DSS::get(ste[1]) == s1dss::BYPASS) use<Ste::SHCFG>(u);
    }
    if (ste_config::s2_enabled(cfg)) {
        use<Ste::EATS>(u);
        use<Ste::SHCFG>(u);
        use<Ste::S2VMID>(u);
        u[2] |= 0x0007FFFF00000000ull;  // VTCR: S2T0SZ .. S2PS, bits [50:32]
        use<Ste::S2AA64>(u);
        use<Ste::S2ENDI>(u);
        use<Ste::S2PTW>(u);
        use<Ste::S2R>(u);
        use<Ste::S2TTB>(u);
    }
    if (cfg == ste_config::BYPASS) use<Ste::SHCFG>(u);
    return u;
}

Entry cd_used_bits(const Entry& cd) {
    Entry u{};
    if (!Cd::V::get(cd[0])) {
        use<Cd::V>(u);
        return u;
    }
    u.fill(~uint64_t(0));
    if (Cd::EPD0::get(cd[0])) {  // TTB0 walks disabled: their fields are ignored
        u[0] &= ~(Cd::T0SZ::mask | Cd::TG0::mask | Cd::IR0::mask | Cd::OR0::mask | Cd::SH0::mask);
        u[1] &= ~Cd::TTB0::mask;
    }
    return u;
}

EntryWriteStats write_entry(hal::Bus& bus, uint64_t pa, Entry& cur, const Entry& target,
                            Entry (*used)(const Entry&), const std::function<void()>& sync) {
    EntryWriteStats st;
    const Entry cur_used = used(cur), tgt_used = used(target);
    Entry unused_update{};
    unsigned diff = 0, critical = 0;
    for (unsigned i = 0; i < 8; ++i) {
        unused_update[i] = (cur[i] & cur_used[i]) | (target[i] & ~cur_used[i]);
        if ((unused_update[i] & tgt_used[i]) != target[i]) {
            ++diff;
            critical = i;
        }
    }
    if (diff == 1) {
        unused_update[critical] = cur[critical];
        entry_set(bus, pa, cur, unused_update, 0, 8, sync, st);
        entry_set(bus, pa, cur, target, critical, critical + 1, sync, st);
        entry_set(bus, pa, cur, target, 0, 8, sync, st);
    } else if (diff > 1) {
        st.breaking = true;
        Entry v = cur;
        v[0] = 0;
        entry_set(bus, pa, cur, v, 0, 1, sync, st);
        entry_set(bus, pa, cur, target, 1, 8, sync, st);
        entry_set(bus, pa, cur, target, 0, 1, sync, st);
    } else {
        entry_set(bus, pa, cur, target, 0, 8, sync, st);
    }
    return st;
}

}  // namespace smmusim::sw::driver

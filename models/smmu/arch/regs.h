#pragma once
// SMMUv3 register offsets and fields, pages 0 and 1 (reference §1).

#include <cstdint>

#include "models/smmu/arch/bits.h"

namespace smmusim::smmu::arch {

namespace reg {
constexpr uint32_t IDR0 = 0x000, IDR1 = 0x004, IDR2 = 0x008, IDR3 = 0x00C, IDR4 = 0x010,
                   IDR5 = 0x014, IIDR = 0x018, AIDR = 0x01C;
constexpr uint32_t CR0 = 0x020, CR0ACK = 0x024, CR1 = 0x028, CR2 = 0x02C;
constexpr uint32_t STATUSR = 0x040, GBPA = 0x044, AGBPA = 0x048;
constexpr uint32_t IRQ_CTRL = 0x050, IRQ_CTRLACK = 0x054;
constexpr uint32_t GERROR = 0x060, GERRORN = 0x064;
constexpr uint32_t GERROR_IRQ_CFG0 = 0x068, GERROR_IRQ_CFG1 = 0x070, GERROR_IRQ_CFG2 = 0x074;
constexpr uint32_t STRTAB_BASE = 0x080, STRTAB_BASE_CFG = 0x088;
constexpr uint32_t CMDQ_BASE = 0x090, CMDQ_PROD = 0x098, CMDQ_CONS = 0x09C;
constexpr uint32_t EVENTQ_BASE = 0x0A0;
constexpr uint32_t EVENTQ_IRQ_CFG0 = 0x0B0, EVENTQ_IRQ_CFG1 = 0x0B8, EVENTQ_IRQ_CFG2 = 0x0BC;
constexpr uint32_t PRIQ_BASE = 0x0C0;
constexpr uint32_t IDR6 = 0x190;  // with IDR1.ECMDQ (reference §3.5.6)
// Command queue control page n's BASE (64-bit), CFG, STATUS: 0x4000 + 32 * n, read-only.
constexpr uint32_t CMDQ_CONTROL_PAGE_BASE = 0x4000, CMDQ_CONTROL_PAGE_CFG = 0x4008,
                   CMDQ_CONTROL_PAGE_STATUS = 0x400C, CMDQ_CONTROL_PAGE_STRIDE = 32;
constexpr uint32_t PAGE1 = 0x10000;
constexpr uint32_t EVENTQ_PROD = PAGE1 + 0x0A8, EVENTQ_CONS = PAGE1 + 0x0AC;
constexpr uint32_t PRIQ_PROD = PAGE1 + 0x0C8, PRIQ_CONS = PAGE1 + 0x0CC;
constexpr uint32_t REGION_SIZE = 0x20000;  // two 64 KiB pages
// This model's one Command queue control page (IDR6.LOG2NUMP = 0) follows pages 0 and 1
// (CMDQ_CONTROL_PAGE_BASE0.ADDR = 0x20000, an offset from page 0); the register frame is then
// 192 KiB, decoded within a 256 KiB-aligned window.
constexpr uint32_t ECMDQ_PAGE = 0x20000, ECMDQ_PAGE_SIZE = 0x10000;
constexpr uint32_t REGION_SIZE_ECMDQ = ECMDQ_PAGE + ECMDQ_PAGE_SIZE, REGION_ALIGN_ECMDQ = 0x40000;
// Within an ECMDQ's registers (spaced 64 KiB >> IDR6.LOG2NUMQ apart in the page).
constexpr uint32_t ECMDQ_BASE = 0x00, ECMDQ_PROD = 0x08, ECMDQ_CONS = 0x0C;
}  // namespace reg

namespace idr0 {
using S2P = RegField<0>;
using S1P = RegField<1>;
using TTF = RegField<3, 2>;  // 0b10 AArch64
using COHACC = RegField<4>;
using BTM = RegField<5>;
using HTTU = RegField<7, 6>;
using HYP = RegField<9>;
using ATS = RegField<10>;
using ASID16 = RegField<12>;
using MSI = RegField<13>;
using SEV = RegField<14>;
using ATOS = RegField<15>;
using PRI = RegField<16>;
using VMW = RegField<17>;
using VMID16 = RegField<18>;
using CD2L = RegField<19>;
using TTENDIAN = RegField<22, 21>;  // 0b10 little-endian only
using STALL_MODEL = RegField<25, 24>;
using TERM_MODEL = RegField<26>;
using ST_LEVEL = RegField<28, 27>;
constexpr uint64_t TTF_AARCH64 = 2, TTENDIAN_LE = 2;
constexpr uint64_t STALL_AND_TERM = 0, TERM_ONLY = 1, STALL_FORCED = 2;
}  // namespace idr0

namespace idr1 {
using SIDSIZE = RegField<5, 0>;
using SSIDSIZE = RegField<10, 6>;
using PRIQS = RegField<15, 11>;
using EVENTQS = RegField<20, 16>;
using CMDQS = RegField<25, 21>;
using ATTR_PERMS_OVR = RegField<26>;
using ATTR_TYPES_OVR = RegField<27>;
using REL = RegField<28>;
using QUEUES_PRESET = RegField<29>;
using TABLES_PRESET = RegField<30>;
using ECMDQ = RegField<31>;
}  // namespace idr1

// IDR6 (present with IDR1.ECMDQ): 2^LOG2NUMP control pages of 2^LOG2NUMQ ECMDQs each.
namespace idr6 {
using LOG2NUMQ = RegField<19, 16>;
using LOG2NUMP = RegField<27, 24>;
constexpr unsigned kMaxLog2 = 8;  // both fields have a maximum value of 0b1000
}  // namespace idr6

// CMDQ_CONTROL_PAGE_BASEn: ADDR is an offset from page 0, CMDQGS 0b01 = 64 KiB, PRESET = 1
// (the ECMDQs of the page are registers in the SMMU).
namespace cmdq_cp_base {
using PRESET = RegField<0>;
using CMDQGS = RegField<2, 1>;
using ADDR = RegField<55, 16>;
constexpr uint64_t CMDQGS_64K = 1;
}  // namespace cmdq_cp_base

// ECMDQ_PROD / ECMDQ_CONS fields beside WR / RD [19:0] (reference §6.3.108-109).
namespace ecmdq {
using PROD_EN = RegField<31>;
using PROD_ERRACK = RegField<23>;
using CONS_ENACK = RegField<31>;
using CONS_ERR_REASON = RegField<26, 24>;
using CONS_ERR = RegField<23>;
constexpr uint32_t kProdWritable = 0x8080'0000u | 0xFFFFF;  // EN, ERRACK, WR
}  // namespace ecmdq

namespace idr3 {
using HAD = RegField<2>;
using XNX = RegField<4>;
using FWB = RegField<8>;
using STT = RegField<9>;
using RIL = RegField<10>;
using BBML = RegField<12, 11>;
}  // namespace idr3

namespace idr5 {
using OAS = RegField<2, 0>;
using GRAN4K = RegField<4>;
using GRAN16K = RegField<5>;
using GRAN64K = RegField<6>;
using VAX = RegField<11, 10>;
using STALL_MAX = RegField<31, 16>;
}  // namespace idr5

namespace iidr {
using Implementer = RegField<11, 0>;
using Revision = RegField<15, 12>;
using Variant = RegField<19, 16>;
using ProductID = RegField<31, 20>;
}  // namespace iidr

namespace aidr {
using ArchMinorRev = RegField<3, 0>;
using ArchMajorRev = RegField<7, 4>;
}  // namespace aidr

namespace cr0 {
using SMMUEN = RegField<0>;
using PRIQEN = RegField<1>;
using EVENTQEN = RegField<2>;
using CMDQEN = RegField<3>;
using ATSCHK = RegField<4>;
using VMW = RegField<8, 6>;
constexpr uint32_t kWritable = 0x1DF;  // SMMUEN, PRIQEN, EVENTQEN, CMDQEN, ATSCHK, VMW
}  // namespace cr0

namespace cr1 {
using QUEUE_IC = RegField<1, 0>;
using QUEUE_OC = RegField<3, 2>;
using QUEUE_SH = RegField<5, 4>;
using TABLE_IC = RegField<7, 6>;
using TABLE_OC = RegField<9, 8>;
using TABLE_SH = RegField<11, 10>;
}  // namespace cr1

namespace cr2 {
using E2H = RegField<0>;
using RECINVSID = RegField<1>;
using PTM = RegField<2>;
}  // namespace cr2

namespace gbpa {
using MemAttr = RegField<3, 0>;
using MTCFG = RegField<4>;
using ALLOCCFG = RegField<11, 8>;
using SHCFG = RegField<13, 12>;
using PRIVCFG = RegField<17, 16>;
using INSTCFG = RegField<19, 18>;
using ABORT = RegField<20>;
using Update = RegField<31>;
}  // namespace gbpa

namespace irq_ctrl {
using GERROR_IRQEN = RegField<0>;
using PRIQ_IRQEN = RegField<1>;
using EVENTQ_IRQEN = RegField<2>;
}  // namespace irq_ctrl

// GERROR / GERRORN bits (reference §1.7).
namespace gerror {
constexpr uint32_t CMDQ_ERR = 1u << 0;
constexpr uint32_t EVENTQ_ABT_ERR = 1u << 2;
constexpr uint32_t PRIQ_ABT_ERR = 1u << 3;
constexpr uint32_t MSI_CMDQ_ABT_ERR = 1u << 4;
constexpr uint32_t MSI_EVENTQ_ABT_ERR = 1u << 5;
constexpr uint32_t MSI_PRIQ_ABT_ERR = 1u << 6;
constexpr uint32_t MSI_GERROR_ABT_ERR = 1u << 7;
constexpr uint32_t SFM_ERR = 1u << 8;
constexpr uint32_t CMDQP_ERR = 1u << 9;  // an ECMDQ error (with IDR1.ECMDQ)
constexpr uint32_t kImplemented = 0x1FD;
}  // namespace gerror

namespace irq_cfg {
using ADDR = RegField<55, 2>;  // *_IRQ_CFG0
using DATA = RegField<31, 0>;  // *_IRQ_CFG1
using MemAttr = RegField<3, 0>;
using SH = RegField<5, 4>;
}  // namespace irq_cfg

namespace strtab_base {
using RA = RegField<62>;
using ADDR = RegField<55, 6>;
}  // namespace strtab_base

namespace strtab_base_cfg {
using LOG2SIZE = RegField<5, 0>;
using SPLIT = RegField<10, 6>;
using FMT = RegField<17, 16>;
constexpr uint64_t FMT_LINEAR = 0, FMT_2LVL = 1;
}  // namespace strtab_base_cfg

// CMDQ_BASE, EVENTQ_BASE, PRIQ_BASE (reference §7.1).
namespace queue_base {
using LOG2SIZE = RegField<4, 0>;
using ADDR = RegField<55, 5>;
using RA_WA = RegField<62>;
}  // namespace queue_base

// PROD / CONS: [n-1:0] index, [n] wrap (n = LOG2SIZE) (reference §7.2).
namespace queue_ptr {
using CMDQ_ERR = RegField<30, 24>;  // CMDQ_CONS.ERR
using OVFLG = RegField<31>;         // EVENTQ_PROD.OVFLG / EVENTQ_CONS.OVACKFLG
constexpr uint32_t kIndexAndWrapMask = 0xFFFFF;  // bits [19:0]
}  // namespace queue_ptr

// Address / IPA / output sizes of IDR5.OAS, CD.IPS and STE.S2PS.
constexpr unsigned kOasBits[8] = {32, 36, 40, 42, 44, 48, 52, 56};
inline unsigned pa_bits(uint64_t encoding) { return kOasBits[encoding & 7]; }

}  // namespace smmusim::smmu::arch

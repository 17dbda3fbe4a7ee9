// Which build of the core a file belongs to. The core is built twice (consensus/meson.build):
// for the product, and for tests/consensus with the planted-bug switches (planted_bug.h),
// whose CoreConfig and role classes differ. Each build puts its names in an inline namespace
// of its own, so a program that linked both would get two distinct cores, never a silent mix
// of the two layouts under one name.
#pragma once

#ifdef PAXOSKV_PLANTED_BUGS
#define PAXOSKV_CONSENSUS_BUILD planted_bugs_build
#else
#define PAXOSKV_CONSENSUS_BUILD product_build
#endif

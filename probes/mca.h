/* probes/mca.h: static-throughput markers for `make mca` (scripts/mca.sh). */
#ifndef EV_MCA_H
#define EV_MCA_H
/* Static-throughput markers (`make mca`, scripts/mca.sh): with -DEV_MCA an
 * inner loop's body is cut out of the compiler's assembly between these
 * comments, which llvm-mca reads as a code region. Nothing in other builds. */
#ifdef EV_MCA
#define EV_MCA_BEGIN(name) __asm__ volatile("# LLVM-MCA-BEGIN " name)
/* A region per instance of an inline body: name-t<n> (n a constant). */
#define EV_MCA_BEGIN_N(name, n) __asm__ volatile("# LLVM-MCA-BEGIN " name "-t%c0" : : "i"(n))
#define EV_MCA_END() __asm__ volatile("# LLVM-MCA-END")
#else
#define EV_MCA_BEGIN(name) ((void)0)
#define EV_MCA_BEGIN_N(name, n) ((void)0)
#define EV_MCA_END() ((void)0)
#endif

#endif

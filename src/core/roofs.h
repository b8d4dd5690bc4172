/* src/core/roofs.h: the names of the roofs, the one list of each: precisions
 * (compute roofs) and memory levels (memory roofs), as they are spelled on the
 * command line, in configs/uarch.json and in result files. */
#ifndef EV_ROOFS_H
#define EV_ROOFS_H

/* Precisions, in roofline order. */
#define EV_PRECISIONS(X) X(FP64, "fp64") X(FP32, "fp32") X(FP16, "fp16") X(BF16, "bf16") X(INT8, "int8")
enum ev_prec {
#define X(id, nm) EV_PREC_##id,
	EV_PRECISIONS(X)
#undef X
	EV_PREC__COUNT
};
extern const char *const ev_prec_name[EV_PREC__COUNT];
int ev_prec_by_name(const char *name);

/* Memory levels, innermost first: every cache level hwloc can report, then DRAM. */
#define EV_LEVELS(X) X(L1, "L1") X(L2, "L2") X(L3, "L3") X(L4, "L4") X(L5, "L5") X(DRAM, "DRAM")
enum ev_level {
#define X(id, nm) EV_LEVEL_##id,
	EV_LEVELS(X)
#undef X
	EV_LEVEL__COUNT
};
extern const char *const ev_level_name[EV_LEVEL__COUNT];

#endif

/* src/core/cpu.c: run-time CPU feature detection. */
#include "cpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "sysfs.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif
#if defined(__riscv)
#include <sys/auxv.h>
#endif

const struct ev_target_info ev_targets[EV_TARGET__COUNT] = {
#define X(id, nm, ar, feats) [EV_TARGET_##id] = {.name = nm, .arch = ar, .features = feats},
	EV_TARGETS(X)
#undef X
};

static const char *const feature_names[EV_FEAT__COUNT] = {
#define X(id, nm) [EV_FEAT_##id] = nm,
	EV_FEATURES(X)
#undef X
};

const char *cpu_feature_name(int f)
{
	return f >= 0 && f < EV_FEAT__COUNT ? feature_names[f] : "?";
}

const char *cpu_feature_list(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;
	if (len)
		buf[0] = 0;
	for (int f = 0; f < EV_FEAT__COUNT && n < len; f++)
		if (mask & (1ULL << f))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", feature_names[f]);
	return buf;
}

int cpu_has(const struct ev_cpu *c, uint64_t mask)
{
	return (c->features & mask) == mask;
}

int cpu_target_by_name(const char *name)
{
	for (int i = 0; i < EV_TARGET__COUNT; i++)
		if (!strcmp(ev_targets[i].name, name))
			return i;
	return -1;
}

int cpu_target_check(const struct ev_cpu *c, int t, char *why, size_t len)
{
	const struct ev_target_info *in;
	uint64_t lacks;
	char list[256];
	if (t < 0 || t >= EV_TARGET__COUNT) {
		if (why)
			snprintf(why, len, "no such feature set");
		return -1;
	}
	in = &ev_targets[t];
	if (strcmp(in->arch, "any") && strcmp(in->arch, c->arch)) {
		if (why)
			snprintf(why, len, "%s kernels are for %s, this CPU is %s", in->name, in->arch,
				 c->arch);
		return -1;
	}
	lacks = in->features & ~c->features;
	if (lacks) {
		if (why)
			snprintf(why, len, "CPU lacks %s", cpu_feature_list(lacks, list, sizeof list));
		return -1;
	}
	if (in->features & ~c->cap) {
		if (why)
			snprintf(why, len, "excluded by --isa %s",
				 c->cap_set >= 0 ? ev_targets[c->cap_set].name : "?");
		return -1;
	}
	return 0;
}

int cpu_cap_target(struct ev_cpu *c, int t, char *why, size_t len)
{
	char r[256];
	struct ev_cpu uncapped = *c;
	uncapped.cap = ~0ULL;
	if (cpu_target_check(&uncapped, t, r, sizeof r)) {
		snprintf(why, len, "feature set '%s' is not usable here: %s",
			 t >= 0 && t < EV_TARGET__COUNT ? ev_targets[t].name : "?", r);
		return -1;
	}
	c->cap = ev_targets[t].features;
	c->cap_set = t;
	return 0;
}

static void set_uarch(struct ev_cpu *c, const char *u)
{
	snprintf(c->uarch, sizeof c->uarch, "%s", u);
}

/* Works on any build: results and tests from x86 machines are read anywhere. */
const char *cpu_x86_uarch(const char *vendor, int family, int model)
{
	int f = family, m = model;
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine")) {
		if (f == 0x1a)
			return "zen5";
		if (f == 0x19)
			return ((m >= 0x10 && m <= 0x1f) || (m >= 0x60 && m <= 0x7f) ||
				(m >= 0xa0 && m <= 0xaf))
				       ? "zen4"
				       : "zen3";
		if (f == 0x17)
			return m >= 0x30 ? "zen2" : "zen";
		return "unknown";
	}
	if (!strcmp(vendor, "GenuineIntel") && f == 6) {
		switch (m) {
		case 0x55:
			return "skylake-x";
		case 0x6a:
		case 0x6c:
			return "icelake-x";
		case 0x7d:
		case 0x7e:
			return "icelake";
		case 0x8c:
		case 0x8d:
			return "tigerlake";
		case 0x8f:
		case 0xcf:
			return "sapphirerapids";
		case 0x97:
		case 0x9a:
		case 0xb7:
		case 0xba:
		case 0xbf:
			return "alderlake";
		case 0xaa:
		case 0xac:
			return "meteorlake";
		case 0xbe:
			return "gracemont";
		case 0x4e:
		case 0x5e:
		case 0x8e:
		case 0x9e:
		case 0xa5:
		case 0xa6:
			return "skylake";
		default:
			return "unknown";
		}
	}
	return "unknown";
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}


static void detect_x86(struct ev_cpu *c)
{
	unsigned a = 0, b = 0, cx = 0, d = 0, maxleaf = 0;
	uint64_t xcr0 = 0;
	int os_ymm = 0, os_zmm = 0;
	char *p;
	if (!__get_cpuid(0, &maxleaf, &b, &cx, &d))
		return;
	memcpy(c->vendor, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &cx, 4);
	c->vendor[12] = 0;
	__get_cpuid(1, &a, &b, &cx, &d);
	c->family = (int)((a >> 8) & 0xf);
	c->model = (int)((a >> 4) & 0xf);
	c->stepping = (int)(a & 0xf);
	if (c->family == 0xf)
		c->family += (int)((a >> 20) & 0xff);
	if (c->family >= 6)
		c->model |= (int)((a >> 12) & 0xf0);
	if (d & (1u << 26))
		c->features |= EV_F(SSE2);
	if ((cx & (1u << 27)) && (cx & (1u << 28))) {
		xcr0 = xgetbv0();
		os_ymm = (xcr0 & 6) == 6;
		os_zmm = (xcr0 & 0xe6) == 0xe6;
	}
	if (os_ymm) {
		c->features |= EV_F(AVX);
		if (cx & (1u << 12))
			c->features |= EV_F(FMA);
		if (cx & (1u << 29))
			c->features |= EV_F(F16C);
	}
	if (maxleaf >= 7) {
		unsigned a1 = 0, b1, c1, d1;
		__cpuid_count(7, 0, a, b, cx, d);
		if (a >= 1)
			__cpuid_count(7, 1, a1, b1, c1, d1);
		if (os_ymm && (b & (1u << 5)))
			c->features |= EV_F(AVX2);
		if (os_ymm && (a1 & (1u << 4)))
			c->features |= EV_F(AVXVNNI);
		if (os_zmm) {
			if (b & (1u << 16))
				c->features |= EV_F(AVX512F);
			if (b & (1u << 17))
				c->features |= EV_F(AVX512DQ);
			if (b & (1u << 30))
				c->features |= EV_F(AVX512BW);
			if (b & (1u << 31))
				c->features |= EV_F(AVX512VL);
			if (cx & (1u << 11))
				c->features |= EV_F(AVX512VNNI);
			if (d & (1u << 23))
				c->features |= EV_F(AVX512FP16);
			if (a1 & (1u << 5))
				c->features |= EV_F(AVX512BF16);
		}
	}
	__get_cpuid(0x80000000, &a, &b, &cx, &d);
	if (a >= 0x80000004) {
		unsigned r[12];
		for (unsigned i = 0; i < 3; i++)
			__get_cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2],
				    &r[4 * i + 3]);
		memcpy(c->model_name, r, 48);
		c->model_name[48] = 0;
		p = c->model_name;
		while (*p == ' ')
			p++;
		memmove(c->model_name, p, strlen(p) + 1);
		for (size_t n = strlen(c->model_name); n > 0 && c->model_name[n - 1] == ' '; n--)
			c->model_name[n - 1] = 0;
	}
	set_uarch(c, cpu_x86_uarch(c->vendor, c->family, c->model));
}
#endif

static const struct {
	int implementer, part;
	const char *name;
} arm_parts[] = {
	{0x41, 0xd03, "cortex-a53"},   {0x41, 0xd04, "cortex-a35"},   {0x41, 0xd05, "cortex-a55"},
	{0x41, 0xd07, "cortex-a57"},   {0x41, 0xd08, "cortex-a72"},   {0x41, 0xd09, "cortex-a73"},
	{0x41, 0xd0a, "cortex-a75"},   {0x41, 0xd0b, "cortex-a76"},   {0x41, 0xd0c, "neoverse-n1"},
	{0x41, 0xd0d, "cortex-a77"},   {0x41, 0xd40, "neoverse-v1"},  {0x41, 0xd41, "cortex-a78"},
	{0x41, 0xd42, "cortex-a78ae"}, {0x41, 0xd44, "cortex-x1"},    {0x41, 0xd46, "cortex-a510"},
	{0x41, 0xd47, "cortex-a710"},  {0x41, 0xd48, "cortex-x2"},    {0x41, 0xd49, "neoverse-n2"},
	{0x41, 0xd4b, "cortex-a78c"},  {0x41, 0xd4d, "cortex-a715"},  {0x41, 0xd4e, "cortex-x3"},
	{0x41, 0xd4f, "neoverse-v2"},  {0x41, 0xd80, "cortex-a520"},  {0x41, 0xd81, "cortex-a720"},
	{0x41, 0xd82, "cortex-x4"},    {0x61, 0x022, "apple-m1-icestorm"},
	{0x61, 0x023, "apple-m1-firestorm"},
};

int cpu_in_order(const struct ev_cpu *c)
{
	/* Arm's in-order cores: Cortex-A53, A35, A55, A510, A520 */
	static const int parts[] = {0xd03, 0xd04, 0xd05, 0xd46, 0xd80};
	if (c->implementer != 0x41)
		return 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (c->part == parts[i])
			return 1;
	return 0;
}

const char *cpu_arm_part_name(int implementer, int part)
{
	for (size_t i = 0; i < sizeof arm_parts / sizeof arm_parts[0]; i++)
		if (arm_parts[i].implementer == implementer && arm_parts[i].part == part)
			return arm_parts[i].name;
	return "unknown";
}

int cpu_parse_arm_cpuinfo(struct ev_cpu *c, const char *path)
{
	char buf[65536], *line, *save = NULL;
	int impl = -1;
	if (sysfs_read(path, buf, sizeof buf))
		return -1;
	c->nparts = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		long v;
		if (!colon)
			continue;
		v = strtol(colon + 1, NULL, 0);
		if (!strncmp(line, "CPU implementer", 15)) {
			impl = (int)v;
		} else if (!strncmp(line, "CPU part", 8)) {
			int seen = 0;
			for (int i = 0; i < c->nparts; i++)
				seen |= c->parts[i] == (int)v;
			if (!seen && c->nparts < 8)
				c->parts[c->nparts++] = (int)v;
			c->implementer = impl;
		} else if (!strncmp(line, "Features", 8)) {
			static const struct {
				const char *word;
				uint64_t f;
			} w[] = {{" asimd", EV_F(ASIMD)}, {" asimdhp", EV_F(ASIMDHP)},
				 {" asimddp", EV_F(ASIMDDP)}, {" i8mm", EV_F(I8MM)},
				 {" bf16", EV_F(BF16)}, {" sve", EV_F(SVE)}};
			char padded[2048];
			snprintf(padded, sizeof padded, "%s ", colon);
			for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
				char pat[32];
				snprintf(pat, sizeof pat, "%s ", w[i].word);
				if (strstr(padded, pat))
					c->features |= w[i].f;
			}
		}
	}
	if (c->nparts == 0)
		return -1;
	/* big.LITTLE boards list the little cores first: the last part listed is
	 * the big one, whose peak the roofline is drawn for. */
	c->part = c->parts[c->nparts - 1];
	set_uarch(c, cpu_arm_part_name(c->implementer, c->part));
	if (!c->model_name[0])
		snprintf(c->model_name, sizeof c->model_name, "%s (MIDR part 0x%03x)",
			 c->uarch, c->part);
	return 0;
}

void cpu_detect(struct ev_cpu *c)
{
	struct utsname u;
	memset(c, 0, sizeof *c);
	set_uarch(c, "unknown");
	if (!uname(&u))
		snprintf(c->arch, sizeof c->arch, "%s", u.machine);
#if defined(__x86_64__) || defined(__i386__)
	detect_x86(c);
#elif defined(__aarch64__)
	{
		unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
		if (hw & HWCAP_ASIMD)
			c->features |= EV_F(ASIMD);
		if (hw & HWCAP_ASIMDHP)
			c->features |= EV_F(ASIMDHP);
		if (hw & HWCAP_ASIMDDP)
			c->features |= EV_F(ASIMDDP);
		if (hw & HWCAP_SVE)
			c->features |= EV_F(SVE);
#ifdef HWCAP2_I8MM
		if (hw2 & HWCAP2_I8MM)
			c->features |= EV_F(I8MM);
#endif
#ifdef HWCAP2_BF16
		if (hw2 & HWCAP2_BF16)
			c->features |= EV_F(BF16);
#endif
		(void)hw2;
		snprintf(c->vendor, sizeof c->vendor, "arm");
		cpu_parse_arm_cpuinfo(c, "/proc/cpuinfo");
	}
#elif defined(__riscv)
	/* The single-letter extensions are bits of AT_HWCAP ('V' - 'A' for RVV 1.0). */
	if (getauxval(AT_HWCAP) & (1UL << ('V' - 'A')))
		c->features |= EV_F(RVV);
	snprintf(c->vendor, sizeof c->vendor, "riscv");
#endif
	c->features |= EV_BASELINE;
	if (!c->model_name[0])
		snprintf(c->model_name, sizeof c->model_name, "unknown %s CPU", c->arch);
	c->cap = ~0ULL;
	c->cap_set = -1;
}

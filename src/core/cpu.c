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

const struct ev_isa_info ev_isa_table[EV_ISA__COUNT] = {
#define X(id, nm, ar, req) [EV_ISA_##id] = {.name = nm, .arch = ar, .required = req},
	EV_ISAS(X)
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

int cpu_has(const struct ev_cpu *c, uint64_t mask)
{
	return (c->features & mask) == mask;
}

int cpu_isa_by_name(const char *name)
{
	for (int i = 0; i < EV_ISA__COUNT; i++)
		if (!strcmp(ev_isa_table[i].name, name))
			return i;
	return -1;
}

int cpu_isa_usable(const struct ev_cpu *c, int isa)
{
	const struct ev_isa_info *in;
	if (isa < 0 || isa >= EV_ISA__COUNT)
		return 0;
	in = &ev_isa_table[isa];
	if (strcmp(in->arch, "any") && strcmp(in->arch, c->arch))
		return 0;
	return cpu_has(c, in->required);
}

const char *cpu_force_isa(struct ev_cpu *c, int isa)
{
	static char why[160];
	if (!cpu_isa_usable(c, isa)) {
		snprintf(why, sizeof why, "ISA '%s' is not usable on this %s CPU",
			 isa >= 0 && isa < EV_ISA__COUNT ? ev_isa_table[isa].name : "?", c->arch);
		return why;
	}
	c->isa_max = isa;
	return NULL;
}

static void set_uarch(struct ev_cpu *c, const char *u)
{
	snprintf(c->uarch, sizeof c->uarch, "%s", u);
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static const char *x86_uarch(const struct ev_cpu *c)
{
	int f = c->family, m = c->model;
	if (!strcmp(c->vendor, "AuthenticAMD") || !strcmp(c->vendor, "HygonGenuine")) {
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
	if (!strcmp(c->vendor, "GenuineIntel") && f == 6) {
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
	set_uarch(c, x86_uarch(c));
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
#endif
	if (!c->model_name[0])
		snprintf(c->model_name, sizeof c->model_name, "unknown %s CPU", c->arch);
	c->isa_max = EV_ISA_GENERIC;
	for (int i = 0; i < EV_ISA__COUNT; i++)
		if (cpu_isa_usable(c, i))
			c->isa_max = i;
}

/* src/bench-sustain.h: `eaves sustain`: a workload run without pause for a
 * duration, sampled per window (its rate, and the machine's clocks,
 * temperatures, power and throttle flags from sysfs), then burst against
 * sustained rate, the moment the rate (and the clock) dropped, TPOT per phase
 * and energy per unit of work. */
#ifndef EV_BENCH_SUSTAIN_H
#define EV_BENCH_SUSTAIN_H
#include <cjson/cJSON.h>
#include <stdio.h>

#include "bench-decode.h"
#include "ctx.h"
#include "sustain.h"

#define EV_SUS_SERIES 8 /* temperatures and power rails kept per window */

enum ev_sus_workload { EV_SUS_DECODE, EV_SUS_READ, EV_SUS_FP32 };

struct ev_sustain_opts {
	int workload;
	double duration_s, interval_s, idle_s;
	int threads;
	struct ev_decode_opts dec;  /* the decode workload's model (one format, or a file) */
};

struct ev_sus_window {
	double t_s, dt_s;          /* start since the run began, length */
	double work, rate;         /* tokens, bytes or FLOP; per second */
	double tpot_p50_s, tpot_p95_s;
	double cpu_hz_mean, cpu_hz_max; /* sysfs cpufreq at the window's end; NAN if none */
	double clock_hz;           /* measured right after the window (clock probe on every
				    * thread, median per core); NAN if it failed */
	double mem_hz;             /* devfreq memory controller; NAN if none */
	double temp_max_c, temp_c[EV_SUS_SERIES];
	double power_w, rail_w[EV_SUS_SERIES]; /* the board total, and each rail */
	char throttled[24];
};

struct ev_sustain_result {
	struct ev_sustain_opts o;
	char workload[96], unit[16], kernel[64];
	int nwin, cap;
	struct ev_sus_window *w;
	int ntemps, nrails;
	char temp_name[EV_SUS_SERIES][64], rail_name[EV_SUS_SERIES][64];
	char cpufreq_reason[160], thermal_reason[160], power_reason[160], power_source[200];
	double idle_power_w;       /* NAN: not measured or no power sensor */
	double energy_j, energy_above_idle_j, j_per_unit, j_per_unit_above_idle;
	struct roof_sustain rate, clock, mclock; /* rate, sysfs clock, measured clock */
	int clock_ok, mclock_ok;
	char mclock_reason[160];
	double tpot_before[2], tpot_after[2]; /* p50, p95 before / after the rate drop */
	double *tok_t, *tok_s;     /* decode: every token's start time and duration */
	int ntok, tokcap;
	int interrupted;
};

/* --duration, --interval and --kernel/--model... into o; a usage error names the option. */
int bench_sustain(struct ev_ctx *c, const struct ev_sustain_opts *o, struct ev_sustain_result *r);
void bench_sustain_free(struct ev_sustain_result *r);
cJSON *bench_sustain_json(const struct ev_sustain_result *r);
void bench_sustain_print(FILE *f, const struct ev_sustain_result *r);
const char *bench_sustain_workload_name(int w);

#endif

/* tests/test-sustain.c: eaves sustain. The burst/sustained/drop arithmetic on
 * series with known answers; then end to end on fixture trees of real boards
 * whose files a test thread rewrites while the run goes on: a Raspberry Pi 5
 * whose clock drops (and temperature rises) at a known moment, which the clock
 * detector must find, and an Intel laptop whose RAPL counter grows at a known
 * power, wrapping at its range several times, which the energy figures must
 * integrate; an Android phone whose battery is the device's power; this machine's own /sys
 * gives "unavailable" parts, never failures. */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "bench-sustain.h"
#include "harness.h"
#include "sustain.h"
#include "sysfs.h"

static void test_detector(void)
{
	double t[30], v[30];
	struct roof_sustain s;
	for (int i = 0; i < 30; i++) {
		t[i] = i * 0.5;
		v[i] = i < 10 ? 100 : i < 20 ? 80 : 90;
	}
	v[4] = 50;    /* one slow window: not a drop */
	v[12] = NAN;  /* a window without a figure: skipped */
	T_CHECK(roof_sustain(t, v, 30, 0.95, 3, &s) == 0, "runs");
	T_CHECK(s.burst == 100 && s.drop == 10 && s.drop_t == 5.0, "drop at window %d (t %g)", s.drop, s.drop_t);
	T_CHECK(s.sustained == 90 && fabs(s.ratio - 0.9) < 1e-12 && !s.recovered, "sustained %g ratio %g", s.sustained,
		s.ratio);
	for (int i = 20; i < 30; i++)
		v[i] = 99;
	roof_sustain(t, v, 30, 0.95, 3, &s);
	T_CHECK(s.recovered && s.drop == 10, "recovery seen");
	for (int i = 0; i < 30; i++)
		v[i] = 100 - (i == 7) * 10 - (i == 8) * 10; /* two low windows only */
	roof_sustain(t, v, 30, 0.95, 3, &s);
	T_CHECK(s.drop == -1 && isnan(s.drop_t), "no drop from 2 windows");
	T_CHECK(roof_sustain(t, v, 0, 0.95, 3, &s) == -1, "empty series");
}

struct writer {
	char root[256];
	const struct ev_sustain_result *r; /* the clock drops once the run has this many windows */
	int at_window, dropped_at;
	int rapl;          /* grow the RAPL counter at 5 W instead */
	volatile int stop;
};

/* as the kernel's files behave: a reader sees the old or the new value, never
 * an empty file (written aside, then renamed over) */
static void put(const char *root, const char *rel, long long v)
{
	char path[512], tmp[600];
	FILE *f;
	snprintf(path, sizeof path, "%s%s", root, rel);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w"))) {
		fprintf(f, "%lld\n", v);
		fclose(f);
		rename(tmp, path);
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *rewrite(void *a)
{
	struct writer *w = a;
	double t0 = now_s();
	long long uj = 1000000;
	while (!w->stop) {
		double t = now_s() - t0;
		if (w->rapl) {
			/* 5 W: 5e6 microjoules per second, in 10 ms steps, wrapping at
			 * 2 J (max_energy_range_uj) every 0.4 s */
			uj = (1000000 + (long long)(t * 5e6)) % 2000000;
			put(w->root, "/sys/class/powercap/intel-rapl:0/energy_uj", uj);
		} else {
			int n = __atomic_load_n(&w->r->nwin, __ATOMIC_RELAXED), low = w->dropped_at >= 0;
			if (!low && n >= w->at_window)
				w->dropped_at = n, low = 1;
			for (int cpu = 0; cpu < 4; cpu++) {
				char rel[128];
				snprintf(rel, sizeof rel, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_cur_freq", cpu);
				put(w->root, rel, low ? 1500000 : 2400000);
			}
			put(w->root, "/sys/class/thermal/thermal_zone0/temp", low ? 85000 : 60000);
		}
		usleep(10000);
	}
	return NULL;
}

static int copy_fixture(const char *name, char *dst, size_t len)
{
	char cmd[1024];
	snprintf(dst, len, "/tmp/eaves-sustain-%s-%d", name, (int)getpid());
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", dst, t_src("tests/fixtures/sysfs"), dst);
	if (system(cmd))
		return -1;
	strncat(dst, "/", len - strlen(dst) - 1);
	strncat(dst, name, len - strlen(dst) - 1);
	return 0;
}

static int run(struct ev_ctx *c, const char *root, int workload, double dur, double iv,
	       struct ev_sustain_result *r)
{
	struct ev_sustain_opts o;
	memset(&o, 0, sizeof o);
	o.workload = workload;
	o.duration_s = dur;
	o.interval_s = iv;
	o.idle_s = 0.2;
	o.threads = 1;
	sysfs_set_root(root);
	return bench_sustain(c, &o, r);
}

static void test_clock_drop(struct ev_ctx *c)
{
	static struct ev_sustain_result r;
	struct writer w = {.r = &r, .at_window = 4, .dropped_at = -1};
	pthread_t th;
	char base[256];
	if (copy_fixture("rpi5", base, sizeof base)) {
		T_CHECK(0, "copy fixture");
		return;
	}
	snprintf(w.root, sizeof w.root, "%s", base);
	pthread_create(&th, NULL, rewrite, &w);
	T_CHECK(run(c, base, EV_SUS_FP32, 1.6, 0.12, &r) == 0, "%s", c->err.msg);
	w.stop = 1;
	pthread_join(th, NULL);
	T_CHECK(r.nwin >= 6 && r.clock_ok, "%d windows, clock %d", r.nwin, r.clock_ok);
	/* the clock was lowered while window `dropped_at` ran (the run had that many
	 * windows): its end-of-window sample, or the next one's, is the first low one */
	T_CHECK(r.clock.drop >= 0 && (r.clock.drop == w.dropped_at || r.clock.drop == w.dropped_at + 1) &&
			r.w[r.clock.drop].cpu_hz_max == 1.5e9 && r.clock.burst == 2.4e9,
		"clock drop at window %d (%g s), lowered during window %d", r.clock.drop, r.clock.drop_t,
		w.dropped_at);
	T_CHECK(r.ntemps >= 1 && r.w[0].temp_max_c == 60 && r.w[r.nwin - 1].temp_max_c == 85, "temperatures %g %g",
		r.w[0].temp_max_c, r.w[r.nwin - 1].temp_max_c);
	T_CHECK(r.w[0].throttled[0] != 0, "the Pi's throttle flags are kept");
	{
		cJSON *j = bench_sustain_json(&r);
		char *s = cJSON_PrintUnformatted(j);
		T_CHECK(s && strstr(s, "\"clock_drop\":{\"status\":\"reached\"") && strstr(s, "\"energy\":{\"status\":\"unavailable\""),
			"%s", s ? s : "");
		free(s);
		cJSON_Delete(j);
	}
	printf("  rpi5 fixture: clock lowered during window %d, drop found at window %d (%.2f s)\n",
	       w.dropped_at, r.clock.drop, r.clock.drop_t);
	bench_sustain_free(&r);
}

static void test_rapl_energy(struct ev_ctx *c)
{
	struct writer w = {.rapl = 1};
	pthread_t th;
	struct ev_sustain_result r;
	char base[256];
	double work = 0;
	if (copy_fixture("rapl-laptop", base, sizeof base)) {
		T_CHECK(0, "copy fixture");
		return;
	}
	snprintf(w.root, sizeof w.root, "%s", base);
	put(base, "/sys/class/powercap/intel-rapl:0/energy_uj", 1000000); /* the writer's start */
	put(base, "/sys/class/powercap/intel-rapl:0/max_energy_range_uj", 2000000);
	pthread_create(&th, NULL, rewrite, &w);
	T_CHECK(run(c, base, EV_SUS_FP32, 1.0, 0.2, &r) == 0, "%s", c->err.msg);
	w.stop = 1;
	pthread_join(th, NULL);
	for (int i = 0; i < r.nwin; i++)
		work += r.w[i].work;
	/* 5 W written in 10 ms steps: each window within 15% */
	for (int i = 0; i < r.nwin; i++)
		T_CHECK(fabs(r.w[i].power_w - 5) < 0.75, "window %d: %g W", i, r.w[i].power_w);
	T_CHECK(fabs(r.idle_power_w - 5) < 1.0, "idle %g W", r.idle_power_w);
	T_CHECK(r.energy_j > 0 && fabs(r.j_per_unit - r.energy_j / work) < 1e-12 * r.j_per_unit &&
			strstr(r.power_source, "RAPL"),
		"energy %g J, %g J/FLOP", r.energy_j, r.j_per_unit);
	bench_sustain_free(&r);
}

/* A phone on battery: the battery is the device's power */
static void test_phone(struct ev_ctx *c)
{
	struct ev_sustain_result r;
	char base[256];
	snprintf(base, sizeof base, "%s", t_src("tests/fixtures/sysfs/android-phone"));
	T_CHECK(run(c, base, EV_SUS_FP32, 0.5, 0.12, &r) == 0, "%s", c->err.msg);
	T_CHECK(r.nwin >= 1 && fabs(r.w[0].power_w - 3.852 * 1.204) < 1e-9 && strstr(r.power_source, "battery") &&
			r.w[0].cpu_hz_max == 2.4192e9,
		"%d windows, %g W, '%s'", r.nwin, r.nwin ? r.w[0].power_w : 0, r.power_source);
	bench_sustain_free(&r);
}

static void test_this_machine(struct ev_ctx *c)
{
	struct ev_sustain_result r;
	T_CHECK(run(c, "/", EV_SUS_READ, 0.5, 0.12, &r) == 0, "%s", c->err.msg);
	/* under an emulator the driver's calibration can take the whole duration */
	T_CHECK(r.nwin >= 1 && r.w[0].rate > 1e8, "%d windows, %g B/s", r.nwin, r.nwin ? r.w[0].rate : 0);
	if (!r.clock_ok)
		T_CHECK(r.cpufreq_reason[0], "a reason for the missing clock");
	if (!r.power_source[0])
		T_CHECK(r.power_reason[0], "a reason for the missing power");
	/* the measured clock needs no sensor: every window has one */
	T_CHECK(r.mclock_ok && r.w[0].clock_hz > 1e7 && r.w[0].clock_hz < 1e11,
		"measured clock %g Hz (%s)", r.nwin ? r.w[0].clock_hz : 0, r.mclock_reason);
	bench_sustain_free(&r);
}

int main(void)
{
	struct ev_ctx c;
	t_prog = "test-sustain";
	memset(&c, 0, sizeof c);
	c.out = stdout;
	c.log = fopen("/dev/null", "w");
	if (ctx_machine(&c)) {
		printf("cannot read this machine: %s\n", c.err.msg);
		return 1;
	}
	T_RUN(test_detector);
	T_RUN_NAMED("test_clock_drop", test_clock_drop(&c));
	T_RUN_NAMED("test_rapl_energy", test_rapl_energy(&c));
	T_RUN_NAMED("test_phone", test_phone(&c));
	T_RUN_NAMED("test_this_machine", test_this_machine(&c));
	{
		char cmd[512];
		snprintf(cmd, sizeof cmd, "rm -rf /tmp/eaves-sustain-rpi5-%d /tmp/eaves-sustain-rapl-laptop-%d",
			 (int)getpid(), (int)getpid());
		if (system(cmd))
			printf("  could not remove the fixture copies\n");
	}
	sysfs_set_root("/");
	if (c.topo_open)
		topo_close(&c.topo);
	fclose(c.log);
	T_DONE();
}

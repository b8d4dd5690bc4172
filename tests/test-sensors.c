/* tests/test-sensors.c: sysfs readers and ARM CPU identification on fixture
 * trees copied from real boards (tests/fixtures/sysfs/<board>). */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "counters.h"
#include "cpu.h"
#include "harness.h"
#include "sensors.h"
#include "sysfs.h"

static void use(const char *board)
{
	char p[512];
	snprintf(p, sizeof p, "tests/fixtures/sysfs/%s", board);
	sysfs_set_root(t_src(p));
}

static void test_rpi5(void)
{
	struct ev_sensors s;
	struct ev_cpu c = {0};
	uint64_t v;
	use("rpi5");
	sensors_read(&s);
	T_CHECK(s.cpufreq_ok && s.ncpus == 4 && s.cur_hz[3] == 2.4e9 && s.max_hz == 2.4e9 &&
			s.min_hz == 1.5e9 && !strcmp(s.governor, "ondemand"),
		"cpufreq");
	T_CHECK(s.thermal_ok && s.ntemps == 2 && fabs(s.temp_c[0].value - 52.15) < 1e-9 &&
			!strcmp(s.temp_c[0].name, "cpu-thermal"),
		"thermal %d", s.ntemps);
	T_CHECK(!s.power_ok && strstr(s.power_reason, "no "), "no power rails on a Pi 5");
	T_CHECK(!strcmp(s.throttled, "0x0"), "throttled flags '%s'", s.throttled);
	T_CHECK(cpu_parse_arm_cpuinfo(&c, "/proc/cpuinfo") == 0, "cpuinfo");
	T_CHECK(c.part == 0xd0b && !strcmp(c.uarch, "cortex-a76") && c.nparts == 1, "A76 %s",
		c.uarch);
	T_CHECK(cpu_has(&c, EV_F(ASIMD) | EV_F(ASIMDHP) | EV_F(ASIMDDP)) && !cpu_has(&c, EV_F(I8MM)),
		"features");
	T_CHECK(!sysfs_meminfo("MemAvailable", &v) && v == 7801232ull * 1024, "meminfo");
}

/* A phone: the discharging battery is the device's power (V x |I|), the
 * USB supply is not a rail; two clusters' clocks. */
static void test_android_phone(void)
{
	struct ev_sensors s;
	use("android-phone");
	sensors_read(&s);
	T_CHECK(s.cpufreq_ok && s.ncpus == 8 && s.cur_hz[0] == 1.8048e9 && s.cur_hz[7] == 2.4192e9 &&
			s.max_hz == 2.4192e9 && !strcmp(s.governor, "schedutil"),
		"two clusters: %d cpus", s.ncpus);
	T_CHECK(s.power_ok && s.npower == 1 && s.board_rail == 0 && fabs(s.power_w[0].value - 3.852 * 1.204) < 1e-9 &&
			strstr(s.power_w[0].name, "battery (discharging)"),
		"battery power %d rails, %g W", s.npower, s.npower ? s.power_w[0].value : 0);
	T_CHECK(s.thermal_ok && s.ntemps == 2, "thermal zones %d", s.ntemps);
}

/* RAPL counters wrap at max_energy_range_uj: the difference is undone. */
static void test_energy_wrap(void)
{
	struct ev_sensors a, b;
	use("rapl-laptop");
	sensors_read(&a);
	b = a;
	T_CHECK(a.nenergy == 1 && a.energy_range_j[0] == 262143.32885, "range %g", a.energy_range_j[0]);
	b.energy_j[0].value = a.energy_j[0].value + 7.5;
	T_CHECK(fabs(sensors_energy_delta_j(&a, &b) - 7.5) < 1e-9, "plain difference");
	b.energy_j[0].value = 2.5; /* wrapped past the range */
	T_CHECK(fabs(sensors_energy_delta_j(&a, &b) - (262143.32885 - a.energy_j[0].value + 2.5)) < 1e-6,
		"wrapped: %g", sensors_energy_delta_j(&a, &b));
	b.energy_range_j[0] = 0;
	T_CHECK(sensors_energy_delta_j(&a, &b) == -1, "no range: refused");
}

static void test_rk3588(void)
{
	struct ev_cpu c = {0};
	struct ev_sensors s;
	use("rk3588");
	T_CHECK(cpu_parse_arm_cpuinfo(&c, "/proc/cpuinfo") == 0, "cpuinfo");
	T_CHECK(c.nparts == 2 && c.parts[0] == 0xd05 && c.parts[1] == 0xd0b, "two kinds");
	T_CHECK(!strcmp(c.uarch, "cortex-a76"), "big core is the uarch: %s", c.uarch);
	T_CHECK(!cpu_in_order(&c), "decode's kernels: the A76s' (out of order), not the A55s'");
	sensors_read(&s);
	T_CHECK(s.ncpus == 8 && s.max_hz == 2.352e9 && s.min_hz == 408e6, "cpufreq of both kinds");
	T_CHECK(s.devfreq_ok && s.ndevfreq == 2, "devfreq: %d devices (%s)", s.ndevfreq, s.devfreq_reason);
	T_CHECK(!strcmp(s.devfreq[0].name, "dmc") && !strcmp(s.devfreq[0].kind, "memory") &&
			!strcmp(s.devfreq[0].governor, "dmc_ondemand") && s.devfreq[0].cur_hz == 2112e6 &&
			s.devfreq[0].min_hz == 528e6 && s.devfreq[0].nfreqs == 4,
		"the memory controller: governor, clock, range, 4 frequencies");
	T_CHECK(!strcmp(s.devfreq[1].kind, "gpu") && s.devfreq[1].max_hz == 1e9 && s.devfreq[1].nfreqs == 8,
		"the Mali GPU");
}

static void test_jetson(void)
{
	struct ev_sensors s;
	struct ev_cpu c = {0};
	use("jetson-orin-nano");
	sensors_read(&s);
	T_CHECK(s.cpufreq_ok && s.ncpus == 6 && !strcmp(s.cpufreq_driver, "tegra194"), "cpufreq");
	T_CHECK(s.ntemps == 4 && !strcmp(s.temp_c[3].name, "tj-thermal"), "thermal zones");
	T_CHECK(s.power_ok && s.npower == 3 && !strcmp(s.power_w[0].name, "VDD_IN") &&
			fabs(s.power_w[0].value - 5.080 * 1.328) < 1e-9,
		"INA3221 rails %d", s.npower);
	T_CHECK(!strcmp(s.power_mode, "nvpmodel pmode:0000 fmode:quiet"), "power mode '%s'",
		s.power_mode);
	T_CHECK(sensors_energy_total_j(&s) < 0, "no energy counters on Jetson");
	T_CHECK(!cpu_parse_arm_cpuinfo(&c, "/proc/cpuinfo") && !strcmp(c.uarch, "cortex-a78ae"),
		"A78AE");
}

static void test_rapl_laptop(void)
{
	struct ev_sensors s;
	use("rapl-laptop");
	sensors_read(&s);
	T_CHECK(s.cpufreq_ok && !strcmp(s.governor, "powersave") && s.max_hz == 4.8e9, "cpufreq");
	T_CHECK(s.ntemps == 4, "2 zones + 2 coretemp: %d", s.ntemps);
	T_CHECK(s.power_ok && s.nenergy == 1 && !strcmp(s.energy_j[0].name, "package-0") &&
			fabs(s.energy_j[0].value - 81234.56789) < 1e-6,
		"RAPL package only (sub-zones are inside it): %d", s.nenergy);
	T_CHECK(fabs(sensors_energy_total_j(&s) - 81234.56789) < 1e-6, "energy total");
	T_CHECK(!strcmp(s.power_mode, "platform_profile=balanced"), "%s", s.power_mode);
}

static void test_vm(void)
{
	struct ev_sensors s;
	use("vm");
	sensors_read(&s);
	T_CHECK(!s.cpufreq_ok && strstr(s.cpufreq_reason, "cpufreq"), "cpufreq unavailable");
	T_CHECK(!s.thermal_ok && s.thermal_reason[0], "thermal unavailable");
	T_CHECK(!s.power_ok && s.power_reason[0], "power unavailable");
	T_CHECK(!s.devfreq_ok && strstr(s.devfreq_reason, "devfreq"), "devfreq unavailable, with the reason");
	T_CHECK(s.power_mode[0] == 0, "no power mode");
}

static void test_counters_probe(void)
{
	struct ev_counters_status s;
	use("rpi5");
	counters_probe(&s);
	T_CHECK(s.available && !strcmp(s.pmu, "armv8_cortex_a76") && s.paranoid == 2, "pi 5: %s", s.pmu);
	use("jetson-orin-nano");
	counters_probe(&s);
	T_CHECK(s.available && !strcmp(s.pmu, "armv8_pmuv3_0"), "jetson: %s", s.pmu);
	use("rapl-laptop");
	counters_probe(&s);
	T_CHECK(!s.available && !strcmp(s.pmu, "cpu") && strstr(s.reason, "perf_event_paranoid is 3"),
		"laptop: %s", s.reason);
	use("vm");
	counters_probe(&s);
	T_CHECK(!s.available && strstr(s.reason, "no CPU PMU"), "vm: %s", s.reason);
}

static void test_counters_here(void)
{
	static const char *const ev[] = {"instructions", "cycles"};
	struct ev_counters *c = NULL;
	struct ev_err e = {0};
	uint64_t v[2] = {0, 0};
	volatile double x = 1;
	int rc;
	sysfs_set_root("/");
	rc = counters_open(&c, ev, 2, &e);
	if (rc == EV_ERR_UNSUPPORTED) {
		T_SKIP("no hardware counters here: %s", e.msg);
		return;
	}
	T_CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	T_CHECK(counters_start(c) == 0, "start");
	for (int i = 0; i < 1000000; i++)
		x = x * 1.0000001;
	T_CHECK(counters_stop(c, v) == 0, "stop");
	T_CHECK(v[0] > 1000000 && v[1] > 0, "a million-step loop counts %llu instructions",
		(unsigned long long)v[0]);
	counters_close(c);
}

/* The memory controller's clock right around a measurement: RK3588's dmc
 * (devfreq) at its maximum, a Jetson's EMC (BPMP debugfs) idling low; other
 * hwmon power monitors (INA238, an APU's package power). */
static void test_mem_state(void)
{
	struct ev_mem_state a, b;
	struct ev_sensors s;
	cJSON *o;
	char *txt;
	use("rk3588");
	sensors_mem_read(&a);
	T_CHECK(a.ok && !strcmp(a.name, "dmc") && a.cur_hz == 2112e6 && a.max_hz == 2112e6 &&
			!strcmp(a.governor, "dmc_ondemand"),
		"rk3588 dmc: %s %g of %g", a.name, a.cur_hz, a.max_hz);
	T_CHECK(!sensors_mem_below_max(&a, &a), "at its maximum");
	use("jetson-orin-nano");
	sensors_mem_read(&b);
	T_CHECK(b.ok && !strcmp(b.name, "emc") && b.cur_hz == 665.6e6 && b.max_hz == 2133e6 &&
			strstr(b.source, "bpmp"),
		"jetson emc: %s %g of %g", b.name, b.cur_hz, b.max_hz);
	T_CHECK(sensors_mem_below_max(&a, &b), "below its maximum after");
	o = sensors_mem_json(&b, &b);
	txt = cJSON_PrintUnformatted(o);
	T_CHECK(txt && strstr(txt, "\"memory_controller\":\"emc\"") && strstr(txt, "\"below_max\":true") &&
			strstr(txt, "\"clock_before_hz\":665600000"),
		"%s", txt ? txt : "null");
	free(txt);
	cJSON_Delete(o);
	sensors_read(&s);
	T_CHECK(s.devfreq_ok && s.ndevfreq >= 1 && !strcmp(s.devfreq[s.ndevfreq - 1].name, "emc") &&
			!strcmp(s.devfreq[s.ndevfreq - 1].kind, "memory"),
		"the EMC is in the machine state");
	use("hwmon-power");
	sensors_read(&s);
	T_CHECK(s.power_ok && s.npower == 2 && !strcmp(s.power_w[0].name, "ina238 power1") &&
			fabs(s.power_w[0].value - 8.524) < 1e-9 && !strcmp(s.power_w[1].name, "amdgpu PPT") &&
			fabs(s.power_w[1].value - 15) < 1e-9,
		"hwmon power: %d rails", s.npower);
	sensors_mem_read(&a);
	T_CHECK(!a.ok && !sensors_mem_json(&a, &a), "no memory controller, no governor: nothing");
}

int main(void)
{
	t_prog = "test-sensors";
	T_RUN(test_counters_probe);
	T_RUN(test_counters_here);
	T_RUN(test_rpi5);
	T_RUN(test_rk3588);
	T_RUN(test_jetson);
	T_RUN(test_rapl_laptop);
	T_RUN(test_android_phone);
	T_RUN(test_energy_wrap);
	T_RUN(test_vm);
	T_RUN(test_mem_state);
	T_DONE();
}

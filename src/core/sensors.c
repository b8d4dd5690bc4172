/* src/core/sensors.c: sysfs readers for clocks, temperatures and power. Tested on
 * fixture trees in tests/fixtures/sysfs/ that copy real boards' layouts. */
#include "sensors.h"

#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs.h"

static void read_cpufreq(struct ev_sensors *s)
{
	char path[256], buf[128];
	int64_t v;
	for (int cpu = 0; cpu < EV_SENS_MAX; cpu++) {
		snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_cur_freq",
			 cpu);
		if (sysfs_read_i64(path, &v))
			break;
		s->cur_hz[s->ncpus++] = (double)v * 1e3;
	}
	if (s->ncpus == 0) {
		snprintf(s->cpufreq_reason, sizeof s->cpufreq_reason,
			 "no /sys/devices/system/cpu/cpu0/cpufreq (VM, or no cpufreq driver)");
		return;
	}
	s->cpufreq_ok = 1;
	if (!sysfs_read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof buf))
		snprintf(s->governor, sizeof s->governor, "%s", buf);
	if (!sysfs_read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver", buf, sizeof buf))
		snprintf(s->cpufreq_driver, sizeof s->cpufreq_driver, "%s", buf);
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpufreq/cpuinfo_max_freq",
			 cpu);
		if (!sysfs_read_i64(path, &v) && (double)v * 1e3 > s->max_hz)
			s->max_hz = (double)v * 1e3;
		snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpufreq/cpuinfo_min_freq",
			 cpu);
		if (!sysfs_read_i64(path, &v) && (s->min_hz == 0 || (double)v * 1e3 < s->min_hz))
			s->min_hz = (double)v * 1e3;
	}
}

static void add_reading(struct ev_reading *arr, int *n, const char *name, const char *src,
			double v)
{
	if (*n >= EV_SENS_MAX)
		return;
	snprintf(arr[*n].name, sizeof arr[*n].name, "%s", name);
	snprintf(arr[*n].source, sizeof arr[*n].source, "%s", src);
	arr[*n].value = v;
	(*n)++;
}

static void read_thermal(struct ev_sensors *s)
{
	char **zones, **hw, path[256], name[64];
	int nz = sysfs_list("/sys/class/thermal", "thermal_zone", &zones, 64);
	int nh = sysfs_list("/sys/class/hwmon", "hwmon", &hw, 64);
	int64_t v;
	for (int i = 0; i < nz; i++) {
		snprintf(path, sizeof path, "/sys/class/thermal/%s/type", zones[i]);
		if (sysfs_read(path, name, sizeof name))
			snprintf(name, sizeof name, "%s", zones[i]);
		snprintf(path, sizeof path, "/sys/class/thermal/%s/temp", zones[i]);
		if (!sysfs_read_i64(path, &v))
			add_reading(s->temp_c, &s->ntemps, name, path, (double)v / 1000.0);
	}
	for (int i = 0; i < nh; i++) {
		char hwname[48] = "";
		snprintf(path, sizeof path, "/sys/class/hwmon/%s/name", hw[i]);
		sysfs_read(path, hwname, sizeof hwname);
		for (int k = 1; k <= 8; k++) {
			snprintf(path, sizeof path, "/sys/class/hwmon/%s/temp%d_input", hw[i], k);
			if (sysfs_read_i64(path, &v))
				continue;
			snprintf(name, sizeof name, "%s/temp%d", hwname[0] ? hwname : hw[i], k);
			add_reading(s->temp_c, &s->ntemps, name, path, (double)v / 1000.0);
		}
	}
	sysfs_list_free(zones, nz);
	sysfs_list_free(hw, nh);
	if (s->ntemps > 0)
		s->thermal_ok = 1;
	else
		snprintf(s->thermal_reason, sizeof s->thermal_reason,
			 "no readable /sys/class/thermal/thermal_zone*/temp or hwmon temp*_input");
}

static void read_rapl(struct ev_sensors *s)
{
	char **z, path[256], name[64];
	int n = sysfs_list("/sys/class/powercap", "intel-rapl:", &z, 64);
	for (int i = 0; i < n; i++) {
		int64_t uj;
		if (strchr(z[i] + strlen("intel-rapl:"), ':'))
			continue; /* sub-zones (core, uncore, dram) are inside the package */
		snprintf(path, sizeof path, "/sys/class/powercap/%s/name", z[i]);
		if (sysfs_read(path, name, sizeof name))
			snprintf(name, sizeof name, "%s", z[i]);
		snprintf(path, sizeof path, "/sys/class/powercap/%s/energy_uj", z[i]);
		if (!sysfs_read_i64(path, &uj)) {
			int64_t range;
			char rpath[256];
			add_reading(s->energy_j, &s->nenergy, name, path, (double)uj * 1e-6);
			snprintf(rpath, sizeof rpath, "/sys/class/powercap/%s/max_energy_range_uj", z[i]);
			if (s->nenergy > 0 && !sysfs_read_i64(rpath, &range) && range > 0)
				s->energy_range_j[s->nenergy - 1] = (double)range * 1e-6;
		}
	}
	sysfs_list_free(z, n);
}

static void read_ina3221(struct ev_sensors *s)
{
	char **hw, path[256], hwname[48], label[48];
	int nh = sysfs_list("/sys/class/hwmon", "hwmon", &hw, 64);
	for (int i = 0; i < nh; i++) {
		snprintf(path, sizeof path, "/sys/class/hwmon/%s/name", hw[i]);
		if (sysfs_read(path, hwname, sizeof hwname) || strcmp(hwname, "ina3221"))
			continue;
		for (int ch = 1; ch <= 3; ch++) {
			int64_t mv, ma;
			char vpath[256];
			snprintf(path, sizeof path, "/sys/class/hwmon/%s/in%d_label", hw[i], ch);
			if (sysfs_read(path, label, sizeof label))
				continue;
			snprintf(vpath, sizeof vpath, "/sys/class/hwmon/%s/in%d_input", hw[i], ch);
			snprintf(path, sizeof path, "/sys/class/hwmon/%s/curr%d_input", hw[i], ch);
			if (sysfs_read_i64(vpath, &mv) || sysfs_read_i64(path, &ma))
				continue;
			add_reading(s->power_w, &s->npower, label, path,
				    (double)mv * (double)ma * 1e-6);
		}
	}
	sysfs_list_free(hw, nh);
}

/* Other hwmon power monitors (INA238/INA226 on a board's input, an APU's
 * package power): power*_input or power*_average in microwatts. */
static void read_hwmon_power(struct ev_sensors *s)
{
	char **hw, path[256], hwname[48], label[64], name[112];
	int nh = sysfs_list("/sys/class/hwmon", "hwmon", &hw, 64);
	for (int i = 0; i < nh; i++) {
		snprintf(path, sizeof path, "/sys/class/hwmon/%s/name", hw[i]);
		if (sysfs_read(path, hwname, sizeof hwname) || !strcmp(hwname, "ina3221"))
			continue;
		for (int k = 1; k <= 8; k++) {
			static const char *const kinds[] = {"input", "average"};
			for (int j = 0; j < 2; j++) {
				int64_t uw;
				snprintf(path, sizeof path, "/sys/class/hwmon/%s/power%d_%s", hw[i], k, kinds[j]);
				if (sysfs_read_i64(path, &uw) || uw < 0)
					continue;
				{
					char lpath[256];
					snprintf(lpath, sizeof lpath, "/sys/class/hwmon/%s/power%d_label", hw[i], k);
					if (sysfs_read(lpath, label, sizeof label))
						snprintf(label, sizeof label, "power%d", k);
				}
				snprintf(name, sizeof name, "%s %s", hwname, label);
				add_reading(s->power_w, &s->npower, name, path, (double)uw * 1e-6);
				break;
			}
		}
	}
	sysfs_list_free(hw, nh);
}

/* A battery that is discharging powers the whole device (phones, laptops on
 * battery): V x I of power_supply, or power_now where the driver gives it. On
 * mains its current is the charger's business, not the device's draw. */
static void read_power_supply(struct ev_sensors *s)
{
	char **ps, path[256], buf[32], name[64];
	int n = sysfs_list("/sys/class/power_supply", "", &ps, 16);
	for (int i = 0; i < n; i++) {
		int64_t uv, ua, uw;
		double w = -1;
		snprintf(path, sizeof path, "/sys/class/power_supply/%s/type", ps[i]);
		if (sysfs_read(path, buf, sizeof buf) || strcmp(buf, "Battery"))
			continue;
		snprintf(path, sizeof path, "/sys/class/power_supply/%s/status", ps[i]);
		if (sysfs_read(path, buf, sizeof buf) || strcmp(buf, "Discharging"))
			continue;
		snprintf(path, sizeof path, "/sys/class/power_supply/%s/power_now", ps[i]);
		if (!sysfs_read_i64(path, &uw))
			w = (double)(uw < 0 ? -uw : uw) * 1e-6;
		else {
			char vpath[256];
			snprintf(vpath, sizeof vpath, "/sys/class/power_supply/%s/voltage_now", ps[i]);
			snprintf(path, sizeof path, "/sys/class/power_supply/%s/current_now", ps[i]);
			if (!sysfs_read_i64(vpath, &uv) && !sysfs_read_i64(path, &ua))
				w = (double)uv * 1e-6 * (double)(ua < 0 ? -ua : ua) * 1e-6; /* sign: driver's convention */
		}
		if (w < 0)
			continue;
		snprintf(name, sizeof name, "%s (discharging)", ps[i]);
		add_reading(s->power_w, &s->npower, name, path, w);
		if (s->board_rail < 0)
			s->board_rail = s->npower - 1;
	}
	sysfs_list_free(ps, n);
}

static const char *devfreq_kind(const char *name)
{
	if (strstr(name, "dmc") || strstr(name, "emc") || strstr(name, "ddr") || strstr(name, "memory"))
		return "memory";
	if (strstr(name, "gpu") || strstr(name, "mali") || strstr(name, "ga10b") || strstr(name, "gv11b"))
		return "gpu";
	if (strstr(name, "npu"))
		return "npu";
	return "other";
}

/* Jetson: the EMC (memory controller) clock is not a devfreq device; the
 * BPMP firmware's clock tree in debugfs has it (root only). */
static int read_emc(struct ev_devfreq *f)
{
	static const char dir[] = "/sys/kernel/debug/bpmp/debug/clk/emc";
	int64_t v;
	memset(f, 0, sizeof *f);
	if (sysfs_read_i64("/sys/kernel/debug/bpmp/debug/clk/emc/rate", &v) || v <= 0)
		return -1;
	f->cur_hz = (double)v;
	snprintf(f->name, sizeof f->name, "emc");
	snprintf(f->kind, sizeof f->kind, "memory");
	snprintf(f->governor, sizeof f->governor, "bpmp");
	snprintf(f->source, sizeof f->source, "%s", dir);
	if (!sysfs_read_i64("/sys/kernel/debug/bpmp/debug/clk/emc/max_rate", &v))
		f->max_hz = (double)v;
	if (!sysfs_read_i64("/sys/kernel/debug/bpmp/debug/clk/emc/min_rate", &v))
		f->min_hz = (double)v;
	return 0;
}

static void read_devfreq(struct ev_sensors *s)
{
	char **d = NULL, path[512], buf[1024];
	int n = sysfs_list("/sys/class/devfreq", "", &d, 64);
	for (int i = 0; i < n && s->ndevfreq < (int)(sizeof s->devfreq / sizeof s->devfreq[0]); i++) {
		struct ev_devfreq *f = &s->devfreq[s->ndevfreq];
		int64_t v;
		memset(f, 0, sizeof *f);
		snprintf(path, sizeof path, "/sys/class/devfreq/%s/cur_freq", d[i]);
		if (sysfs_read_i64(path, &v) || v <= 0)
			continue; /* a device without a readable clock says nothing */
		f->cur_hz = (double)v;
		snprintf(f->name, sizeof f->name, "%s", d[i]);
		snprintf(f->kind, sizeof f->kind, "%s", devfreq_kind(d[i]));
		snprintf(f->source, sizeof f->source, "/sys/class/devfreq/%s", d[i]);
		snprintf(path, sizeof path, "/sys/class/devfreq/%s/governor", d[i]);
		if (!sysfs_read(path, buf, sizeof buf))
			snprintf(f->governor, sizeof f->governor, "%s", buf);
		snprintf(path, sizeof path, "/sys/class/devfreq/%s/min_freq", d[i]);
		if (!sysfs_read_i64(path, &v))
			f->min_hz = (double)v;
		snprintf(path, sizeof path, "/sys/class/devfreq/%s/max_freq", d[i]);
		if (!sysfs_read_i64(path, &v))
			f->max_hz = (double)v;
		snprintf(path, sizeof path, "/sys/class/devfreq/%s/available_frequencies", d[i]);
		if (!sysfs_read(path, buf, sizeof buf)) {
			char *save = NULL;
			for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
				f->nfreqs++;
		}
		s->ndevfreq++;
	}
	sysfs_list_free(d, n);
	if (s->ndevfreq < (int)(sizeof s->devfreq / sizeof s->devfreq[0]) &&
	    !read_emc(&s->devfreq[s->ndevfreq]))
		s->ndevfreq++;
	s->devfreq_ok = s->ndevfreq > 0;
	if (!s->devfreq_ok)
		snprintf(s->devfreq_reason, sizeof s->devfreq_reason,
			 "no /sys/class/devfreq device with a readable cur_freq, no Jetson EMC clock "
			 "(/sys/kernel/debug/bpmp: root only)");
}

static void read_power_mode(struct ev_sensors *s)
{
	char buf[96];
	if (!sysfs_read("/var/lib/nvpmodel/status", buf, sizeof buf))
		snprintf(s->power_mode, sizeof s->power_mode, "nvpmodel %s", buf);
	else if (!sysfs_read("/sys/firmware/acpi/platform_profile", buf, sizeof buf))
		snprintf(s->power_mode, sizeof s->power_mode, "platform_profile=%s", buf);
	if (!sysfs_read("/sys/devices/platform/soc/soc:firmware/get_throttled", buf, sizeof buf))
		snprintf(s->throttled, sizeof s->throttled, "%s", buf);
}

void sensors_read(struct ev_sensors *s)
{
	memset(s, 0, sizeof *s);
	s->board_rail = -1;
	read_cpufreq(s);
	read_thermal(s);
	read_rapl(s);
	read_ina3221(s);
	read_hwmon_power(s);
	read_power_supply(s);
	for (int i = 0; i < s->npower && s->board_rail < 0; i++)
		if (strstr(s->power_w[i].name, "VDD_IN"))
			s->board_rail = i;
	read_power_mode(s);
	read_devfreq(s);
	if (s->nenergy > 0 || s->npower > 0)
		s->power_ok = 1;
	else
		snprintf(s->power_reason, sizeof s->power_reason,
			 "no /sys/class/powercap/intel-rapl:* energy counters, no hwmon power rails (ina3221, "
			 "power*_input) and no "
			 "discharging battery in /sys/class/power_supply");
}

void sensors_mem_read(struct ev_mem_state *m)
{
	char **d = NULL, path[512], buf[64];
	int n = sysfs_list("/sys/class/devfreq", "", &d, 64);
	struct ev_devfreq f;
	memset(m, 0, sizeof *m);
	if (!sysfs_read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof buf))
		snprintf(m->cpu_governor, sizeof m->cpu_governor, "%s", buf);
	for (int i = 0; i < n && !m->ok; i++) {
		int64_t v;
		if (strcmp(devfreq_kind(d[i]), "memory"))
			continue;
		snprintf(path, sizeof path, "/sys/class/devfreq/%s/cur_freq", d[i]);
		if (sysfs_read_i64(path, &v) || v <= 0)
			continue;
		m->ok = 1;
		m->cur_hz = (double)v;
		snprintf(m->name, sizeof m->name, "%s", d[i]);
		snprintf(m->source, sizeof m->source, "/sys/class/devfreq/%s", d[i]);
		snprintf(path, sizeof path, "/sys/class/devfreq/%s/max_freq", d[i]);
		if (!sysfs_read_i64(path, &v))
			m->max_hz = (double)v;
		snprintf(path, sizeof path, "/sys/class/devfreq/%s/governor", d[i]);
		if (!sysfs_read(path, buf, sizeof buf))
			snprintf(m->governor, sizeof m->governor, "%s", buf);
	}
	sysfs_list_free(d, n);
	if (!m->ok && !read_emc(&f)) {
		m->ok = 1;
		m->cur_hz = f.cur_hz;
		m->max_hz = f.max_hz;
		snprintf(m->name, sizeof m->name, "%s", f.name);
		snprintf(m->governor, sizeof m->governor, "%s", f.governor);
		snprintf(m->source, sizeof m->source, "%s", f.source);
	}
}

int sensors_mem_below_max(const struct ev_mem_state *a, const struct ev_mem_state *b)
{
	const struct ev_mem_state *s[2] = {a, b};
	for (int k = 0; k < 2; k++)
		if (s[k]->ok && s[k]->max_hz > 0 && s[k]->cur_hz < 0.95 * s[k]->max_hz)
			return 1;
	return 0;
}

struct cJSON *sensors_mem_json(const struct ev_mem_state *a, const struct ev_mem_state *b)
{
	cJSON *o;
	if (!a->ok && !b->ok && !a->cpu_governor[0])
		return NULL;
	o = cJSON_CreateObject();
	if (a->ok || b->ok) {
		const struct ev_mem_state *s = a->ok ? a : b;
		json_str(o, "memory_controller", s->name);
		json_str(o, "governor", s->governor);
		json_str(o, "source", s->source);
		if (a->ok)
			json_num(o, "clock_before_hz", a->cur_hz);
		if (b->ok)
			json_num(o, "clock_after_hz", b->cur_hz);
		if (s->max_hz > 0)
			json_num(o, "max_hz", s->max_hz);
		cJSON_AddBoolToObject(o, "below_max", sensors_mem_below_max(a, b));
	}
	if (a->cpu_governor[0])
		json_str(o, "cpu_governor", a->cpu_governor);
	return o;
}

double sensors_energy_delta_j(const struct ev_sensors *a, const struct ev_sensors *b)
{
	double t = 0;
	if (a->nenergy == 0 || a->nenergy != b->nenergy)
		return -1;
	for (int i = 0; i < a->nenergy; i++) {
		double d = b->energy_j[i].value - a->energy_j[i].value;
		if (strcmp(a->energy_j[i].name, b->energy_j[i].name))
			return -1;
		if (d < 0) {
			if (!(b->energy_range_j[i] > 0))
				return -1;
			d += b->energy_range_j[i]; /* wrapped once: intervals are far shorter than a wrap */
		}
		t += d;
	}
	return t;
}

double sensors_energy_total_j(const struct ev_sensors *s)
{
	double t = 0;
	if (s->nenergy == 0)
		return -1;
	for (int i = 0; i < s->nenergy; i++)
		t += s->energy_j[i].value;
	return t;
}

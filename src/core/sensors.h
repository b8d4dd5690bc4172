/* src/core/sensors.h: machine state from sysfs (under the configurable root):
 * cpufreq (governor and clocks), temperatures (thermal zones and hwmon), power
 * (RAPL energy counters, INA3221 rails on Jetson, a discharging battery) and power mode (Jetson
 * nvpmodel, Raspberry Pi throttling flags, ACPI platform profile), devfreq
 * (memory controller, GPU, NPU clocks and governors). Each part is
 * either read or "unavailable" with the reason; none is ever guessed. */
#ifndef EV_SENSORS_H
#define EV_SENSORS_H
#include <stdint.h>

#define EV_SENS_MAX 32

struct ev_reading {
	char name[64];
	char source[160]; /* the sysfs file it came from */
	double value;
};

struct ev_sensors {
	int cpufreq_ok;
	char cpufreq_reason[160];
	char governor[32];
	char cpufreq_driver[32];
	int ncpus;
	double cur_hz[EV_SENS_MAX];
	double max_hz, min_hz;

	int thermal_ok;
	char thermal_reason[160];
	int ntemps;
	struct ev_reading temp_c[EV_SENS_MAX];

	int power_ok;
	char power_reason[160];
	int nenergy;
	struct ev_reading energy_j[EV_SENS_MAX]; /* cumulative counters (RAPL) */
	double energy_range_j[EV_SENS_MAX];      /* where each counter wraps to 0 (0: unknown) */
	int npower;
	struct ev_reading power_w[EV_SENS_MAX];  /* instantaneous rails (INA3221), and a
						  * discharging battery (power_supply) */
	int board_rail;                          /* the rail that is the whole device's
						  * input (Jetson VDD_IN, a battery), or -1 */

	/* devfreq devices (the memory controller: RK3588 dmc; GPUs, NPUs): their
	 * governor and clock say what state the memory was in while measuring */
	int devfreq_ok;
	char devfreq_reason[160];
	int ndevfreq;
	struct ev_devfreq {
		char name[64];
		char kind[16];      /* memory, gpu, npu, other (from the name) */
		char governor[32];
		double cur_hz, min_hz, max_hz;
		int nfreqs;         /* available_frequencies, 0 unknown */
		char source[160];
	} devfreq[EV_SENS_MAX / 4];

	char power_mode[96];   /* "nvpmodel pmode:0000", "platform_profile=balanced"... */
	char throttled[64];    /* Raspberry Pi get_throttled flags, when present */
};

void sensors_read(struct ev_sensors *s);

/* The state a bandwidth or decode figure depends on, read in a few file
 * reads right before and after each measurement: the memory controller's
 * clock (devfreq: RK3588 dmc; Jetson's EMC from the BPMP's clock tree in
 * debugfs) and the CPU governor. */
struct ev_mem_state {
	int ok;                /* a memory controller clock was read */
	char name[64], governor[32], source[160];
	double cur_hz, max_hz;
	char cpu_governor[32]; /* "" unknown */
};
void sensors_mem_read(struct ev_mem_state *m);
/* A measurement's before/after pair as JSON ("memory_controller": name,
 * governor, clock before/after, max, below_max; cpu_governor), or NULL when
 * neither was readable. */
struct cJSON;
struct cJSON *sensors_mem_json(const struct ev_mem_state *before, const struct ev_mem_state *after);
/* 1 when either reading was below 95% of the controller's maximum. */
int sensors_mem_below_max(const struct ev_mem_state *before, const struct ev_mem_state *after);
/* Sum of package-level energy counters (J), for energy over an interval: -1 if none. */
double sensors_energy_total_j(const struct ev_sensors *s);
/* Energy used between two readings of the same counters (J), each counter's
 * wrap-around undone with its range; -1 when the counters differ or one went
 * backwards with no known range. */
double sensors_energy_delta_j(const struct ev_sensors *before, const struct ev_sensors *after);

#endif

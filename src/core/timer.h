/* src/core/timer.h: the one clock every measurement uses (CLOCK_MONOTONIC_RAW where
 * the kernel has it: NTP slewing must not stretch a sample). */
#ifndef EV_TIMER_H
#define EV_TIMER_H

double timer_now(void);
/* Smallest non-zero step the clock shows, measured (STREAM's checktick). */
double timer_resolution(void);
/* Shortest sample that keeps the clock's error below 0.1%: 1000 x resolution,
 * and never below min_s. */
double timer_min_sample(double min_s);

#endif

/* tests/test-units.c: size, time, bandwidth, count and list parsing; SHA-256. */
#include "harness.h"
#include "opt.h"
#include "sha256.h"
#include "units.h"

#include <unistd.h>

/* SHA-256 against FIPS 180-2's examples, fed whole and in odd pieces, and a file. */
static void test_sha256(void)
{
	static const struct {
		const char *msg, *hex;
		int repeat;
	} v[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 1},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 1},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", 1},
		{"a", "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", 1000000},
	};
	char hex[65], path[64];
	struct ev_err e = {0};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct ev_sha256 s;
		size_t n = strlen(v[i].msg);
		sha256_init(&s);
		for (int r = 0; r < v[i].repeat; r++)
			sha256_update(&s, v[i].msg, n);
		sha256_final_hex(&s, hex);
		T_CHECK(!strcmp(hex, v[i].hex), "vector %zu: %s", i, hex);
		if (v[i].repeat == 1 && n > 3) { /* the same in pieces of 1, 2, 3... bytes */
			size_t off = 0, k = 1;
			sha256_init(&s);
			while (off < n) {
				size_t take = k < n - off ? k : n - off;
				sha256_update(&s, v[i].msg + off, take);
				off += take, k++;
			}
			sha256_final_hex(&s, hex);
			T_CHECK(!strcmp(hex, v[i].hex), "vector %zu in pieces: %s", i, hex);
		}
	}
	snprintf(path, sizeof path, "/tmp/eaves-sha-%d", (int)getpid());
	{
		FILE *f = fopen(path, "wb");
		fputs("abc", f);
		fclose(f);
	}
	T_CHECK(sha256_file(path, hex, NULL, &e) == 0 && !strcmp(hex, v[1].hex), "file: %s %s", hex, e.msg);
	unlink(path);
	T_CHECK(sha256_file(path, hex, NULL, &e) == EV_ERR_USAGE && strstr(e.msg, "No such file"), "%s", e.msg);
}

static void test_sizes(void)
{
	static const struct {
		const char *in;
		uint64_t want;
	} ok[] = {{"4096", 4096},       {"32K", 32768},        {"32KiB", 32768},
		  {"32kb", 32768},       {"1.5MiB", 1572864},   {"2G", 2147483648ull},
		  {"2 GiB", 2147483648ull}, {"64M", 67108864},  {"0", 0}};
	static const char *bad[] = {"", "abc", "12Q", "-4K", "1.3", "4KiBs", "1e400"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		uint64_t v = 1;
		T_CHECK(units_parse_size(ok[i].in, &v) == 0 && v == ok[i].want, "%s -> %llu",
			ok[i].in, (unsigned long long)v);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t v;
		T_CHECK(units_parse_size(bad[i], &v) != 0, "'%s' accepted", bad[i]);
	}
}

static void test_times_bw_counts(void)
{
	double t, b, n;
	T_CHECK(!units_parse_time("10ms", &t) && fabs(t - 0.01) < 1e-15, "10ms");
	T_CHECK(!units_parse_time("2s", &t) && t == 2, "2s");
	T_CHECK(!units_parse_time("1m", &t) && t == 60, "1m");
	T_CHECK(!units_parse_time("1.5", &t) && t == 1.5, "1.5");
	T_CHECK(units_parse_time("5 parsecs", &t) != 0, "junk time");
	T_CHECK(!units_parse_bw("100GB/s", &b) && b == 100e9, "100GB/s");
	T_CHECK(!units_parse_bw("25.6 GB/s", &b) && fabs(b - 25.6e9) < 1, "25.6 GB/s");
	T_CHECK(!units_parse_bw("800MB/s", &b) && b == 800e6, "800MB/s");
	T_CHECK(units_parse_bw("0GB/s", &b) != 0, "zero bandwidth accepted");
	T_CHECK(units_parse_bw("fast", &b) != 0, "junk bandwidth");
	T_CHECK(!units_parse_count("1.7e9", &n) && n == 1.7e9, "1.7e9");
	T_CHECK(!units_parse_count("1.7G", &n) && fabs(n - 1.7e9) < 1, "1.7G");
	T_CHECK(!units_parse_count("135M", &n) && n == 135e6, "135M");
	T_CHECK(units_parse_count("1.7X", &n) != 0, "1.7X");
}

static void test_lists(void)
{
	int v[16];
	char why[256];
	T_CHECK(units_parse_int_list("1,2,4", v, 16, NULL, 0) == 3 && v[2] == 4, "1,2,4");
	T_CHECK(units_parse_int_list("1-4", v, 16, NULL, 0) == 4 && v[0] == 1 && v[3] == 4, "1-4");
	T_CHECK(units_parse_int_list("1,3-4", v, 16, NULL, 0) == 3 && v[1] == 3, "1,3-4");
	T_CHECK(units_parse_int_list("4-1", v, 16, why, sizeof why) < 0 && strstr(why, "backwards"),
		"4-1: %s", why);
	T_CHECK(units_parse_int_list("a", v, 16, why, sizeof why) < 0 &&
			strstr(why, "'a' is not a list of whole numbers"),
		"a: %s", why);
	T_CHECK(units_parse_int_list("1,,2", v, 16, why, sizeof why) < 0, "1,,2 accepted");
	T_CHECK(units_parse_int_list("-3", v, 16, why, sizeof why) < 0, "-3 accepted");
	T_CHECK(units_parse_int_list("1-100", v, 16, why, sizeof why) < 0 &&
			strstr(why, "more than 16 values"),
		"overflow: %s", why);
	T_CHECK(units_parse_int_list("100000000", v, 16, why, sizeof why) < 0 &&
			strstr(why, "100000000 is too large"),
		"too large: %s", why);
	T_CHECK(units_parse_int_list("99999999999999999999999", v, 16, why, sizeof why) < 0 &&
			strstr(why, "too large"),
		"strtol overflow: %s", why);
}

static void test_format(void)
{
	char b[32];
	T_CHECK(!strcmp(units_fmt_bytes(b, sizeof b, 32768), "32 KiB"), "%s", b);
	T_CHECK(!strcmp(units_fmt_bytes(b, sizeof b, 1572864), "1.5 MiB"), "%s", b);
	T_CHECK(!strcmp(units_fmt_bw(b, sizeof b, 45.3e9), "45.3 GB/s"), "%s", b);
	T_CHECK(!strcmp(units_fmt_flops(b, sizeof b, 116.2e9), "116.2 GFLOP/s"), "%s", b);
}

static void test_options(void)
{
	enum { J, Q, T, S, N };
	static const struct ev_opt o[N] = {
		[J] = {"json", EV_OPT_STR, "FILE", "json"},
		[Q] = {"quick", EV_OPT_FLAG, NULL, "quick"},
		[T] = {"threads", EV_OPT_INT, "N", "threads", "1", 1, 64},
		[S] = {"size", EV_OPT_SIZE, "SIZE", "size"},
	};
	struct ev_optval v[N];
	struct ev_err e = {0};
	char *pos[2];
	int np, help;
	char *a1[] = {"bw", "--json", "x.json", "--quick", "--threads=4", "--size", "1MiB", "p"};
	char *a2[] = {"bw", "--bogus"};
	char *a3[] = {"bw", "--threads", "0"};
	char *a4[] = {"bw", "--size", "lots"};
	char *a5[] = {"bw", "--json"};
	T_CHECK(!opt_parse("bw", o, N, v, 8, a1, pos, 2, &np, &help, &e), "%s", e.msg);
	T_CHECK(v[Q].set && v[T].i == 4 && v[S].u == 1048576 && !strcmp(v[J].s, "x.json") &&
			np == 1 && !strcmp(pos[0], "p"),
		"values");
	T_CHECK(opt_parse("bw", o, N, v, 2, a2, pos, 2, &np, &help, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "--bogus"),
		"%s", e.msg);
	T_CHECK(opt_parse("bw", o, N, v, 3, a3, pos, 2, &np, &help, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "out of range"),
		"%s", e.msg);
	T_CHECK(opt_parse("bw", o, N, v, 3, a4, pos, 2, &np, &help, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "lots"),
		"%s", e.msg);
	T_CHECK(opt_parse("bw", o, N, v, 2, a5, pos, 2, &np, &help, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "needs a value"),
		"%s", e.msg);
}

int main(void)
{
	t_prog = "test-units";
	T_RUN(test_sha256);
	T_RUN(test_sizes);
	T_RUN(test_times_bw_counts);
	T_RUN(test_lists);
	T_RUN(test_format);
	T_RUN(test_options);
	T_DONE();
}

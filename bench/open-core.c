// SPDX-License-Identifier: Apache-2.0
/*
 * open-core — the libbpf side of bench/large-bench: libbpf 1.5's own "open + CO-RE" on each
 * object, timed, without loading anything into the kernel.
 *
 *   open-core --btf <target-btf> [--runs N] <object.o>...
 *
 * Per object and run (a fresh bpf_object each time):
 *   bpf_object__open_file(path, { .btf_custom_path = target })   ELF, .BTF, .BTF.ext, programs, maps
 *   bpf_object__relocate_core(obj, obj->btf_custom_path)          CO-RE, the very call
 *                                                                 bpf_object__load makes (through
 *                                                                 bpf_object__relocate) with the
 *                                                                 same argument
 * and the wall time (CLOCK_MONOTONIC) and CPU time (CLOCK_PROCESS_CPUTIME_ID) of both together;
 * bpf_object__close is not timed. The target's parse alone (btf__parse, which relocate_core does
 * first when the object has CO-RE records) is timed separately too (CPU), so a reader can tell it
 * apart (parse_cpu_ms).
 *
 * Why this is faithful: libbpf 1.5 has no public "relocate only" API (bpf_object__prepare is
 * 1.6+). Turning every program's autoload off and calling bpf_object__load skips CO-RE entirely
 * (bpf_object__relocate_core ignores records of non-autoload programs), and a real load adds
 * the kernel's work (BTF and map creation, the verifier). relo-core --bench reimplements the
 * open step and calls relo_core.c per record. Here the translation unit #includes libbpf.c, so
 * the static bpf_object__relocate_core is callable: the open is libbpf's, the CO-RE loop is
 * libbpf's (target BTF parsed from btf_custom_path for each object, candidate cache per local
 * type, bpf_core_calc_relo_insn, bpf_core_patch_insn), nothing is reimplemented. What
 * bpf_object__load does besides CO-RE (probing the kernel, loading vmlinux BTF for externs and
 * attach targets, creating maps, the verifier) is not CO-RE and not timed.
 *
 * Output, one line per object, then a total:
 *   <path> programs <n> relocations <applied> result <err> median_ms <wall> cpu_ms <cpu>
 *          parse_cpu_ms <cpu> runs <wall,...>
 * (runs sorted). "relocations" counts CO-RE records applied (patched or poisoned) by the first run, i.e. those of
 * autoload programs; "result" is relocate_core's return value (0 = every relocation applied).
 *
 * Built by bench/build-open-core.sh into .cache/bin/open-core.
 */
#include "libbpf.c"

#include <time.h>

static double clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of the process: on a shared, loaded machine it moves far less than wall time. */
static double cpu_ms(void)
{
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* CO-RE records libbpf recorded (record_relo_core) for the object's programs. */
static long core_relos(struct bpf_object *obj)
{
	long n = 0;

	for (size_t p = 0; p < obj->nr_programs; p++) {
		struct bpf_program *prog = &obj->programs[p];

		for (int r = 0; r < prog->nr_reloc; r++)
			n += prog->reloc_desc[r].type == RELO_CORE;
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *target = NULL;
	int runs = 5, first = 0;
	double total = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--btf") == 0 && i + 1 < argc) {
			target = argv[++i];
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else {
			first = i;
			break;
		}
	}
	if (!target || !first || runs < 1 || runs > 100) {
		fprintf(stderr, "usage: open-core --btf <target-btf> [--runs N] <object.o>...\n");
		return 1;
	}
	libbpf_set_print(NULL); /* libbpf formats no message, as in a quiet production load */
	for (int i = first; i < argc; i++) {
		double ms[100], cpu[100], parse[100];
		long relos = 0;
		int result = 0, progs = 0;

		for (int r = 0; r < runs; r++) {
			LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = target);
			double t0 = now_ms(), c0 = cpu_ms();
			struct bpf_object *obj = bpf_object__open_file(argv[i], &opts);
			int err;

			if (!obj) {
				fprintf(stderr, "open-core: %s: bpf_object__open_file failed: %d\n", argv[i], -errno);
				return 2;
			}
			err = obj->btf_ext ? bpf_object__relocate_core(obj, obj->btf_custom_path) : 0;
			ms[r] = now_ms() - t0;
			cpu[r] = cpu_ms() - c0;
			if (r == 0) {
				result = err;
				relos = core_relos(obj);
				progs = obj->nr_programs;
			}
			bpf_object__close(obj);
			c0 = cpu_ms();
			btf__free(btf__parse(target, NULL));
			parse[r] = cpu_ms() - c0;
		}
		printf("%s programs %d relocations %ld result %d", argv[i], progs, relos, result);
		qsort(ms, runs, sizeof(ms[0]), cmp_double);
		qsort(parse, runs, sizeof(parse[0]), cmp_double);
		qsort(cpu, runs, sizeof(cpu[0]), cmp_double);
		printf(" median_ms %.3f cpu_ms %.3f parse_cpu_ms %.3f runs", ms[runs / 2], cpu[runs / 2], parse[runs / 2]);
		for (int r = 0; r < runs; r++)
			printf("%c%.3f", r ? ',' : ' ', ms[r]);
		printf("\n");
		total += cpu[runs / 2];
	}
	printf("== open-core: total_cpu_ms %.3f\n", total);
	return 0;
}

// SPDX-License-Identifier: Apache-2.0
/*
 * relo-log — ground-truth harness: let the reference libbpf (1.5, static) open and
 * load a BPF object, and print everything libbpf says plus the final instructions.
 *
 *   relo-log <object.o> [--btf <target-btf-file>] [--only <prog>]...
 *
 * Output (stdout), in this order:
 *   1. every message libbpf emits, at every level (WARN, INFO, DEBUG), exactly as
 *      libbpf formatted it, minus the leading "libbpf: " prefix.  One libbpf message
 *      is printed as-is: it normally is one line; a few messages (the verifier log
 *      dump "-- BEGIN PROG LOAD LOG --" ... "-- END PROG LOAD LOG --") span several.
 *      A message that does not end in '\n' gets one appended.
 *   2. harness lines, all starting with "== relo-log: " (libbpf never prints that):
 *        == relo-log: open <object> btf <target-btf>
 *        == relo-log: open failed: <errno> (<strerror>)          (then exit 0)
 *        == relo-log: load ok | load failed: <errno> (<strerror>)
 *        == relo-log: insns <prog-name> <section-name> <count>
 *      followed, per program, by its final instructions (bpf_program__insns, i.e. after
 *      CO-RE and the other relocations libbpf did before the load stopped):
 *        insn <prog-name> <index> <16 hex digits = the 8 instruction bytes in memory order>
 *      and finally "== relo-log: end".
 *
 * Every program is set to autoload (so no CO-RE relocation is skipped because of a
 * "?" section prefix).  With --only (repeatable, for verifier experiments) only the named
 * programs are autoloaded; libbpf then skips the CO-RE relocations of the others (it
 * still prints "found N CO-RE relocations" for their sections).  The object is really
 * loaded into the running kernel (needs root); failures after CO-RE are expected for
 * some programs and only reported.
 *
 * Exit status: 0 whenever the harness ran (even if libbpf failed to open or load the
 * object); 1 on usage errors; 2 if the harness itself broke.
 *
 * Built by tools/goldens/build-libbpf.sh into .cache/bin/relo-log.
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "libbpf-lines.h"

static void usage(void)
{
	fprintf(stderr, "usage: relo-log <object.o> [--btf <target-btf-file>] [--only <prog>]...\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *btf_path = "/sys/kernel/btf/vmlinux";
	const char **only = calloc(argc, sizeof(*only));
	int n_only = 0;

	if (!only)
		return 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--btf") == 0) {
			if (++i >= argc)
				usage();
			btf_path = argv[i];
		} else if (strcmp(argv[i], "--only") == 0) {
			if (++i >= argc)
				usage();
			only[n_only++] = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage();
		} else if (!obj_path) {
			obj_path = argv[i];
		} else {
			usage();
		}
	}
	if (!obj_path)
		usage();

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf_lines);

	printf("== relo-log: open %s btf %s\n", obj_path, btf_path);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct bpf_object *obj = bpf_object__open_file(obj_path, &opts);
	if (!obj) {
		int err = -errno;
		printf("== relo-log: open failed: %d (%s)\n", err, strerror(-err));
		printf("== relo-log: end\n");
		return 0;
	}

	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		bool on = n_only == 0;

		for (int i = 0; i < n_only; i++)
			on = on || strcmp(only[i], bpf_program__name(prog)) == 0;
		int err = bpf_program__set_autoload(prog, on);
		if (err) {
			fprintf(stderr, "relo-log: set_autoload(%s) failed: %d\n",
				bpf_program__name(prog), err);
			return 2;
		}
	}

	int err = bpf_object__load(obj);
	if (err)
		printf("== relo-log: load failed: %d (%s)\n", err, strerror(-err));
	else
		printf("== relo-log: load ok\n");

	bpf_object__for_each_program(prog, obj) {
		const struct bpf_insn *insns = bpf_program__insns(prog);
		size_t cnt = bpf_program__insn_cnt(prog);
		const char *name = bpf_program__name(prog);

		printf("== relo-log: insns %s %s %zu\n", name, bpf_program__section_name(prog), cnt);
		for (size_t i = 0; insns && i < cnt; i++) {
			const unsigned char *b = (const unsigned char *)&insns[i];
			printf("insn %s %zu %02x%02x%02x%02x%02x%02x%02x%02x\n", name, i,
			       b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
		}
	}
	printf("== relo-log: end\n");
	bpf_object__close(obj);
	free(only);
	return 0;
}

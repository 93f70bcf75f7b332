// SPDX-License-Identifier: Apache-2.0
/*
 * load-verdicts — ground truth for `corecheck check`: which programs of an object the live
 * verifier accepts once libbpf 1.5 has applied CO-RE against another kernel's BTF.
 *
 *   load-verdicts <object.o> --btf <target-btf> [--exclude-type <prog-type>]...
 *
 * libbpf loads an object's programs in order and stops at the first one the kernel refuses, so
 * one load tells about one failing program at most. load-verdicts opens the object with
 * btf_custom_path = <target-btf>, loads it, and when a program fails records why and loads a
 * fresh copy with that program's autoload off, until the load succeeds (or CO-RE itself fails,
 * which stops the whole object before any program is loaded). Programs of an excluded type
 * (the kernel refuses fentry/fexit/... here with EPERM whatever the program) are never loaded.
 *
 * Output, one line per program in libbpf's order, then a summary:
 *   prog <name> loads
 *   prog <name> fails-core <libbpf's line: "failed to resolve CO-RE relocation <spec>">
 *   prog <name> fails-other <errno> <the verifier's complaint (last line of its log), or libbpf's>
 *   prog <name> core-error <libbpf's "prog '<name>': relo #<n>: ..." error line>   (object-wide)
 *   prog <name> excluded <prog type>
 *   prog <name> not-loaded                       (autoload off in the object: SEC("?..."))
 *   == load-verdicts: <loads> loads, <n> loads attempted
 * Exit 0 whenever it ran; 1 usage; 2 if the object cannot be opened at all.
 *
 * Built by tools/goldens/build-libbpf.sh next to relo-log (static libbpf 1.5).
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#define MAX_PROGS 512

/* Every libbpf message of the current load attempt, concatenated. */
static char *log_buf;
static size_t log_len;

static int collect(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char *msg = NULL;
	int n = vasprintf(&msg, fmt, args);

	(void)level;
	if (n < 0)
		exit(2);
	log_buf = realloc(log_buf, log_len + n + 1);
	if (!log_buf)
		exit(2);
	memcpy(log_buf + log_len, msg, n + 1);
	log_len += n;
	free(msg);
	return n;
}

/* The first line of the log containing `needle` (without its "libbpf: " prefix), or NULL. */
static char *line_with(const char *needle)
{
	const char *hit = log_buf ? strstr(log_buf, needle) : NULL;
	if (!hit)
		return NULL;
	const char *start = hit;
	while (start > log_buf && start[-1] != '\n')
		start--;
	if (strncmp(start, "libbpf: ", 8) == 0)
		start += 8;
	const char *end = strchr(hit, '\n');
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* The verifier's complaint: the last non-empty line of the verifier log before
 * "processed N insns" or the END marker. */
static char *verifier_reason(void)
{
	const char *begin = log_buf ? strstr(log_buf, "-- BEGIN PROG LOAD LOG --") : NULL;
	const char *end = begin ? strstr(begin, "-- END PROG LOAD LOG --") : NULL;
	if (!begin || !end)
		return NULL;
	const char *last = NULL, *p = begin;
	size_t last_len = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 0 && strncmp(p, "processed ", 10) != 0 && strncmp(p, "-- ", 3) != 0 &&
		    strncmp(p, "libbpf: ", 8) != 0) {
			last = p;
			last_len = len;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return last ? strndup(last, last_len) : NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: load-verdicts <object.o> --btf <target-btf> [--exclude-type <prog-type>]...\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *btf_path = NULL;
	const char *exclude[16];
	int n_exclude = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--btf") == 0 && i + 1 < argc) {
			btf_path = argv[++i];
		} else if (strcmp(argv[i], "--exclude-type") == 0 && i + 1 < argc && n_exclude < 16) {
			exclude[n_exclude++] = argv[++i];
		} else if (argv[i][0] == '-') {
			usage();
		} else if (!obj_path) {
			obj_path = argv[i];
		} else {
			usage();
		}
	}
	if (!obj_path || !btf_path)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(collect);

	char *verdict[MAX_PROGS] = {};
	bool off[MAX_PROGS] = {};
	int attempts = 0, loads = 0;

	for (;;) {
		log_len = 0;
		if (log_buf)
			log_buf[0] = 0;
		LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
		struct bpf_object *obj = bpf_object__open_file(obj_path, &opts);
		if (!obj) {
			fprintf(stderr, "load-verdicts: cannot open %s: %s\n", obj_path, strerror(errno));
			return 2;
		}
		struct bpf_program *prog;
		int i = 0, on = 0;
		bpf_object__for_each_program(prog, obj) {
			if (i >= MAX_PROGS)
				return 2;
			const char *type = libbpf_bpf_prog_type_str(bpf_program__type(prog));
			if (!verdict[i] && !bpf_program__autoload(prog))
				verdict[i] = strdup("not-loaded");
			for (int k = 0; k < n_exclude && !verdict[i]; k++)
				if (type && strcmp(type, exclude[k]) == 0)
					asprintf(&verdict[i], "excluded %s", type);
			bpf_program__set_autoload(prog, !verdict[i] && !off[i]);
			on += !verdict[i] && !off[i];
			i++;
		}
		if (on == 0) {
			bpf_object__close(obj);
			break;
		}
		attempts++;
		int err = bpf_object__load(obj);
		char *core_err = err ? line_with("failed to perform CO-RE relocations") : NULL;
		if (!err || core_err) {
			/* success: every program still on loaded; CO-RE failure: none did */
			char *why = core_err ? line_with("failed to relocate: ") : NULL;
			i = 0;
			bpf_object__for_each_program(prog, obj) {
				if (!verdict[i] && !off[i]) {
					if (!core_err)
						verdict[i] = strdup("loads");
					else
						asprintf(&verdict[i], "core-error %s", why ? why : core_err);
				}
				i++;
			}
			loads += !err;
			bpf_object__close(obj);
			break;
		}
		/* one program failed: the one libbpf names in "prog '<name>': failed to load" */
		char *failed = line_with("': failed to load: ");
		int hit = -1;
		i = 0;
		bpf_object__for_each_program(prog, obj) {
			char want[512];

			snprintf(want, sizeof(want), "prog '%s': failed to load: ", bpf_program__name(prog));
			if (failed && strncmp(failed, want, strlen(want)) == 0 && !verdict[i] && !off[i])
				hit = i;
			i++;
		}
		if (hit < 0) {
			/* the object failed before its programs (maps, BTF, externs): all of them */
			char *why = line_with("failed to load object");
			i = 0;
			bpf_object__for_each_program(prog, obj) {
				if (!verdict[i] && !off[i])
					asprintf(&verdict[i], "fails-other %d %s", err, why ? why : "object load failed");
				i++;
			}
			bpf_object__close(obj);
			break;
		}
		char *core = line_with("failed to resolve CO-RE relocation ");
		if (core) {
			asprintf(&verdict[hit], "fails-core %s", core);
		} else {
			char *why = verifier_reason();
			asprintf(&verdict[hit], "fails-other %d %s", err, why ? why : failed);
		}
		off[hit] = true;
		bpf_object__close(obj);
	}

	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct bpf_object *obj = bpf_object__open_file(obj_path, &opts);
	struct bpf_program *prog;
	int i = 0;
	bpf_object__for_each_program(prog, obj) {
		printf("prog %s %s\n", bpf_program__name(prog), verdict[i] ? verdict[i] : "loads");
		i++;
	}
	bpf_object__close(obj);
	printf("== load-verdicts: %d loads, %d loads attempted\n", loads, attempts);
	return 0;
}

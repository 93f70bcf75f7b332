// SPDX-License-Identifier: Apache-2.0
/*
 * load-verdicts — ground truth for `corecheck check`: which programs of an object the live
 * verifier accepts once libbpf 1.5 has applied CO-RE against another kernel's BTF.
 *
 *   load-verdicts <object.o> [--btf <target-btf>] [--exclude-type <prog-type>]...
 *                 [--tool-setup] [--whole] [--set <name>=<value>]...
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
 *   prog <name> artifact <why>                   (--tool-setup: never loaded, see below)
 *   == load-verdicts: <loads> loads, <n> loads attempted
 *   object <verdict> [<prog>: <detail>]          (--whole, printed first)
 * Exit 0 whenever it ran; 1 usage; 2 if the object cannot be opened at all.
 *
 * Without --btf, no btf_custom_path: CO-RE goes against the running kernel's own
 * /sys/kernel/btf/vmlinux (tools/goldens/regen-live.sh runs it that way inside a VM per kernel).
 *
 * --whole: before the per-program loop, one bpf_object__load of every autoload program (minus
 * excluded and artifact ones) and its verdict: `object loads`, or the first failing program's
 * verdict with `<prog>: ` in front of its detail. Object-level failures (maps, prog-array owner
 * compatibility between programs, ...) only show that way.
 *
 * --tool-setup: do before load what the libbpf-tools' user space does with its default options,
 * so a bare load does not fail on the loader's account (libbpf-tools 0.26 sources, bcc project):
 *   - capable, offcputime, wakeuptime: stackmap (STACK_TRACE, no value size in the object) gets
 *     bpf_map__set_value_size(perf_max_stack_depth (127) * sizeof(unsigned long)) and
 *     bpf_map__set_max_entries(stack_storage_size (1024));
 *   - cpudist: start gets max_entries = /proc/sys/kernel/pid_max, hists 1 (no -P/-L);
 *   - tracing programs whose section names a `dummy_*` function (fsdist, fsslower: fentry/fexit
 *     dummy_file_read, ...) are `artifact`: user space replaces the target with a file-system
 *     function chosen at run time (bpf_program__set_attach_target), usually in a module.
 * Any other map still without max_entries (besides perf event arrays, which libbpf sizes) or a
 * STACK_TRACE map without value size makes every program `artifact <map> ...`.
 *
 * --set <name>=<value>: before every load, write the integer value (strtoll/strtoull, any base C
 * reads) into the `.rodata` variable <name>, as a libbpf skeleton's user space does
 * (`skel->rodata-><name> = <value>`): into the internal map's initial value
 * (bpf_map__initial_value), found through the variable's place in the object's `.rodata*` DATASEC.
 * libbpf then writes that value and freezes the map, and the verifier folds it. Unknown names and
 * sizes other than 1, 2, 4 and 8 bytes are usage errors (exit 1).
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
#include <bpf/btf.h>
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
	fprintf(stderr, "usage: load-verdicts <object.o> [--btf <target-btf>] [--exclude-type <prog-type>]... "
			"[--tool-setup] [--whole] [--set <name>=<value>]...\n");
	exit(1);
}

static const char *obj_path, *btf_path;
static bool tool_setup;

#define MAX_SETS 16
static const char *set_arg[MAX_SETS];
static int n_set;

/* --set: the value of set_arg[k] written into its .rodata variable (see the header comment). */
static void apply_set(struct bpf_object *obj, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	if (!eq || !btf)
		goto bad;
	char name[256];
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	char *end;
	errno = 0;
	long long sv = strtoll(eq + 1, &end, 0);
	unsigned long long uv = (unsigned long long)sv;
	if (errno == ERANGE && eq[1] != '-') {
		errno = 0;
		uv = strtoull(eq + 1, &end, 0);
	}
	if (errno || *end || end == eq + 1)
		goto bad;
	bpf_object__for_each_map(map, obj) {
		const char *mname = bpf_map__name(map);
		const char *sec = mname ? strstr(mname, ".rodata") : NULL;
		if (!bpf_map__is_internal(map) || !sec)
			continue;
		int id = btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
		if (id < 0)
			continue;
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vs = btf_var_secinfos(t);
		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			if (strcmp(btf__name_by_offset(btf, btf__type_by_id(btf, vs->type)->name_off), name) != 0)
				continue;
			size_t sz;
			char *data = bpf_map__initial_value(map, &sz);
			if (!data || vs->offset + vs->size > sz || (vs->size != 1 && vs->size != 2 && vs->size != 4 && vs->size != 8))
				goto bad;
			/* the object's byte order is the host's (libbpf loads no other) */
			unsigned char b[8];
			memcpy(b, &uv, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			memcpy(data + vs->offset, b + 8 - vs->size, vs->size);
#else
			memcpy(data + vs->offset, b, vs->size);
#endif
			return;
		}
	}
bad:
	fprintf(stderr, "load-verdicts: --set %s: no such integer .rodata variable, or not NAME=INTEGER\n", arg);
	exit(1);
}

/* libbpf-tools user-space settings (see the header comment); NULL if none apply, else the
 * reason the whole object cannot be judged. */
static char *apply_tool_setup(struct bpf_object *obj)
{
	const char *base = strrchr(obj_path, '/');
	char tool[256];
	struct bpf_map *map;

	base = base ? base + 1 : obj_path;
	snprintf(tool, sizeof(tool), "%s", base);
	char *dot = strchr(tool, '.');
	if (dot)
		*dot = 0;
	bool stacks = !strcmp(tool, "capable") || !strcmp(tool, "offcputime") || !strcmp(tool, "wakeuptime");
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		if (stacks && !strcmp(name, "stackmap")) {
			bpf_map__set_value_size(map, 127 * sizeof(unsigned long));
			bpf_map__set_max_entries(map, 1024);
		}
		if (!strcmp(tool, "cpudist") && !strcmp(name, "start")) {
			unsigned pid_max = 32768;
			FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
			if (f) {
				if (fscanf(f, "%u", &pid_max) != 1)
					pid_max = 32768;
				fclose(f);
			}
			bpf_map__set_max_entries(map, pid_max);
		}
		if (!strcmp(tool, "cpudist") && !strcmp(name, "hists"))
			bpf_map__set_max_entries(map, 1);
	}
	bpf_object__for_each_map(map, obj) {
		enum bpf_map_type t = bpf_map__type(map);
		char *why = NULL;
		if (bpf_map__autocreate(map) && t != BPF_MAP_TYPE_PERF_EVENT_ARRAY && !bpf_map__max_entries(map) &&
		    !bpf_map__is_internal(map) && t != BPF_MAP_TYPE_STRUCT_OPS)
			asprintf(&why, "map %s has no max_entries (set by user space)", bpf_map__name(map));
		else if (t == BPF_MAP_TYPE_STACK_TRACE && !bpf_map__value_size(map))
			asprintf(&why, "map %s has no value size (set by user space)", bpf_map__name(map));
		if (why)
			return why;
	}
	return NULL;
}

static struct bpf_object *open_obj(char **obj_artifact)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct bpf_object *obj = bpf_object__open_file(obj_path, &opts);
	if (!obj) {
		fprintf(stderr, "load-verdicts: cannot open %s: %s\n", obj_path, strerror(errno));
		printf("object open-failed %s\n", strerror(errno));
		exit(2);
	}
	for (int k = 0; k < n_set; k++)
		apply_set(obj, set_arg[k]);
	if (tool_setup) {
		char *why = apply_tool_setup(obj);
		if (obj_artifact)
			*obj_artifact = why;
	}
	return obj;
}

static void reset_log(void)
{
	log_len = 0;
	if (log_buf)
		log_buf[0] = 0;
}

/* Without a verifier log (libbpf refused before or around the load: attach target, kfunc, ...):
 * libbpf's first "prog '<name>': ..." line that says fail/error, other than "failed to load".
 * Only with --tool-setup, so the older goldens' lines stay as they were. */
/* The first (last: the last) libbpf line starting with prefix and containing word, leaving out
 * the summary lines and libbpf's optional-step notes. */
static char *first_line(const char *prefix, const char *word, bool last)
{
	char *found = NULL;

	for (const char *p = log_buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len);
		if (!strncmp(line, prefix, strlen(prefix)) && strstr(line, word) &&
		    !strstr(line, ": failed to load: ") && !strstr(line, "failed to load object") &&
		    !strstr(line, "w/ invalid insn") && !strstr(line, "skipping optional step")) {
			if (!last)
				return line;
			free(found);
			found = line;
		} else {
			free(line);
		}
		p = nl ? nl + 1 : p + len;
	}
	return found;
}

static char *libbpf_reason(struct bpf_object *obj, int hit)
{
	static const char *words[] = { "fail", "error", "invalid", "unsupported", "not supported", "not found",
				       "can't", "cannot", "" };
	/* hit < 0: the object failed as a whole; libbpf's last complaint before giving up */
	struct bpf_program *prog;
	char want[512] = "libbpf: ";
	int i = 0;

	bpf_object__for_each_program(prog, obj) {
		if (i++ == hit)
			snprintf(want, sizeof(want), "libbpf: prog '%s': ", bpf_program__name(prog));
	}
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		char *line = first_line(want, words[w], hit < 0);
		if (line)
			return line + 8;
	}
	return NULL;
}

/* The verdict of the program libbpf names in "prog '<name>': failed to load" after a failed
 * bpf_object__load (or NULL, *hit = -1: the object failed before its programs). */
static char *failure(struct bpf_object *obj, int err, int *hit, const bool *skip)
{
	char *failed = line_with("': failed to load: ");
	struct bpf_program *prog;
	char *v = NULL;
	int i = 0;

	*hit = -1;
	bpf_object__for_each_program(prog, obj) {
		char want[512];

		snprintf(want, sizeof(want), "prog '%s': failed to load: ", bpf_program__name(prog));
		if (failed && strncmp(failed, want, strlen(want)) == 0 && (!skip || !skip[i]))
			*hit = i;
		i++;
	}
	if (*hit < 0)
		return NULL;
	char *core = line_with("failed to resolve CO-RE relocation ");
	if (core) {
		asprintf(&v, "fails-core %s", core);
	} else {
		char *why = verifier_reason();
		if (!why && tool_setup)
			why = libbpf_reason(obj, *hit);
		asprintf(&v, "fails-other %d %s", err, why ? why : failed);
	}
	return v;
}

static bool is_artifact_prog(struct bpf_program *prog, char **why)
{
	const char *sec = bpf_program__section_name(prog);
	const char *slash = sec ? strchr(sec, '/') : NULL;

	if (!tool_setup || bpf_program__type(prog) != BPF_PROG_TYPE_TRACING || !slash ||
	    strncmp(slash + 1, "dummy_", 6) != 0)
		return false;
	asprintf(why, "artifact attach target %s is replaced by user space at run time", slash + 1);
	return true;
}

int main(int argc, char **argv)
{
	const char *exclude[16];
	int n_exclude = 0;
	bool whole = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--btf") == 0 && i + 1 < argc) {
			btf_path = argv[++i];
		} else if (strcmp(argv[i], "--exclude-type") == 0 && i + 1 < argc && n_exclude < 16) {
			exclude[n_exclude++] = argv[++i];
		} else if (strcmp(argv[i], "--tool-setup") == 0) {
			tool_setup = true;
		} else if (strcmp(argv[i], "--whole") == 0) {
			whole = true;
		} else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc && n_set < MAX_SETS) {
			set_arg[n_set++] = argv[++i];
		} else if (argv[i][0] == '-') {
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
	libbpf_set_print(collect);

	char *verdict[MAX_PROGS] = {};
	bool off[MAX_PROGS] = {};
	int attempts = 0, loads = 0;
	char *obj_artifact = NULL;

	/* fixed verdicts: not-loaded, excluded, artifact */
	{
		struct bpf_object *obj = open_obj(&obj_artifact);
		struct bpf_program *prog;
		int i = 0;
		bpf_object__for_each_program(prog, obj) {
			if (i >= MAX_PROGS)
				return 2;
			const char *type = libbpf_bpf_prog_type_str(bpf_program__type(prog));
			char *why = NULL;
			if (!bpf_program__autoload(prog))
				verdict[i] = strdup("not-loaded");
			for (int k = 0; k < n_exclude && !verdict[i]; k++)
				if (type && strcmp(type, exclude[k]) == 0)
					asprintf(&verdict[i], "excluded %s", type);
			if (!verdict[i] && obj_artifact)
				asprintf(&verdict[i], "artifact %s", obj_artifact);
			if (!verdict[i] && is_artifact_prog(prog, &why))
				verdict[i] = why;
			i++;
		}
		bpf_object__close(obj);
	}

	if (whole) {
		reset_log();
		struct bpf_object *obj = open_obj(NULL);
		struct bpf_program *prog;
		int i = 0, on = 0;
		bpf_object__for_each_program(prog, obj) {
			bpf_program__set_autoload(prog, !verdict[i]);
			on += !verdict[i];
			i++;
		}
		if (obj_artifact) {
			printf("object artifact %s\n", obj_artifact);
		} else if (on == 0) {
			printf("object none no program to load\n");
		} else {
			int err = bpf_object__load(obj);
			char *core_err = err ? line_with("failed to perform CO-RE relocations") : NULL;
			int hit;
			char *v = err && !core_err ? failure(obj, err, &hit, NULL) : NULL;
			if (!err) {
				printf("object loads\n");
			} else if (core_err) {
				char *why = line_with("failed to relocate: ");
				printf("object core-error %s\n", why ? why : core_err);
			} else if (v) {
				char *sp = strchr(v, ' ');
				const char *pname = NULL;
				i = 0;
				bpf_object__for_each_program(prog, obj) {
					if (i++ == hit)
						pname = bpf_program__name(prog);
				}
				/* "<kind> <prog>: <detail>"; for fails-other keep the errno first */
				if (!strncmp(v, "fails-other ", 12)) {
					char *sp2 = strchr(sp + 1, ' ');
					printf("object fails-other %.*s %s: %s\n", (int)(sp2 - sp - 1), sp + 1, pname,
					       sp2 + 1);
				} else {
					printf("object %.*s %s: %s\n", (int)(sp - v), v, pname, sp + 1);
				}
			} else {
				char *why = libbpf_reason(obj, -1);
				if (!why)
					why = line_with("failed to load object");
				printf("object fails-other %d %s\n", err, why ? why : "object load failed");
			}
		}
		bpf_object__close(obj);
	}

	for (;;) {
		reset_log();
		struct bpf_object *obj = open_obj(NULL);
		struct bpf_program *prog;
		int i = 0, on = 0;
		bpf_object__for_each_program(prog, obj) {
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
		int hit;
		char *v = failure(obj, err, &hit, off);
		if (hit < 0 || verdict[hit]) {
			/* the object failed before its programs (maps, BTF, externs): all of them */
			char *why = tool_setup ? libbpf_reason(obj, -1) : NULL;
			if (!why)
				why = line_with("failed to load object");
			i = 0;
			bpf_object__for_each_program(prog, obj) {
				if (!verdict[i] && !off[i])
					asprintf(&verdict[i], "fails-other %d %s", err, why ? why : "object load failed");
				i++;
			}
			bpf_object__close(obj);
			break;
		}
		verdict[hit] = v;
		off[hit] = true;
		bpf_object__close(obj);
	}

	struct bpf_object *obj = open_obj(NULL);
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

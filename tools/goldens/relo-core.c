// SPDX-License-Identifier: Apache-2.0
/*
 * relo-core — ground-truth harness for objects libbpf's loader refuses (the other byte order):
 * run libbpf 1.5's own CO-RE step (relo_core.c + btf.c, statically linked) directly, without
 * bpf_object__open/load, on a BPF object of either endianness.
 *
 *   relo-core <object.o> --list [--keep-going]
 *   relo-core <object.o> --btf <target-btf> [--module <ko>]... [--all-insns] [--host-order object|le|be]
 *   relo-core --bench [--reparse] --btf <target-btf>... <object.o>...
 *
 * What it mirrors (libbpf.c of linux-source-6.12 = libbpf 1.5):
 *   programs      bpf_object__elf_collect + bpf_object__add_programs: every STT_FUNC symbol of
 *                 every non-empty SHT_PROGBITS|SHF_EXECINSTR section (same section filter),
 *                 sorted by (section index, instruction offset) like cmp_progs; a record
 *                 belongs to the program covering its instruction (find_prog_by_sec_insn);
 *                 every program counts as autoloaded (as in relo-log).
 *   local BTF     btf__new(.BTF) + btf__set_pointer_size(8), as bpf_object__init_btf (btf__new
 *                 byte-swaps foreign-endian BTF itself).  .BTF.ext through btf_ext__new; libbpf
 *                 1.5 refuses foreign-endian .BTF.ext ("BTF.ext in non-native endianness is not
 *                 supported", so btf__parse_elf fails on big-endian objects), so relo-core
 *                 byte-swaps it first: header, then per info subsection the u32 rec_size,
 *                 sec_name_off, num_info words and every u32 field of the records (rec_size must
 *                 equal the minimum, as later libbpf requires for foreign-endian input), and
 *                 hands the native copy to btf_ext__new, which validates it as usual.
 *                 .BTF.ext block -> ELF section: first section of that name (elf_sec_by_name).
 *   CO-RE loop    bpf_object__relocate_core: per .BTF.ext core_relo block in file order,
 *                 "sec '%s': found %d CO-RE relocations", per record the alignment / range /
 *                 LDIMM64-truncation checks, "skipping CO-RE relocation" for instructions no
 *                 program covers, then bpf_core_resolve_relo (candidate cache per local type
 *                 id, bpf_core_find_cands against the target BTF only, as with btf_custom_path
 *                 (no module BTFs), pruned by bpf_core_calc_relo_insn through its cands
 *                 argument) and bpf_core_patch_insn on the program's own instructions.  The
 *                 first error stops everything, with libbpf's messages ("failed to relocate",
 *                 "failed to patch insn", "failed to perform CO-RE relocations").
 *   instructions  bpf_core_patch_insn works on struct bpf_insn in host order.  For an object
 *                 of the other byte order every program is converted to host order first
 *                 (dst/src register nibbles exchanged, off and imm byte-swapped, as later
 *                 libbpf's bpf_insn_bswap), patched, and converted back for printing.
 *   host order    relo_core.c computes LSHIFT_U64 by the byte order of the machine libbpf runs
 *                 on (#if __BYTE_ORDER__), which for a loadable object is the object's order.
 *                 relo-core links libbpf's relo_core.o (little-endian rules) and a copy built
 *                 with the big-endian branch (symbols behost_*, see build-relo-core.sh) and by
 *                 default uses the rules of the object's byte order (= libbpf on s390x for a
 *                 big-endian object); --host-order le|be forces one.  Nothing else differs.
 *
 * --list   relocation list, no target: the CO-RE loop up to the local spec.  Per record, the
 *          checks libbpf makes before it prints the local spec and that do not depend on the
 *          target: the local type must exist, a non-TYPE_ID_LOCAL relocation on an anonymous
 *          type fails the candidate search ("target candidate search failed ...: -22"), then
 *          bpf_core_parse_spec; on failure libbpf's "parsing ... failed" message; else
 *          bpf_core_format_spec -> "prog '%s': relo #%d: %s".  Stops at the first of these
 *          (hard) errors as libbpf does, unless --keep-going.  Output: libbpf's lines only
 *          (prefix "libbpf: " removed), i.e. the lines relos_golden.py turns into a golden.
 * --btf    full CO-RE outcome against <target-btf> (btf__parse: raw BTF or ELF with .BTF, either
 *          byte order):
 *            == relo-core: object <path> <le|be> target <path> host-order <le|be>
 *            every libbpf message of the CO-RE step (all levels, "libbpf: " removed)
 *            == relo-core: result <err> (<strerror>)       0 = every relocation applied
 *            insn <prog> <idx> <16 hex digits>             each instruction CO-RE patched
 *                                                          (both slots of an ldimm64), in the
 *                                                          object's byte order, programs in
 *                                                          libbpf order, idx program-relative
 *            == relo-core: end
 *          With --all-insns every instruction of every program (.text subprograms included)
 *          is printed, patched or not.  --module adds a module's split BTF (a .ko file, parsed
 *          with btf__parse_split on the target) to the candidate search, as libbpf searches
 *          the running kernel's modules: only when vmlinux has no candidate (see find_cands).
 * --bench  see bench() below.
 *
 * Not mirrored: the rest of bpf_object__open (legacy "maps", static programs, externs, ...
 * would make libbpf refuse some objects before CO-RE) and autoload=false programs.
 *
 * Exit status: 0 when the harness ran (whatever libbpf decided), 1 usage, 2 harness failure
 * (unreadable ELF, no symbol table, ...).
 *
 * Built by tools/goldens/build-relo-core.sh into .cache/bin/relo-core.
 */
#define _GNU_SOURCE /* vasprintf */
#include <byteswap.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libbpf.h"
#include "btf.h"
#include "relo_core.h"
#include "libbpf_internal.h"
#include "libbpf-lines.h"

#define BPF_INSN_SZ (sizeof(struct bpf_insn)) /* as libbpf.c */

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("relo-core: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ---- the object ------------------------------------------------------------------------- */

struct prog {
	char *name;
	size_t sec_idx;
	size_t sec_insn_off;
	size_t insns_cnt;
	struct bpf_insn *insns; /* host byte order, patched in place */
	bool *patched;
};

static struct prog *progs;
static size_t nr_progs;
static bool swapped; /* object byte order != host byte order */

/* relo_core.c compiled as on a big-endian host (build-relo-core.sh: the LSHIFT_U64 formula is
 * the only difference), global symbols renamed behost_* */
int behost_bpf_core_calc_relo_insn(const char *prog_name, const struct bpf_core_relo *relo,
				   int relo_idx, const struct btf *local_btf,
				   struct bpf_core_cand_list *cands,
				   struct bpf_core_spec *specs_scratch,
				   struct bpf_core_relo_res *targ_res);
int behost_bpf_core_patch_insn(const char *prog_name, struct bpf_insn *insn, int insn_idx,
			       const struct bpf_core_relo *relo, int relo_idx,
			       const struct bpf_core_relo_res *res);
static bool host_le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
static bool rules_le; /* byte order whose libbpf rules apply (--host-order) */

static void insn_bswap(struct bpf_insn *insn)
{
	__u8 r = insn->dst_reg;

	insn->dst_reg = insn->src_reg;
	insn->src_reg = r;
	insn->off = (__s16)bswap_16((__u16)insn->off);
	insn->imm = (__s32)bswap_32((__u32)insn->imm);
}

static int cmp_progs(const void *_a, const void *_b)
{
	const struct prog *a = _a, *b = _b;

	if (a->sec_idx != b->sec_idx)
		return a->sec_idx < b->sec_idx ? -1 : 1;
	return a->sec_insn_off < b->sec_insn_off ? -1 : (a->sec_insn_off > b->sec_insn_off);
}

/* find_prog_by_sec_insn (libbpf.c), same binary search */
static struct prog *find_prog(size_t sec_idx, size_t insn_idx)
{
	int l = 0, r = (int)nr_progs - 1, m;
	struct prog *p;

	if (!nr_progs)
		return NULL;
	while (l < r) {
		m = l + (r - l + 1) / 2;
		p = &progs[m];
		if (p->sec_idx < sec_idx || (p->sec_idx == sec_idx && p->sec_insn_off <= insn_idx))
			l = m;
		else
			r = m - 1;
	}
	p = &progs[l];
	if (p->sec_idx == sec_idx && insn_idx >= p->sec_insn_off &&
	    insn_idx < p->sec_insn_off + p->insns_cnt)
		return p;
	return NULL;
}

/* ignore_elf_section (libbpf.c) */
static bool ignore_section(const GElf_Shdr *sh, const char *name)
{
	if (sh->sh_type == SHT_STRTAB)
		return true;
	if (sh->sh_type == SHT_LLVM_ADDRSIG)
		return true;
	if (sh->sh_type == SHT_PROGBITS && sh->sh_size == 0 && strcmp(name, ".text") == 0)
		return true;
	if (strncmp(name, ".debug_", 7) == 0)
		return true;
	if (strncmp(name, ".rel", 4) == 0) {
		name += 4;
		if (strncmp(name, ".debug_", 7) == 0)
			return true;
		if (strcmp(name, ".BTF") == 0 || strcmp(name, ".BTF.ext") == 0)
			return true;
	}
	return false;
}

static void add_programs(Elf *elf, Elf_Data *syms, size_t strtabidx, size_t sec_idx,
			 const char *sec_name, Elf_Data *data)
{
	size_t nsyms = syms->d_size / sizeof(Elf64_Sym);

	for (size_t i = 0; i < nsyms; i++) {
		GElf_Sym sym;

		if (!gelf_getsym(syms, (int)i, &sym))
			die("cannot read symbol #%zu", i);
		if (sym.st_shndx != sec_idx || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		const char *name = elf_strptr(elf, strtabidx, sym.st_name);
		if (!name)
			die("sec '%s': failed to get symbol name for offset %zu", sec_name,
			    (size_t)sym.st_value);
		size_t off = sym.st_value, sz = sym.st_size;
		if (off + sz > data->d_size || off + sz < off)
			die("sec '%s': program at offset %zu crosses section boundary", sec_name, off);

		progs = realloc(progs, (nr_progs + 1) * sizeof(*progs));
		if (!progs)
			die("out of memory");
		struct prog *p = &progs[nr_progs++];
		p->name = strdup(name);
		p->sec_idx = sec_idx;
		p->sec_insn_off = off / BPF_INSN_SZ;
		p->insns_cnt = sz / BPF_INSN_SZ;
		p->insns = calloc(p->insns_cnt + 1, sizeof(*p->insns));
		p->patched = calloc(p->insns_cnt + 1, sizeof(*p->patched));
		if (!p->name || !p->insns || !p->patched)
			die("out of memory");
		memcpy(p->insns, (char *)data->d_buf + off, p->insns_cnt * BPF_INSN_SZ);
		if (swapped)
			for (size_t k = 0; k < p->insns_cnt; k++)
				insn_bswap(&p->insns[k]);
	}
}

/* ---- .BTF.ext of the other byte order ---------------------------------------------------- */

static __u32 rd32(const __u8 *p)
{
	__u32 v;

	memcpy(&v, p, 4);
	return v;
}

static void sw32(__u8 *p)
{
	__u32 v = bswap_32(rd32(p));

	memcpy(p, &v, 4);
}

/* one info subsection (func_info / line_info / core_relo): validate the layout read in the
 * foreign order, then swap every u32 word of it */
static int bswap_ext_info(__u8 *data, __u32 size, __u32 hdr_len, __u32 off, __u32 len,
			  __u32 min_rec_size)
{
	if (len == 0)
		return 0;
	if (off % 4 || (__u64)hdr_len + off + len > size || len < 4)
		return -EINVAL;
	__u8 *p = data + hdr_len + off, *end = p + len;
	__u32 rec_size = bswap_32(rd32(p));
	if (rec_size != min_rec_size)
		return -EINVAL;
	sw32(p);
	p += 4;
	if (p == end)
		return -EINVAL;
	while (p < end) {
		if (end - p < 8)
			return -EINVAL;
		__u32 num = bswap_32(rd32(p + 4));
		if (num == 0 || (__u64)(end - p - 8) < (__u64)num * rec_size)
			return -EINVAL;
		sw32(p);
		sw32(p + 4);
		p += 8;
		for (__u64 k = 0; k < (__u64)num * rec_size; k += 4)
			sw32(p + k);
		p += (__u64)num * rec_size;
	}
	return 0;
}

/* returns a malloc'd native-order copy of a foreign-order .BTF.ext, or NULL (errno set) */
static __u8 *bswap_btf_ext(const __u8 *src, __u32 size)
{
	__u8 *d;
	__u32 hdr_len, w[6] = {};
	int err;

	if (size < 8) {
		errno = EINVAL;
		return NULL;
	}
	d = malloc(size);
	if (!d)
		return NULL;
	memcpy(d, src, size);
	hdr_len = bswap_32(rd32(d + 4));
	if (hdr_len < 24 || hdr_len > size || hdr_len % 4) {
		free(d);
		errno = EINVAL;
		return NULL;
	}
	/* magic, hdr_len, then the u32 offset/length words the header holds */
	__u16 magic = bswap_16(*(__u16 *)d);
	memcpy(d, &magic, 2);
	sw32(d + 4);
	for (__u32 o = 8; o + 4 <= hdr_len; o += 4)
		sw32(d + o);
	for (int i = 0; i < 6 && 8 + 4 * (__u32)i + 4 <= hdr_len; i++)
		w[i] = rd32(d + 8 + 4 * i);
	err = bswap_ext_info(d, size, hdr_len, w[0], w[1], sizeof(struct bpf_func_info_min));
	if (!err)
		err = bswap_ext_info(d, size, hdr_len, w[2], w[3], sizeof(struct bpf_line_info_min));
	if (!err && hdr_len >= 32)
		err = bswap_ext_info(d, size, hdr_len, w[4], w[5], sizeof(struct bpf_core_relo));
	if (err) {
		free(d);
		errno = -err;
		return NULL;
	}
	return d;
}

/* ---- CO-RE ------------------------------------------------------------------------------ */

/* --module: module BTFs (split on the target), in the order given, named as libbpf names them */
struct module_btf {
	struct btf *btf;
	char *name;
};
static struct module_btf *modules;
static int nr_modules;

/* bpf_core_find_cands (libbpf.c): vmlinux (the target, as btf_vmlinux_override) first; module
 * BTFs only when vmlinux has no candidate.  libbpf never consults modules when btf_custom_path is
 * set; with --module this is the search it makes on a running kernel (load_module_btfs), over the
 * given modules instead of the loaded ones: every module's own types (from btf__type_cnt of
 * vmlinux), all candidates of all modules accumulated. */
static struct bpf_core_cand_list *find_cands(const struct btf *local_btf, __u32 local_id,
					     const struct btf *targ_btf)
{
	struct bpf_core_cand local_cand = { .btf = local_btf, .id = local_id };
	struct bpf_core_cand_list *cands;
	const struct btf_type *local_t = btf__type_by_id(local_btf, local_id);
	const char *local_name;
	int err;

	if (!local_t)
		return ERR_PTR(-EINVAL);
	local_name = btf__name_by_offset(local_btf, local_t->name_off);
	if (str_is_empty(local_name))
		return ERR_PTR(-EINVAL);
	cands = calloc(1, sizeof(*cands));
	if (!cands)
		return ERR_PTR(-ENOMEM);
	err = bpf_core_add_cands(&local_cand, bpf_core_essential_name_len(local_name), targ_btf,
				 "vmlinux", 1, cands);
	if (!err && !cands->len) {
		for (int i = 0; !err && i < nr_modules; i++)
			err = bpf_core_add_cands(&local_cand, bpf_core_essential_name_len(local_name),
						 modules[i].btf, modules[i].name,
						 btf__type_cnt(targ_btf), cands);
	}
	if (err) {
		bpf_core_free_cands(cands);
		return ERR_PTR(err);
	}
	return cands;
}

struct cache_ent {
	bool present;
	struct bpf_core_cand_list *cands;
};

/* bpf_core_resolve_relo (libbpf.c); cache indexed by local type id instead of a hashmap */
static int resolve_relo(const char *prog_name, const struct bpf_core_relo *relo, int relo_idx,
			const struct btf *local_btf, const struct btf *targ_btf,
			struct cache_ent *cache, struct bpf_core_relo_res *targ_res)
{
	struct bpf_core_spec specs_scratch[3] = {};
	struct bpf_core_cand_list *cands = NULL;
	const struct btf_type *local_type;
	const char *local_name;
	__u32 local_id = relo->type_id;

	local_type = btf__type_by_id(local_btf, local_id);
	if (!local_type)
		return -EINVAL;
	local_name = btf__name_by_offset(local_btf, local_type->name_off);
	if (!local_name)
		return -EINVAL;

	if (relo->kind != BPF_CORE_TYPE_ID_LOCAL) {
		if (cache[local_id].present) {
			cands = cache[local_id].cands;
		} else {
			cands = find_cands(local_btf, local_id, targ_btf);
			if (IS_ERR(cands)) {
				pr_warn("prog '%s': relo #%d: target candidate search failed for [%d] %s %s: %ld\n",
					prog_name, relo_idx, local_id, btf_kind_str(local_type),
					local_name, PTR_ERR(cands));
				return PTR_ERR(cands);
			}
			cache[local_id].present = true;
			cache[local_id].cands = cands;
		}
	}
	return (rules_le ? bpf_core_calc_relo_insn : behost_bpf_core_calc_relo_insn)(
		prog_name, relo, relo_idx, local_btf, cands, specs_scratch, targ_res);
}

/* --list: what bpf_core_resolve_relo + bpf_core_calc_relo_insn do up to the local spec line
 * that does not depend on the target */
static int list_relo(const char *prog_name, const struct bpf_core_relo *relo, int relo_idx,
		     const struct btf *local_btf)
{
	struct bpf_core_spec spec = {};
	const struct btf_type *local_type;
	const char *local_name;
	char buf[256];
	__u32 local_id = relo->type_id;
	int err;

	local_type = btf__type_by_id(local_btf, local_id);
	if (!local_type)
		return -EINVAL;
	local_name = btf__name_by_offset(local_btf, local_type->name_off);
	if (!local_name)
		return -EINVAL;
	if (relo->kind != BPF_CORE_TYPE_ID_LOCAL && str_is_empty(local_name)) {
		pr_warn("prog '%s': relo #%d: target candidate search failed for [%d] %s %s: %ld\n",
			prog_name, relo_idx, local_id, btf_kind_str(local_type), local_name,
			(long)-EINVAL);
		return -EINVAL;
	}
	err = bpf_core_parse_spec(prog_name, local_btf, relo, &spec);
	if (err) {
		const char *spec_str = btf__name_by_offset(local_btf, relo->access_str_off);

		pr_warn("prog '%s': relo #%d: parsing [%d] %s %s + %s failed: %d\n",
			prog_name, relo_idx, local_id, btf_kind_str(local_type),
			str_is_empty(local_name) ? "<anon>" : local_name, spec_str ?: "<?>", err);
		return -EINVAL;
	}
	bpf_core_format_spec(buf, sizeof(buf), &spec);
	pr_debug("prog '%s': relo #%d: %s\n", prog_name, relo_idx, buf);
	return 0;
}

/* bpf_object__relocate_core (+ the "failed to perform" line of bpf_object__relocate) */
static long bench_relos; /* relocations resolved and patched (--bench) */

static int relocate_core(const struct btf *btf, const struct btf_ext *ext, const size_t *sec_idxs,
			 const char *targ_path, struct btf *targ_pre, bool list, bool keep_going)
{
	const struct btf_ext_info *seg = &ext->core_relo_info;
	const struct btf_ext_info_sec *sec;
	const struct bpf_core_relo *rec;
	struct bpf_core_relo_res targ_res;
	struct btf *targ = NULL;
	struct cache_ent *cache = NULL;
	int i, err = 0, sec_num = 0, first_err = 0;

	if (seg->len == 0)
		return 0;
	if (!list && targ_pre) {
		targ = targ_pre;
	} else if (!list) {
		targ = btf__parse(targ_path, NULL);
		err = libbpf_get_error(targ);
		if (err) {
			targ = NULL;
			pr_warn("failed to parse target BTF: %d\n", err);
			goto out;
		}
	}
	for (int i = 0; !list && i < nr_modules; i++) {
		if (modules[i].btf)
			continue;
		modules[i].btf = btf__parse_split(modules[i].name, targ);
		if (libbpf_get_error(modules[i].btf))
			die("cannot parse module BTF %s on %s", modules[i].name, targ_path);
		/* libbpf names a module BTF by the module's name: the file name without .ko,
		 * '-' as '_' (the kernel's KBUILD_MODNAME) */
		char *base = strrchr(modules[i].name, '/');
		char *name = strdup(base ? base + 1 : modules[i].name);
		char *dot = name ? strstr(name, ".ko") : NULL;

		if (!name)
			die("out of memory");
		if (dot)
			*dot = 0;
		for (char *c = name; *c; c++)
			if (*c == '-')
				*c = '_';
		modules[i].name = name;
	}
	if (!list) {
		cache = calloc(btf__type_cnt(btf), sizeof(*cache));
		if (!cache)
			die("out of memory");
	}

	for_each_btf_ext_sec(seg, sec) {
		size_t sec_idx = sec_idxs[sec_num++];
		const char *sec_name = btf__name_by_offset(btf, sec->sec_name_off);

		if (str_is_empty(sec_name)) {
			err = -EINVAL;
			goto out;
		}
		pr_debug("sec '%s': found %d CO-RE relocations\n", sec_name, sec->num_info);

		for_each_btf_ext_rec(seg, sec, i, rec) {
			if (rec->insn_off % BPF_INSN_SZ) {
				err = -EINVAL;
				goto out;
			}
			int insn_idx = rec->insn_off / BPF_INSN_SZ;
			struct prog *prog = find_prog(sec_idx, insn_idx);

			if (!prog) {
				pr_debug("sec '%s': skipping CO-RE relocation #%d for insn #%d belonging to eliminated weak subprogram\n",
					 sec_name, i, insn_idx);
				continue;
			}
			insn_idx -= prog->sec_insn_off;
			if ((size_t)insn_idx >= prog->insns_cnt) {
				err = -EINVAL;
				goto out;
			}
			struct bpf_insn *insn = &prog->insns[insn_idx];

			if (is_ldimm64_insn(insn) && (size_t)insn_idx + 1 >= prog->insns_cnt) {
				pr_warn("prog '%s': relo #%d: insn #%d (LDIMM64) is truncated\n",
					prog->name, i, insn_idx);
				err = -EINVAL;
				goto out;
			}

			if (list) {
				err = list_relo(prog->name, rec, i, btf);
				if (err) {
					pr_warn("prog '%s': relo #%d: failed to relocate: %d\n",
						prog->name, i, err);
					if (!keep_going)
						goto out;
					if (!first_err)
						first_err = err;
					err = 0;
				}
				continue;
			}

			err = resolve_relo(prog->name, rec, i, btf, targ, cache, &targ_res);
			if (err) {
				pr_warn("prog '%s': relo #%d: failed to relocate: %d\n",
					prog->name, i, err);
				goto out;
			}
			bool ldimm64 = is_ldimm64_insn(insn);

			err = (rules_le ? bpf_core_patch_insn : behost_bpf_core_patch_insn)(
				prog->name, insn, insn_idx, rec, i, &targ_res);
			/* mark what bpf_core_patch_insn may have written, even on failure (both
			 * slots of an ldimm64; poisoning rewrites only the first) */
			prog->patched[insn_idx] = true;
			if (ldimm64)
				prog->patched[insn_idx + 1] = true;
			if (err) {
				pr_warn("prog '%s': relo #%d: failed to patch insn #%u: %d\n",
					prog->name, i, insn_idx, err);
				goto out;
			}
			bench_relos++;
		}
	}
out:
	if (!err)
		err = first_err;
	if (err)
		pr_warn("failed to perform CO-RE relocations: %d\n", err);
	if (targ != targ_pre)
		btf__free(targ);
	if (cache) {
		for (__u32 k = 0; k < btf__type_cnt(btf); k++)
			if (cache[k].present)
				bpf_core_free_cands(cache[k].cands);
		free(cache);
	}
	return err;
}

/* ---- main ------------------------------------------------------------------------------- */

/* one object against one target (targ_pre: already parsed, else targ_path is parsed), or its
 * relocation list (list); quiet prints nothing but libbpf's messages */
static int process_object(const char *obj_path, const char *targ_path, struct btf *targ_pre,
			  const char *host_order, bool list, bool keep_going, bool all_insns, bool quiet)
{
	/* ---- ELF ---- */
	if (elf_version(EV_CURRENT) == EV_NONE)
		die("libelf init failed");
	int fd = open(obj_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s: %s", obj_path, strerror(errno));
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		die("%s is not an ELF file: %s", obj_path, elf_errmsg(-1));
	if (gelf_getclass(elf) != ELFCLASS64)
		die("%s is not a 64-bit ELF", obj_path);
	GElf_Ehdr ehdr;
	if (!gelf_getehdr(elf, &ehdr))
		die("%s: no ELF header: %s", obj_path, elf_errmsg(-1));
	if (ehdr.e_ident[EI_DATA] != ELFDATA2LSB && ehdr.e_ident[EI_DATA] != ELFDATA2MSB)
		die("%s: unknown ELF byte order", obj_path);
	bool obj_le = ehdr.e_ident[EI_DATA] == ELFDATA2LSB;
	swapped = obj_le != host_le;
	rules_le = strcmp(host_order, "object") == 0 ? obj_le : strcmp(host_order, "le") == 0;
	if (rules_le && !host_le)
		die("--host-order le needs a little-endian build host");
	size_t shstrndx, nsec;
	if (elf_getshdrstrndx(elf, &shstrndx) || elf_getshdrnum(elf, &nsec))
		die("%s: no section header string table", obj_path);

	Elf_Data *syms = NULL, *btf_data = NULL, *ext_data = NULL;
	size_t strtabidx = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			die("%s: bad section header", obj_path);
		if (sh.sh_type == SHT_SYMTAB) {
			if (syms)
				die("elf: multiple symbol tables in %s", obj_path);
			syms = elf_getdata(scn, NULL);
			strtabidx = sh.sh_link;
			if (!syms)
				die("%s: cannot read the symbol table", obj_path);
		}
	}
	if (!syms)
		die("elf: couldn't find symbol table in %s, stripped object file?", obj_path);

	scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			die("%s: bad section header", obj_path);
		if (ignore_section(&sh, name))
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data)
			die("%s: cannot read section %s", obj_path, name);
		if (strcmp(name, "license") == 0 || strcmp(name, "version") == 0 ||
		    strcmp(name, "maps") == 0 || strcmp(name, ".maps") == 0) {
			continue;
		} else if (strcmp(name, ".BTF") == 0) {
			if (sh.sh_type != SHT_PROGBITS)
				die("%s: .BTF is not PROGBITS", obj_path);
			btf_data = data;
		} else if (strcmp(name, ".BTF.ext") == 0) {
			if (sh.sh_type != SHT_PROGBITS)
				die("%s: .BTF.ext is not PROGBITS", obj_path);
			ext_data = data;
		} else if (sh.sh_type == SHT_PROGBITS && data->d_size > 0 &&
			   (sh.sh_flags & SHF_EXECINSTR)) {
			add_programs(elf, syms, strtabidx, elf_ndxscn(scn), name, data);
		}
	}
	if (nr_progs)
		qsort(progs, nr_progs, sizeof(*progs), cmp_progs);

	/* ---- BTF and .BTF.ext (bpf_object__init_btf) ---- */
	struct btf *btf = NULL;
	struct btf_ext *ext = NULL;
	size_t *sec_idxs = NULL;
	if (btf_data) {
		btf = btf__new(btf_data->d_buf, btf_data->d_size);
		int err = libbpf_get_error(btf);
		if (err) {
			btf = NULL;
			pr_warn("Error loading ELF section %s: %d.\n", BTF_ELF_SEC, err);
		} else {
			btf__set_pointer_size(btf, 8);
		}
	}
	if (ext_data && !btf) {
		pr_debug("Ignore ELF section %s because its depending ELF section %s is not found.\n",
			 BTF_EXT_ELF_SEC, BTF_ELF_SEC);
	} else if (ext_data) {
		const __u8 *raw = ext_data->d_buf;
		__u8 *native = NULL;
		int err = 0;

		if (ext_data->d_size >= 2 && *(const __u16 *)raw == bswap_16(BTF_MAGIC)) {
			native = bswap_btf_ext(raw, ext_data->d_size);
			if (!native)
				err = -errno;
			raw = native;
		}
		if (!err) {
			ext = btf_ext__new(raw, ext_data->d_size);
			err = libbpf_get_error(ext);
		}
		free(native);
		if (err) {
			ext = NULL;
			pr_warn("Error loading ELF section %s: %d. Ignored and continue.\n",
				BTF_EXT_ELF_SEC, err);
		}
	}
	if (ext && ext->core_relo_info.sec_cnt) {
		const struct btf_ext_info *seg = &ext->core_relo_info;
		const struct btf_ext_info_sec *sec;
		int k = 0;

		sec_idxs = calloc(seg->sec_cnt, sizeof(*sec_idxs));
		if (!sec_idxs)
			die("out of memory");
		for_each_btf_ext_sec(seg, sec) {
			const char *sec_name = btf__name_by_offset(btf, sec->sec_name_off);

			k++;
			if (str_is_empty(sec_name))
				continue;
			/* elf_sec_by_name: first section with that name */
			Elf_Scn *s = NULL;
			while ((s = elf_nextscn(elf, s)) != NULL) {
				GElf_Shdr sh;
				const char *n;

				if (!gelf_getshdr(s, &sh) || !(n = elf_strptr(elf, shstrndx, sh.sh_name)))
					break;
				if (strcmp(n, sec_name) == 0) {
					sec_idxs[k - 1] = elf_ndxscn(s);
					break;
				}
			}
		}
	}

	/* ---- CO-RE ---- */
	int err = 0;
	if (!list && !quiet)
		printf("== relo-core: object %s %s target %s host-order %s\n", obj_path,
		       obj_le ? "le" : "be", targ_path, rules_le ? "le" : "be");
	if (ext)
		err = relocate_core(btf, ext, sec_idxs, targ_path, targ_pre, list, keep_going);

	if (!list && !quiet) {
		printf("== relo-core: result %d (%s)\n", err, err ? strerror(-err) : "ok");
		for (size_t p = 0; p < nr_progs; p++) {
			struct prog *pr = &progs[p];

			for (size_t k = 0; k < pr->insns_cnt; k++) {
				if (!all_insns && !pr->patched[k])
					continue;
				struct bpf_insn insn = pr->insns[k];
				if (swapped)
					insn_bswap(&insn);
				const unsigned char *b = (const unsigned char *)&insn;
				printf("insn %s %zu %02x%02x%02x%02x%02x%02x%02x%02x\n", pr->name, k,
				       b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
			}
		}
		printf("== relo-core: end\n");
	}

	btf_ext__free(ext);
	btf__free(btf);
	free(sec_idxs);
	for (size_t p = 0; p < nr_progs; p++) {
		free(progs[p].name);
		free(progs[p].insns);
		free(progs[p].patched);
	}
	free(progs);
	progs = NULL;
	nr_progs = 0;
	elf_end(elf);
	close(fd);
	return err;
}

static void usage(void)
{
	fprintf(stderr, "usage: relo-core <object.o> --list [--keep-going]\n"
			"       relo-core <object.o> --btf <target-btf> [--module <ko>]... [--all-insns] [--host-order object|le|be]\n"
			"       relo-core --bench [--reparse] --btf <target-btf>... <object.o>...\n");
	exit(1);
}

/*
 * --bench: the libbpf side of bench/relocate-bench: every object against every target in one
 * process, libbpf printing nothing (no print callback, so it formats no message).  Each target is
 * parsed once and shared by all objects; --reparse parses it again for every object, as
 * bpf_object__load does with btf_custom_path.  Prints one summary line.
 */
static int bench(const char **targs, int ntargs, const char **objs, int nobjs, bool reparse)
{
	long pairs = 0, failed = 0;

	libbpf_set_print(NULL);
	for (int k = 0; k < ntargs; k++) {
		struct btf *targ = NULL;

		if (!reparse) {
			targ = btf__parse(targs[k], NULL);
			if (libbpf_get_error(targ))
				die("cannot parse target BTF %s", targs[k]);
		}
		for (int o = 0; o < nobjs; o++) {
			pairs++;
			if (process_object(objs[o], targs[k], targ, "object", false, false, false, true))
				failed++;
		}
		btf__free(targ);
	}
	printf("== relo-core: bench targets %d objects %d pairs %ld failed %ld relocations %ld\n",
	       ntargs, nobjs, pairs, failed, bench_relos);
	return 0;
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *targ_path = NULL, *host_order = "object";
	bool list = false, keep_going = false, all_insns = false, bench_mode = false, reparse = false;
	const char **targs = calloc(argc, sizeof(*targs)), **objs = calloc(argc, sizeof(*objs));
	int ntargs = 0, nobjs = 0;

	if (!targs || !objs)
		die("out of memory");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0) {
			list = true;
		} else if (strcmp(argv[i], "--keep-going") == 0) {
			keep_going = true;
		} else if (strcmp(argv[i], "--all-insns") == 0) {
			all_insns = true;
		} else if (strcmp(argv[i], "--bench") == 0) {
			bench_mode = true;
		} else if (strcmp(argv[i], "--reparse") == 0) {
			reparse = true;
		} else if (strcmp(argv[i], "--host-order") == 0) {
			if (++i >= argc)
				usage();
			host_order = argv[i];
			if (strcmp(host_order, "object") && strcmp(host_order, "le") &&
			    strcmp(host_order, "be"))
				usage();
		} else if (strcmp(argv[i], "--btf") == 0) {
			if (++i >= argc)
				usage();
			targ_path = targs[ntargs++] = argv[i];
		} else if (strcmp(argv[i], "--module") == 0) {
			if (++i >= argc)
				usage();
			modules = realloc(modules, (nr_modules + 1) * sizeof(*modules));
			if (!modules)
				die("out of memory");
			modules[nr_modules++] = (struct module_btf){ .btf = NULL, .name = argv[i] };
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage();
		} else {
			obj_path = objs[nobjs++] = argv[i];
		}
	}
	if (bench_mode) {
		if (list || keep_going || all_insns || !ntargs || !nobjs || nr_modules)
			usage();
		return bench(targs, ntargs, objs, nobjs, reparse);
	}
	if (nobjs != 1 || ntargs > 1 || reparse || (nr_modules && !targ_path) || list == !!targ_path || (keep_going && !list) ||
	    (all_insns && list))
		usage();

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf_lines);
	process_object(obj_path, targ_path, NULL, host_order, list, keep_going, all_insns, false);
	return 0;
}

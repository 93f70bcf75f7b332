// SPDX-License-Identifier: Apache-2.0
/*
 * selftests-autosize-btf — write the target BTF of the kernel selftest core_autosize as a
 * raw BTF file, built with libbpf's btf__add_* API exactly as
 * tools/testing/selftests/bpf/prog_tests/core_autosize.c (linux 6.12) builds it:
 *
 *   struct test_struct {            (BTF with 4-byte pointers)
 *       void *ptr;                  bit offset   0
 *       unsigned long val2;         bit offset  32  ("long unsigned int", 4 bytes)
 *       unsigned long long val1;    bit offset  64
 *       unsigned short val3;        bit offset 128
 *       unsigned char val4;         bit offset 144
 *   };                              20 bytes
 *
 *   selftests-autosize-btf <out.btf>
 *
 * Built and run by tools/goldens/build-selftests.sh (linked against the libbpf 1.5 build).
 * Exit 0 on success, 1 on any error (message on stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static int fail(const char *what, long err)
{
	fprintf(stderr, "selftests-autosize-btf: error: %s: %ld\n", what, err);
	return 1;
}

#define EXPECT_ID(expr, want)                                   \
	do {                                                    \
		int __id = (expr);                              \
		if (__id != (want))                             \
			return fail(#expr " (expected id " #want ")", __id); \
	} while (0)

int main(int argc, char **argv)
{
	struct btf *btf;
	const void *raw;
	__u32 raw_sz;
	FILE *f;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: selftests-autosize-btf <out.btf>\n");
		return 1;
	}
	btf = btf__new_empty();
	if (!btf)
		return fail("btf__new_empty", -errno);

	/* force 32-bit pointer size */
	err = btf__set_pointer_size(btf, 4);
	if (err)
		return fail("btf__set_pointer_size", err);

	EXPECT_ID(btf__add_int(btf, "unsigned char", 1, 0), 1);
	EXPECT_ID(btf__add_int(btf, "unsigned short", 2, 0), 2);
	/* "long unsigned int" of 4 byte size tells BTF that sizeof(void *) == 4 */
	EXPECT_ID(btf__add_int(btf, "long unsigned int", 4, 0), 3);
	EXPECT_ID(btf__add_int(btf, "unsigned long long", 8, 0), 4);
	EXPECT_ID(btf__add_ptr(btf, 0), 5);
	EXPECT_ID(btf__add_struct(btf, "test_struct", 20 /* bytes */), 6);
	err = btf__add_field(btf, "ptr", 5, 0, 0);
	err = err ?: btf__add_field(btf, "val2", 3, 32, 0);
	err = err ?: btf__add_field(btf, "val1", 4, 64, 0);
	err = err ?: btf__add_field(btf, "val3", 2, 128, 0);
	err = err ?: btf__add_field(btf, "val4", 1, 144, 0);
	if (err)
		return fail("btf__add_field", err);

	raw = btf__raw_data(btf, &raw_sz);
	if (!raw)
		return fail("btf__raw_data", -errno);
	f = fopen(argv[1], "wb");
	if (!f)
		return fail(argv[1], -errno);
	if (fwrite(raw, 1, raw_sz, f) != raw_sz || fclose(f) != 0)
		return fail("writing the BTF", -EIO);
	btf__free(btf);
	return 0;
}

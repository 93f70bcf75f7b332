/*
 * libbpf's messages, every level, as lines on stdout with libbpf's "libbpf: " prefix removed: the
 * print callback of the golden harnesses that dump libbpf's own log (relo-log.c, relo-core.c), so
 * that a golden holds the lines libbpf prints, one per line.
 *
 * Include after <bpf/libbpf.h> (or libbpf's "libbpf.h") with _GNU_SOURCE defined (vasprintf,
 * program_invocation_short_name); install with libbpf_set_print(print_libbpf_lines).
 */
#ifndef CORECHECK_LIBBPF_LINES_H
#define CORECHECK_LIBBPF_LINES_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print_libbpf_lines(enum libbpf_print_level level, const char *fmt, va_list args)
{
	static const char prefix[] = "libbpf: ";
	char *msg = NULL;
	int n = vasprintf(&msg, fmt, args);

	(void)level;
	if (n < 0) {
		fflush(stdout);
		fprintf(stderr, "%s: error: out of memory formatting a libbpf message\n", program_invocation_short_name);
		exit(2);
	}
	const char *p = msg;
	if (strncmp(p, prefix, sizeof(prefix) - 1) == 0)
		p += sizeof(prefix) - 1;
	fputs(p, stdout);
	if (n == 0 || msg[n - 1] != '\n')
		fputc('\n', stdout);
	free(msg);
	return n;
}

#endif

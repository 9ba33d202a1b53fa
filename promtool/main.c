/* Placeholder entry point; the table-driven CLI replaces it. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		puts("promtool (C reimplementation)");
		return 0;
	}
	fprintf(stderr, "promtool: error: expected command but got none, try --help\n");
	return 1;
}

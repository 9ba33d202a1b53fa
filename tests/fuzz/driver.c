/*
 * Standalone replay driver for the fuzz targets.  Each tests/fuzz/fuzz_X.c
 * defines LLVMFuzzerTestOneInput; linked with this file it becomes a program
 * that feeds it every file of the directories (or files) on its command line,
 * printing "PASS fuzz_X replay (N inputs)".  A crash or sanitizer report is
 * the failure.  Built with clang -fsanitize=fuzzer instead, the same target
 * file fuzzes for real.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, n;
	unsigned char chunk[65536];

	if (!f) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n > cap) {
			cap = (len + n) * 2;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		memcpy(data + len, chunk, n);
		len += n;
	}
	fclose(f);
	/* An exact-size heap copy so ASan sees reads past the end. */
	{
		unsigned char *exact = malloc(len ? len : 1);
		if (!exact)
			abort();
		if (len)
			memcpy(exact, data, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int count = 0, bad = 0;
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "cannot open '%s'\n", argv[i]);
			bad++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad += replay_file(argv[i]) != 0;
			count++;
			continue;
		}
		d = opendir(argv[i]);
		while (d && (de = readdir(d)) != NULL) {
			char path[4096];
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			bad += replay_file(path) != 0;
			count++;
		}
		if (d)
			closedir(d);
	}
	if (bad || count == 0) {
		printf("FAIL %s replay (%d inputs, %d unreadable)\n", name, count, bad);
		return 1;
	}
	printf("PASS %s replay (%d inputs)\n", name, count);
	return 0;
}

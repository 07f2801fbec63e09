/*
 * Corpus replay: links a fuzz target without libFuzzer and runs it over every file
 * of the directories given on the command line (the seed corpus), so CTest exercises
 * the parsers on every run, in every build (also ASan and valgrind).
 *
 * Every seed runs whole and then cut short at each of its first 4096 lengths.
 * TPD_REPLAY_PREFIX_STEP=N cuts it at every Nth length only (and one byte short):
 * scripts/valgrind-unit.sh uses 8, since valgrind runs the cuts about 50 times slower
 * than the sanitizer builds, which still run every one.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t s_prefix_step = 1;

static int s_run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return 0;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *g = realloc(buf, cap * 2);
            if (!g) {
                break;
            }
            buf = g;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        LLVMFuzzerTestOneInput(buf, len);
        /* Every prefix too: truncated input is the commonest malformation. */
        for (size_t k = 0; k < len && k < 4096; k += s_prefix_step) {
            LLVMFuzzerTestOneInput(buf, k);
        }
        if (s_prefix_step > 1 && len > 0 && len - 1 < 4096 && (len - 1) % s_prefix_step != 0) {
            LLVMFuzzerTestOneInput(buf, len - 1);
        }
    }
    free(buf);
    return 1;
}

int main(int argc, char **argv) {
    const char *step = getenv("TPD_REPLAY_PREFIX_STEP");
    unsigned long n = step != NULL ? strtoul(step, NULL, 10) : 0;
    s_prefix_step = n > 0 ? n : 1;
    int files = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            files += s_run_file(argv[i]);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') {
                continue;
            }
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            files += s_run_file(path);
        }
        closedir(d);
    }
    printf("replayed %d inputs\n", files);
    return files > 0 ? 0 : 1;
}

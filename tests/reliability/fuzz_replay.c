/*
 * fuzz_replay.c - runs the API fuzzer's function (fuzz_api.c) over saved inputs, without
 * libFuzzer: every configuration (gcc, clang, ASan+UBSan, TSan, valgrind) replays the corpus, the
 * seeds and every input that once found a defect (tests/reliability/corpus/).
 *
 *     kcom_fuzz_replay PATH...   each PATH a file or a directory of files (not recursive)
 *
 * A wrong answer aborts (the fuzzer's CHECK), so the run fails; otherwise it prints how many
 * inputs ran. No input at all is a failure too (a corpus directory that went missing).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long inputs, bytes;

static int replay_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    unsigned char *data;
    long size;
    if (file == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return 0;
    }
    fseek(file, 0, SEEK_END);
    size = ftell(file);
    fseek(file, 0, SEEK_SET);
    data = (unsigned char *)malloc(size > 0 ? (size_t)size : 1);
    if (data == NULL || (size > 0 && fread(data, 1, (size_t)size, file) != (size_t)size)) {
        fprintf(stderr, "cannot read %s\n", path);
        free(data);
        fclose(file);
        return 0;
    }
    fclose(file);
    (void)LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    inputs++;
    bytes += size;
    return 1;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_directory(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *entry;
    char **names = NULL;
    size_t count = 0, capacity = 0, i;
    int good = 1;
    if (dir == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return 0;
    }
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        if (count == capacity) {
            char **grown;
            capacity = capacity != 0 ? capacity * 2 : 64;
            grown = (char **)realloc(names, capacity * sizeof(*names));
            if (grown == NULL)
                break;
            names = grown;
        }
        names[count] = (char *)malloc(strlen(path) + strlen(entry->d_name) + 2);
        if (names[count] == NULL)
            break;
        sprintf(names[count], "%s/%s", path, entry->d_name);
        count++;
    }
    closedir(dir);
    /* in name order, so that a failure names the same input on every machine */
    if (count > 1)
        qsort(names, count, sizeof(*names), compare_names);
    for (i = 0; i < count; i++) {
        struct stat info;
        if (stat(names[i], &info) == 0 && S_ISREG(info.st_mode))
            good &= replay_file(names[i]);
        free(names[i]);
    }
    free(names);
    return good;
}

int main(int argc, char **argv)
{
    int i, good = 1;
    for (i = 1; i < argc; i++) {
        struct stat info;
        if (stat(argv[i], &info) != 0) {
            fprintf(stderr, "no such file or directory: %s\n", argv[i]);
            good = 0;
        } else if (S_ISDIR(info.st_mode)) {
            good &= replay_directory(argv[i]);
        } else {
            good &= replay_file(argv[i]);
        }
    }
    printf("fuzz_replay: %ld inputs, %ld bytes, every answer as the model said\n", inputs, bytes);
    return good && inputs > 0 ? 0 : 1;
}

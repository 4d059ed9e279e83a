/* Static-vector readers: formats, keep-lists, case folding, file:line errors, allocation
 * failures, and the published GloVe anchor for WEAT (Caliskan et al. 2017, Table 1). */
#include "check.h"
#include "mizani/mizani.h"
#include "mizani/static_audit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static mz_ctx *ctx;

static mz_status parse(mz_vectors **v, const char *text, const mz_vectors_options *opt) {
    return mz_vectors_parse(v, text, strlen(text), "t.vec", opt, ctx);
}

static void test_text_formats(void) {
    mz_vectors *v;
    CHECK_INT(parse(&v, "3 2\nmama 1 0\nbaba 0 1\nNg'ombe 0.5 -1e-3\n", NULL), MZ_OK);
    CHECK_INT(mz_vectors_count(v), 3);
    CHECK_INT(mz_vectors_dim(v), 2);
    CHECK_INT(mz_vectors_find(v, "Ng'ombe", 0, NULL), 2);
    CHECK_NEAR(mz_vectors_row(v, 2)[1], -1e-3, 1e-9);
    mz_vectors_free(v);

    /* no header, tabs, CRLF, a word with a space (GloVe 840B has some), a blank line */
    CHECK_INT(parse(&v, "he\t0.1\t0.2\r\n\nat home 0.3 0.4\r\nhe 9 9\n", NULL), MZ_OK);
    CHECK_INT(mz_vectors_count(v), 2);
    CHECK_INT(mz_vectors_duplicates(v), 1);
    CHECK_INT(mz_vectors_find(v, "at home", 0, NULL), 1);
    CHECK_NEAR(mz_vectors_row(v, 0)[0], 0.1, 1e-7); /* the first of a repeated word is kept */
    mz_vectors_free(v);
}

static void test_keep_and_fold(void) {
    const char *keep[] = {"kenya", "daktari", "Mwalimu"};
    mz_vectors_options opt = {.keep = keep, .n_keep = 3, .fold_case = 1};
    mz_vectors *v;
    CHECK_INT(parse(&v, "Kenya 1 2\nmwalimu 3 4\nnyumba 5 6\ndaktari 7 8\n", &opt), MZ_OK);
    CHECK_INT(mz_vectors_count(v), 3); /* nyumba was not asked for */
    CHECK_INT(mz_vectors_find(v, "nyumba", 1, NULL), -1);
    int folded;
    CHECK_INT(mz_vectors_find(v, "daktari", 1, &folded), 2);
    CHECK_INT(folded, 0);
    CHECK_INT(mz_vectors_find(v, "kenya", 1, &folded), 0);
    CHECK_INT(folded, 1);
    CHECK_INT(mz_vectors_find(v, "kenya", 0, NULL), -1); /* no folding unless asked */
    mz_vectors_free(v);
}

static void expect_error(const char *text, mz_vectors_format fmt, size_t len, const char *message) {
    mz_vectors *v = (mz_vectors *)1;
    mz_vectors_options opt = {.format = fmt};
    CHECK_INT(mz_vectors_parse(&v, text, len ? len : strlen(text), "t.vec", &opt, ctx),
              MZ_ERR_INPUT);
    CHECK(v == NULL);
    CHECK_STR(mz_ctx_message(ctx), message);
}

static void test_text_errors(void) {
    expect_error("2 3\na 1 2 3\nb 1 2\n", MZ_VECTORS_TEXT, 0,
                 "t.vec:3: 2 numbers, want 3 (the dimension of the header)");
    expect_error("a 1 2 3\nb 1 2 3 4\n", MZ_VECTORS_TEXT, 0,
                 "t.vec:2: more than 3 numbers (the dimension of the first line)");
    expect_error("a 1 2\nb 1 x2\n", MZ_VECTORS_TEXT, 0,
                 "t.vec:2: 'x2' is not a finite number (number 2 of the vector)");
    expect_error("a 1 2\nb inf 2\n", MZ_VECTORS_TEXT, 0,
                 "t.vec:2: 'inf' is not a finite number (number 1 of the vector)");
    expect_error("a 1 2\nb\xC3( 1 2\n", MZ_VECTORS_TEXT, 0,
                 "t.vec:2:2: the word is not valid UTF-8");
    expect_error("3 2\na 1 2\nb 1 2\n", MZ_VECTORS_TEXT, 0,
                 "t.vec: the header declares 3 words but the file has 2 (truncated?)");
    expect_error("\n\n", MZ_VECTORS_TEXT, 0, "t.vec: no vectors in the file");
    expect_error(
        "a 1\0 2\n", MZ_VECTORS_TEXT, 8,
        "t.vec:1: a NUL byte in a text vectors file (is it word2vec binary? use --format bin)");
    mz_vectors *v;
    CHECK_INT(mz_vectors_parse(&v, "", 0, "empty.vec", NULL, ctx), MZ_ERR_INPUT);
    CHECK_STR(mz_ctx_message(ctx), "empty.vec: the vectors file is empty");
    CHECK_INT(mz_vectors_load(&v, "no/such/file.vec", NULL, ctx), MZ_ERR_IO);
    CHECK_CONTAINS(mz_ctx_message(ctx), "no/such/file.vec: cannot open vectors file: No such file");
}

/* "2 3\n" then word, space, 3 float32 values, newline — as word2vec writes it. */
static size_t make_word2vec(char *buf) {
    const float a[3] = {1, 2, 3}, b[3] = {-1, 0.5f, 0};
    size_t n = (size_t)sprintf(buf, "2 3\nsimba ");
    memcpy(buf + n, a, sizeof a);
    n += sizeof a;
    n += (size_t)sprintf(buf + n, "\nchui ");
    memcpy(buf + n, b, sizeof b);
    n += sizeof b;
    buf[n++] = '\n';
    return n;
}

static void test_word2vec(void) {
    char buf[128];
    size_t n = make_word2vec(buf);
    mz_vectors_options opt = {.format = MZ_VECTORS_WORD2VEC_BINARY};
    mz_vectors *v;
    CHECK_INT(mz_vectors_parse(&v, buf, n, "w.bin", &opt, ctx), MZ_OK);
    CHECK_INT(mz_vectors_count(v), 2);
    CHECK_NEAR(mz_vectors_row(v, (size_t)mz_vectors_find(v, "chui", 0, NULL))[1], 0.5, 0);
    mz_vectors_free(v);
    expect_error(buf, MZ_VECTORS_WORD2VEC_BINARY, n - 5,
                 "t.vec: byte 28: the file ends inside the vector of word 2 (truncated?)");
}

/* Every allocation of a load fails in turn: each gives MZ_ERR_NOMEM and frees what it took
 * (the sanitizer build checks the second half). */
static void test_allocation_failures(void) {
    const char *text = "4 3\nmama 1 2 3\nbaba 4 5 6\nKaka 7 8 9\ndada 1 1 1\n";
    const char *keep[] = {"kaka", "mama"};
    mz_vectors_options opt = {.keep = keep, .n_keep = 2, .fold_case = 1};
    int failures = 0;
    for (long n = 1;; n++) {
        mz_vectors *v;
        mz_alloc_fail_at(n);
        mz_status rc = parse(&v, text, &opt);
        mz_alloc_fail_at(0);
        if (rc == MZ_OK) {
            CHECK_INT(mz_vectors_count(v), 2);
            mz_vectors_free(v);
            break;
        }
        CHECK_INT(rc, MZ_ERR_NOMEM);
        failures++;
    }
    CHECK(failures > 5);
}

/* A line that fails on its own terms: too long for a text vectors file, a read error, a FIFO,
 * and running out of memory on a long line: each is said as what it is, never taken for the
 * end of the file. */
static void test_hostile_streams(void) {
    size_t big = ((size_t)4 << 20) + 100;
    char *text = malloc(big + 16);
    memcpy(text, "a 1 2\n", 6);
    memset(text + 6, 'x', big);
    memcpy(text + 6 + big, " 1 2\n", 5);
    mz_vectors *v;
    CHECK_INT(mz_vectors_parse(&v, text, big + 11, "t.vec", NULL, ctx), MZ_ERR_INPUT);
    CHECK_STR(mz_ctx_message(ctx),
              "t.vec:2: a line longer than 4 MiB (is this a text vectors file?)");

    /* a 300 kB line: the buffer grows several times, and each growth may fail */
    const char *keep[] = {"a"};
    mz_vectors_options opt = {.keep = keep, .n_keep = 1};
    memcpy(text + 6 + 300000, " 1 2\nb 3 4", 10);
    int failures = 0;
    for (long n = 1;; n++) {
        mz_alloc_fail_at(n);
        mz_status rc = mz_vectors_parse(&v, text, 6 + 300000 + 10, "t.vec", &opt, ctx);
        mz_alloc_fail_at(0);
        if (rc == MZ_OK) break;
        CHECK_INT(rc, MZ_ERR_NOMEM);
        failures++;
    }
    CHECK_INT(mz_vectors_count(v), 1); /* the last line has no newline, and counts */
    mz_vectors_free(v);
    CHECK(failures > 3);
    free(text);

    if (access("/proc/self/mem", R_OK) == 0) { /* a regular file whose every read fails */
        CHECK_INT(mz_vectors_load(&v, "/proc/self/mem", NULL, ctx), MZ_ERR_IO);
        CHECK_STR(mz_ctx_message(ctx), "/proc/self/mem: read failed: Input/output error");
    }
    char fifo[] = "/tmp/mizani-test-fifo-XXXXXX";
    int fd = mkstemp(fifo);
    close(fd);
    unlink(fifo);
    if (mkfifo(fifo, 0600) == 0) { /* no writer: opening it would wait for ever */
        CHECK_INT(mz_vectors_load(&v, fifo, NULL, ctx), MZ_ERR_INPUT);
        CHECK_CONTAINS(mz_ctx_message(ctx), ": a FIFO, not a regular file");
        unlink(fifo);
    }
}

static const char *glove_x[] = {"math",      "algebra",     "geometry", "calculus",
                                "equations", "computation", "numbers",  "addition"};
static const char *glove_y[] = {"poetry", "art",      "dance", "literature",
                                "novel",  "symphony", "drama", "sculpture"};
static const char *glove_a[] = {"male", "man", "boy", "brother", "he", "him", "his", "son"};
static const char *glove_b[] = {"female", "woman", "girl", "sister",
                                "she",    "her",   "hers", "daughter"};

/* Returns 1 when the shared data was there and the test ran. */
static int test_glove_anchor(void) {
    const char *path = MZ_SHARED_DATA "/weat-glove/glove_math.tsv";
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("SKIP WEAT anchor (Caliskan et al. 2017, math vs arts on GloVe): %s is absent "
               "(../shared is not on this machine)\n",
               path);
        return 0;
    }
    fclose(f);
    mz_vectors *v;
    CHECK_INT(mz_vectors_load(&v, path, NULL, ctx), MZ_OK);
    mz_word_list lists[MZ_N_ROLES] = {
        {"math", glove_x, 8}, {"arts", glove_y, 8}, {"male", glove_a, 8}, {"female", glove_b, 8}};
    mz_static_options opt;
    mz_static_options_default(&opt);
    opt.weat.n_bootstrap = 1000;
    mz_static_weat r;
    CHECK_INT(mz_static_weat_run(&r, "math vs arts / male vs female", v, lists, &opt, ctx), MZ_OK);
    CHECK_INT(r.computable, 1);
    CHECK_NEAR(r.weat.effect_size, 1.055, 1e-3);
    CHECK_NEAR(r.weat.mean_diff, 0.0248, 1e-3);
    CHECK_INT(r.weat.perm.exact, 1);
    CHECK_INT(r.weat.perm.n_splits, 12870);
    CHECK(r.weat.perm.p_value < 0.05);
    mz_static_weat_clear(&r);

    /* a set that loses too many words is reported by name, not computed on what is left */
    const char *sw_b[] = {"female", "mwanamke", "msichana", "dada"};
    lists[MZ_ROLE_B] = (mz_word_list){"kike", sw_b, 4};
    CHECK_INT(mz_static_weat_run(&r, "partly Swahili", v, lists, &opt, ctx), MZ_OK);
    CHECK_INT(r.computable, 0);
    CHECK_STR(r.reason,
              "attribute B set 'kike' lost 3 of 4 words (limit 20%): mwanamke msichana dada");
    mz_static_weat_clear(&r);
    mz_vectors_free(v);
    return 1;
}

/* sweater's own test values on Garg et al.'s GoogleNews subset (../shared/data/weat-googlenews),
 * convention by convention: RND summed over S with the vectors as given (-6.3415) and MAC as
 * the mean cosine similarity to A (0.13758), and the papers' definitions Mizani uses by default:
 * RND on unit vectors (-2.0693, numpy on the same definition) and MAC as the mean cosine
 * distance (0.86241). Returns 1 when the data was there. */
static int test_googlenews_peers(void) {
    static const char *s_words =
        "janitor statistician midwife bailiff auctioneer photographer geologist shoemaker athlete "
        "cashier dancer housekeeper accountant physicist gardener dentist weaver blacksmith "
        "psychologist supervisor mathematician surveyor tailor designer economist mechanic laborer "
        "postmaster broker chemist librarian attendant clerical musician porter scientist "
        "carpenter sailor instructor sheriff pilot inspector mason baker administrator architect "
        "collector operator surgeon driver painter conductor nurse cook engineer retired sales "
        "lawyer clergy physician farmer clerk manager guard artist smith official police doctor "
        "professor student judge teacher author secretary soldier";
    static const char *a_words = "he son his him father man boy himself male brother sons "
                                 "fathers men boys males brothers uncle uncles nephew nephews";
    static const char *b_words = "she daughter hers her mother woman girl herself female sister "
                                 "daughters mothers women girls females sisters aunt aunts niece "
                                 "nieces";
    const char *path = MZ_SHARED_DATA "/weat-googlenews/googlenews.tsv";
    if (access(path, R_OK)) {
        printf("SKIP sweater's RND and MAC values: %s is absent (../shared is not on this "
               "machine)\n",
               path);
        return 0;
    }
    mz_vectors *v;
    CHECK_INT(mz_vectors_load(&v, path, NULL, ctx), MZ_OK);
    if (!v) return 1;
    const char *lists[3] = {s_words, a_words, b_words};
    float *rows[3];
    mz_word_set sets[3];
    size_t dim = mz_vectors_dim(v);
    for (int l = 0; l < 3; l++) {
        char *copy = strdup(lists[l]);
        rows[l] = malloc(80 * dim * sizeof **rows);
        size_t n = 0;
        for (char *w = strtok(copy, " "); w; w = strtok(NULL, " "), n++) {
            long row = mz_vectors_find(v, w, 0, NULL);
            CHECK(row >= 0);
            if (row >= 0) memcpy(rows[l] + n * dim, mz_vectors_row(v, (size_t)row), dim * 4);
        }
        sets[l] = (mz_word_set){.name = "set", .vectors = rows[l], .n = n};
        free(copy);
    }
    CHECK_INT(sets[0].n, 76);
    mz_metric_options opt;
    mz_metric_options_default(&opt);
    opt.n_bootstrap = 0, opt.n_permutations = 0;
    mz_metric_result r;
    CHECK_INT(mz_assoc_rnd(&r, NULL, &sets[0], &sets[1], &sets[2], dim, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.value, -2.0693, 1e-3);
    CHECK_INT(mz_assoc_mac(&r, NULL, &sets[0], &sets[1], &sets[1], dim, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.value, 0.86241, 1e-4); /* A twice: the mean over A alone, as sweater's test */
    opt.rnd_as_given = opt.mac_similarity = 1;
    CHECK_INT(mz_assoc_rnd(&r, NULL, &sets[0], &sets[1], &sets[2], dim, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.value, -6.3415, 1e-3);
    CHECK_INT(mz_assoc_mac(&r, NULL, &sets[0], &sets[1], &sets[1], dim, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.value, 0.13758, 1e-4);
    for (int l = 0; l < 3; l++)
        free(rows[l]);
    mz_vectors_free(v);
    return 1;
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    test_text_formats();
    test_keep_and_fold();
    test_text_errors();
    test_word2vec();
    test_allocation_failures();
    test_hostile_streams();
    int ran_anchor = test_glove_anchor();
    ran_anchor &= test_googlenews_peers();
    mz_ctx_free(ctx);
    int rc = mz_check_result("test_vectors");
    return rc ? rc : ran_anchor ? 0 : 77; /* 77: ctest reports the anchors as skipped */
}

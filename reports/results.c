/* The results tree: a jansson document behind a builder that checks every insertion. The
 * first failure sticks to the tree (SQLite's sqlite3_str does the same), so a sequence of
 * insertions needs one check at the end and nothing can be dropped silently. */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/mizani.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static mz_status fail(mz_results *r, mz_status st, const char *fmt, const char *key) {
    if (!r->status) r->status = mz_fail(r->ctx, st, NULL, fmt, key ? key : "(item)");
    return r->status;
}

/* Puts `v` (a new reference, NULL when its allocation failed) into `at`. */
static mz_status put(mz_results *r, mz_rnode *at, const char *key, json_t *v) {
    if (r->status || !at) {
        json_decref(v);
        return r->status ? r->status : fail(r, MZ_ERR_INTERNAL, "results: no node for '%s'", key);
    }
    if (!v) return fail(r, MZ_ERR_NOMEM, "results: out of memory at '%s'", key);
    if (json_is_array(MZ_J(at))) {
        if (key) {
            json_decref(v);
            return fail(r, MZ_ERR_INTERNAL, "results: key '%s' given for an array item", key);
        }
        if (json_array_append_new(MZ_J(at), v))
            return fail(r, MZ_ERR_NOMEM, "results: out of memory at '%s'", key);
        return MZ_OK;
    }
    if (!key || json_object_get(MZ_J(at), key)) {
        json_decref(v);
        return fail(r, MZ_ERR_INTERNAL, "results: '%s' set twice", key);
    }
    if (json_object_set_new(MZ_J(at), key, v))
        return fail(r, MZ_ERR_NOMEM, "results: out of memory at '%s'", key);
    return MZ_OK;
}

static mz_rnode *put_node(mz_results *r, mz_rnode *at, const char *key, json_t *v) {
    return put(r, at, key, v) ? NULL : (mz_rnode *)v;
}

mz_rnode *mz_rn_object(mz_results *r, mz_rnode *at, const char *key) {
    return put_node(r, at, key, r->status ? NULL : json_object());
}

mz_rnode *mz_rn_array(mz_results *r, mz_rnode *at, const char *key) {
    return put_node(r, at, key, r->status ? NULL : json_array());
}

json_t *mz_json_number(double x) { return isfinite(x) ? json_real(x) : json_null(); }

mz_status mz_rn_num(mz_results *r, mz_rnode *at, const char *key, double x) {
    return put(r, at, key, r->status ? NULL : mz_json_number(x));
}

mz_status mz_rn_int(mz_results *r, mz_rnode *at, const char *key, long long x) {
    return put(r, at, key, r->status ? NULL : json_integer((json_int_t)x));
}

mz_status mz_rn_bool(mz_results *r, mz_rnode *at, const char *key, int x) {
    return put(r, at, key, r->status ? NULL : json_boolean(x));
}

mz_status mz_rn_null(mz_results *r, mz_rnode *at, const char *key) {
    return put(r, at, key, r->status ? NULL : json_null());
}

mz_status mz_rn_str(mz_results *r, mz_rnode *at, const char *key, const char *s) {
    if (r->status) return r->status;
    if (!s) return mz_rn_null(r, at, key);
    if (!mz_utf8_valid(s, strlen(s)))
        return fail(r, MZ_ERR_INPUT, "results: the text of '%s' is not valid UTF-8", key);
    return put(r, at, key, json_string(s));
}

mz_status mz_rn_strf(mz_results *r, mz_rnode *at, const char *key, const char *fmt, ...) {
    if (r->status) return r->status;
    va_list ap;
    va_start(ap, fmt);
    char *s = mz_vstrf(fmt, ap);
    va_end(ap);
    if (!s) return fail(r, MZ_ERR_NOMEM, "results: out of memory at '%s'", key);
    mz_status rc = mz_rn_str(r, at, key, s);
    mz_free(s);
    return rc;
}

mz_status mz_rn_path(mz_results *r, mz_rnode *at, const char *key, const char *path) {
    if (r->status) return r->status;
    if (!path) return mz_rn_null(r, at, key);
    char *fixed = mz_utf8_repair(path);
    if (!fixed) return fail(r, MZ_ERR_NOMEM, "results: out of memory at '%s'", key);
    mz_status rc = put(r, at, key, json_string(fixed));
    mz_free(fixed);
    return rc;
}

mz_status mz_rn_nums(mz_results *r, mz_rnode *at, const char *key, const double *x, size_t n) {
    mz_rnode *a = mz_rn_array(r, at, key);
    for (size_t i = 0; a && i < n; i++)
        mz_rn_num(r, a, NULL, x[i]);
    return r->status;
}

mz_status mz_rn_strs(mz_results *r, mz_rnode *at, const char *key, const char *const *s, size_t n) {
    mz_rnode *a = mz_rn_array(r, at, key);
    for (size_t i = 0; a && i < n; i++)
        mz_rn_str(r, a, NULL, s[i]);
    return r->status;
}

/* ---- The tree and its run block ----------------------------------------------------------- */

static void utc_now(char out[32]) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* UTC time to the second and 64 random bits: unique without coordination, sortable by time. */
static void new_run_id(char out[48]) {
    unsigned long long bits = 0;
    if (getrandom(&bits, sizeof bits, GRND_NONBLOCK) != (ssize_t)sizeof bits)
        bits = (unsigned long long)time(NULL) * 6364136223846793005ULL ^ (unsigned)getpid();
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[24];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(out, 48, "%s-%016llx", stamp, bits);
}

mz_results *mz_results_wrap(json_t *root, mz_ctx *ctx) {
    mz_results *r = mz_calloc(1, sizeof *r);
    if (!r) return NULL;
    r->root = root;
    r->ctx = ctx;
    return r;
}

mz_status mz_results_new(mz_results **out, const char *job, mz_ctx *ctx) {
    *out = NULL;
    json_t *root = json_object();
    mz_results *r = root ? mz_results_wrap(root, ctx) : NULL;
    if (!r) {
        json_decref(root);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    char id[48], now[32];
    new_run_id(id);
    utc_now(now);
    mz_rn_str(r, mz_results_root(r), "schema", MZ_RESULTS_SCHEMA);
    mz_rnode *run = mz_rn_object(r, mz_results_root(r), "run");
    mz_rn_str(r, run, "id", id);
    mz_rn_str(r, run, "job", job);
    mz_rn_str(r, run, "mizani_version", mz_version());
    mz_rn_str(r, run, "build", mz_build_info());
    mz_rn_str(r, run, "started", now);
    mz_status rc = mz_results_status(r);
    if (rc) {
        mz_results_free(r);
        return rc;
    }
    *out = r;
    return MZ_OK;
}

void mz_results_free(mz_results *r) {
    if (!r) return;
    json_decref(r->root);
    mz_free(r);
}

mz_status mz_results_status(const mz_results *r) { return r->status; }
/* Read from the document, whatever its length (a loaded file's id is kept as it is). */
const char *mz_results_run_id(const mz_results *r) {
    const char *id = json_string_value(json_object_get(json_object_get(r->root, "run"), "id"));
    return id ? id : "";
}
mz_rnode *mz_results_root(mz_results *r) { return r->status ? NULL : (mz_rnode *)r->root; }
const void *mz_results_json(const mz_results *r) { return r->root; }

static mz_rnode *run_block(mz_results *r) {
    return r->status ? NULL : (mz_rnode *)json_object_get(r->root, "run");
}

mz_status mz_results_set_command(mz_results *r, int argc, const char *const *argv) {
    mz_rnode *a = mz_rn_array(r, run_block(r), "command_line");
    for (int i = 0; a && i < argc; i++)
        mz_rn_path(r, a, NULL, argv[i]);
    return r->status;
}

mz_status mz_results_set_seed(mz_results *r, unsigned long seed, int threads) {
    mz_rn_int(r, run_block(r), "seed", (long long)seed);
    return mz_rn_int(r, run_block(r), "threads", threads);
}

mz_rnode *mz_results_config(mz_results *r) { return mz_rn_object(r, run_block(r), "config"); }
mz_rnode *mz_results_run(mz_results *r) { return run_block(r); }

mz_status mz_results_finish(mz_results *r) {
    mz_rnode *run = run_block(r);
    if (!run || json_object_get(MZ_J(run), "finished")) return r->status;
    char now[32];
    utc_now(now);
    return mz_rn_str(r, run, "finished", now);
}

mz_rnode *mz_results_subject(mz_results *r, const char *kind) {
    mz_rnode *s = mz_rn_object(r, mz_results_root(r), "subject");
    mz_rn_str(r, s, "kind", kind);
    return s;
}

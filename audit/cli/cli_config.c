/* A command's options from a JSON file (--config FILE): each member names an option of the
 * command (or a global one) and gives its value; an option on the command line wins. Values
 * become the strings the command line would have given, so one parser checks both. */
#include "cli.h"
#include "mizani/file.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* printf into a new string (mz_free); NULL when out of memory. */
static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : mz_malloc((size_t)n + 1);
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* The option's entry among the command's and the global ones that a file may set. */
static const mz_cli_opt *option(const mz_cli_command *cmd, const char *name) {
    static const mz_cli_opt globals[] = {
        {"threads", "N", ""}, {"seed", "N", ""}, {"quiet", NULL, ""}, {NULL, NULL, NULL}};
    for (const mz_cli_opt *o = cmd->opts; o && o->name; o++)
        if (!strcmp(o->name, name)) return o;
    for (const mz_cli_opt *o = globals; o->name; o++)
        if (!strcmp(o->name, name)) return o;
    return NULL;
}

/* A member's value as the command line's text: strings as they are, numbers printed, lists of
 * strings joined by commas; NULL (with the error on cli) for any other shape. */
static char *as_text(mz_cli *cli, const char *path, const char *key, const json_t *v,
                     const mz_cli_opt *o) {
    if (!o->arg) { /* a flag: true sets it, false leaves it off */
        if (json_is_boolean(v)) return mz_strdup(json_is_true(v) ? "" : "\x01");
    } else if (json_is_string(v)) {
        return mz_strdup(json_string_value(v));
    } else if (json_is_integer(v)) {
        return strf("%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v) && isfinite(json_real_value(v))) {
        return strf("%.17g", json_real_value(v));
    } else if (json_is_array(v) && json_array_size(v)) {
        char *out = mz_strdup("");
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x) {
            if (!out) break;
            if (!json_is_string(x)) {
                mz_free(out);
                out = NULL;
                break;
            }
            char *next = strf("%s%s%s", out, i ? "," : "", json_string_value(x));
            mz_free(out);
            out = next;
        }
        if (out) return out;
    }
    char where[160];
    snprintf(where, sizeof where, "$.%s", key);
    mz_fail_path(cli->ctx, MZ_ERR_INPUT, path, where,
                 o->arg ? "--%s takes %s: a string, a number or a list of strings"
                        : "--%s is a flag: true or false",
                 key, o->arg ? o->arg : "");
    return NULL;
}

static int given(const mz_cli_args *args, const char *name) {
    for (int i = 0; i < args->n_values; i++)
        if (!strcmp(args->names[i], name)) return 1;
    return 0;
}

mz_status mz_cli_merge_config(mz_cli *cli, const mz_cli_command *cmd, const char *path,
                              mz_cli_args *args, char ***owned, size_t *n_owned) {
    char *text = NULL;
    size_t len = 0;
    mz_status rc = mz_read_file(&text, &len, path, 1u << 20, cli->ctx);
    if (rc) return rc;
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    mz_free(text);
    if (!root)
        return mz_fail_line(cli->ctx, MZ_ERR_INPUT, path, err.line, err.column, "%s", err.text);
    if (!json_is_object(root))
        rc = mz_fail_path(cli->ctx, MZ_ERR_INPUT, path, "$",
                          "a configuration is a JSON object of options");
    *owned = mz_calloc(2 * json_object_size(root) + 1, sizeof **owned), *n_owned = 0;
    if (!rc && !*owned) rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (rc) break;
        const mz_cli_opt *o = option(cmd, key);
        char where[160];
        snprintf(where, sizeof where, "$.%s", key);
        if (!o || !strcmp(key, "config") || !strcmp(key, "help")) {
            rc = mz_fail_path(cli->ctx, MZ_ERR_INPUT, path, where,
                              "'%s' is not an option of 'mizani %s' (see --help)", key, cmd->name);
            break;
        }
        char *value = as_text(cli, path, key, v, o);
        if (!value) {
            rc = mz_ctx_status(cli->ctx) ? mz_ctx_status(cli->ctx)
                                         : mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            break;
        }
        (*owned)[(*n_owned)++] = value;
        if (given(args, key) || !strcmp(value, "\x01")) continue; /* the command line wins */
        if (args->n_values == MZ_CLI_MAX_VALUES) {
            rc = mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "too many options");
            break;
        }
        args->names[args->n_values] = mz_strdup(key);
        (*owned)[(*n_owned)++] = (char *)args->names[args->n_values];
        if (!args->names[args->n_values]) {
            rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            break;
        }
        args->values[args->n_values++] = value;
    }
    json_decref(root);
    return rc;
}

/* The error context: locations, formatting, and the path from a failing call to the
 * CLI's one-line message and exit code. */
#include "check.h"
#include "cli.h"

#include <stdlib.h>

static void test_locations(void) {
    mz_ctx *ctx = mz_ctx_new();
    CHECK(ctx != NULL);
    CHECK_INT(mz_ctx_status(ctx), MZ_OK);

    CHECK_INT(mz_fail_offset(ctx, MZ_ERR_INPUT, "m.safetensors", 8, "header length %d", 99),
              MZ_ERR_INPUT);
    CHECK_STR(mz_ctx_message(ctx), "m.safetensors: byte 8: header length 99");
    CHECK_INT(mz_ctx_offset(ctx), 8);
    CHECK_STR(mz_ctx_file(ctx), "m.safetensors");

    mz_fail_offset(ctx, MZ_ERR_INPUT, NULL, 0, "invalid UTF-8");
    CHECK_STR(mz_ctx_message(ctx), "byte 0: invalid UTF-8");

    mz_fail_line(ctx, MZ_ERR_INPUT, "weat.json", 12, 5, "expected a string");
    CHECK_STR(mz_ctx_message(ctx), "weat.json:12:5: expected a string");
    CHECK_INT(mz_ctx_offset(ctx), -1); /* a new failure forgets the old location */

    mz_fail_line(ctx, MZ_ERR_INPUT, "vec.txt", 3, 0, "3 numbers, want 300");
    CHECK_STR(mz_ctx_message(ctx), "vec.txt:3: 3 numbers, want 300");

    mz_fail_path(ctx, MZ_ERR_INPUT, "tokenizer.json", "$.model.vocab", "not an object");
    CHECK_STR(mz_ctx_message(ctx), "tokenizer.json: at $.model.vocab: not an object");

    mz_fail(ctx, MZ_ERR_IO, NULL, "disk full");
    mz_ctx_set_file(ctx, "out.json");
    CHECK_STR(mz_ctx_message(ctx), "out.json: disk full");

    mz_ctx_clear(ctx);
    CHECK_INT(mz_ctx_status(ctx), MZ_OK);
    CHECK_STR(mz_ctx_message(ctx), "");
    mz_ctx_free(ctx);
}

/* A caller may wrap the context's own message and file into the next failure. */
static void test_wrapping(void) {
    mz_ctx *ctx = mz_ctx_new();
    mz_fail(ctx, MZ_ERR_INPUT, "pairs.json", "row %d is longer than the model's %d positions", 3,
            24);
    mz_fail(ctx, MZ_ERR_INPUT, mz_ctx_file(ctx), "pair %s: %s", "en-gender-003", mz_ctx_cause(ctx));
    CHECK_STR(mz_ctx_message(ctx),
              "pairs.json: pair en-gender-003: row 3 is longer than the model's 24 positions");
    mz_ctx_free(ctx);
}

static void test_exit_codes(void) {
    CHECK_INT(mz_status_exit_code(MZ_OK), 0);
    CHECK_INT(mz_status_exit_code(MZ_ERR_THRESHOLD), 1);
    CHECK_INT(mz_status_exit_code(MZ_ERR_USAGE), 2);
    CHECK_INT(mz_status_exit_code(MZ_ERR_INPUT), 3);
    CHECK_INT(mz_status_exit_code(MZ_ERR_UNSUPPORTED), 3);
    CHECK_INT(mz_status_exit_code(MZ_ERR_IO), 4);
    CHECK_INT(mz_status_exit_code(MZ_ERR_NOMEM), 5);
    CHECK_INT(mz_status_exit_code(MZ_ERR_INTERNAL), 5);
}

/* A command whose parser finds a bad header at byte 8 of the file it was given. */
static mz_status run_bad_header(mz_cli *cli, const mz_cli_args *args) {
    return mz_fail_offset(cli->ctx, MZ_ERR_INPUT, mz_cli_get(args, "model"), 8,
                          "header length 4096 runs past the end of the file");
}

static void test_cli_message(void) {
    static const mz_cli_opt opts[] = {{"model", "FILE", "the model"}, {NULL, NULL, NULL}};
    const mz_cli_command cmd = {.name = "probe-test",
                                .summary = "test",
                                .usage = "--model F",
                                .description = "test",
                                .opts = opts,
                                .run = run_bad_header};
    char *argv[] = {"--model", "tiny.safetensors"};
    FILE *out = tmpfile(), *err = tmpfile();
    int code = mz_cli_run(&cmd, 2, argv, out, err);
    char *msg = slurp(err);
    CHECK_INT(code, MZ_EXIT_INPUT);
    CHECK_STR(msg, "mizani probe-test: error: tiny.safetensors: byte 8: header length 4096 runs "
                   "past the end of the file\n");
    free(msg);
    fclose(out);
    fclose(err);
}

int main(void) {
    test_wrapping();
    test_locations();
    test_exit_codes();
    test_cli_message();
    return mz_check_result("test_error");
}

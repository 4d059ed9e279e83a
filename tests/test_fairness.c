/* Tokenizer fairness on a case whose every number is known: a WordPiece vocabulary that keeps
 * the English words whole, splits one Swahili word in two and does not know another. */
#include "check.h"
#include "mizani/fairness.h"

static const char *tokenizer_json =
    "{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": {\"[UNK]\": 0, "
    "\"the\": 1, \"cat\": 2, \"a\": 3, \"dog\": 4, \"paka\": 5, \"huyu\": 6, \"mk\": 7, \"##ubwa\": 8, "
    "\"mbwa\": 9}}, \"pre_tokenizer\": {\"type\": \"WhitespaceSplit\"}}";

static const char *parallel_json =
    "{\"schema\": \"mizani-probes/1\", \"id\": \"p\", \"kind\": \"parallel\", \"language\": \"mul\", "
    "\"dimension\": \"d\", \"title\": \"t\", \"source\": \"s\", \"licence\": \"l\", \"notes\": \"n\", "
    "\"limitations\": \"l\", \"languages\": [\"en\", \"sw\"], \"segments\": ["
    "{\"id\": \"1\", \"en\": \"the cat\", \"sw\": \"paka huyu mkubwa\"},"
    "{\"id\": \"2\", \"en\": \"a  dog\", \"sw\": \"mbwa zzz\"}]}";

int main(void) {
    mz_ctx *ctx = mz_ctx_new();
    mz_tokenizer *t;
    mz_probe_set *p;
    CHECK_INT(mz_tokenizer_parse_json(&t, tokenizer_json, strlen(tokenizer_json), "t.json", ctx),
              MZ_OK);
    CHECK_INT(mz_probes_parse(&p, parallel_json, strlen(parallel_json), "p.json", ctx), MZ_OK);
    if (!t || !p) return mz_check_result("test_fairness");
    const char *dict[] = {"paka", "mkubwa", "zzz", "mbwa"};
    mz_fairness_options opt = {
        .n_bootstrap = 500, .ci_level = 0.9, .seed = 3, .dict = dict, .n_dict = 4};
    mz_fairness f;
    CHECK_INT(mz_tokenizer_fairness(&f, t, p, &opt, ctx), MZ_OK);
    CHECK_INT(f.segments, 2);
    CHECK_INT(f.lang[0].words, 4);
    CHECK_INT(f.lang[0].tokens, 4);
    CHECK_NEAR(f.lang[0].fertility, 1.0, 1e-12);
    CHECK_INT(f.lang[0].continued_words, 0);
    CHECK_INT(f.lang[1].words, 5);
    CHECK_INT(f.lang[1].tokens, 6); /* paka huyu mk ##ubwa | mbwa [UNK] */
    CHECK_NEAR(f.lang[1].fertility, 1.2, 1e-12);
    CHECK_INT(f.lang[1].continued_words, 1); /* mkubwa */
    CHECK_NEAR(f.lang[1].continued_share, 0.2, 1e-12);
    CHECK_NEAR(f.lang[1].unk_rate, 1.0 / 6.0, 1e-12);
    CHECK_NEAR(f.premium, 1.5, 1e-12);
    /* the segment premiums are 2 and 1: resampled totals lie between them */
    CHECK(f.premium_ci_lo >= 1.0 && f.premium_ci_hi <= 2.0 && f.premium_ci_lo <= f.premium_ci_hi);
    CHECK_INT(f.dict_words, 4);
    CHECK_INT(f.dict_whole, 2); /* paka, mbwa; not mkubwa (two), not zzz ([UNK]) */
    /* per segment: en 2 and 2 tokens, sw 4 and 2; the worst-split Swahili word is mkubwa */
    CHECK_INT(f.per_segment[0][0].tokens, 2);
    CHECK_INT(f.per_segment[1][0].tokens, 4);
    CHECK_INT(f.per_segment[1][1].unk_tokens, 1);
    CHECK_INT(f.n_worst, 1);
    CHECK_STR(f.worst[0].word, "mkubwa");
    CHECK_INT(f.worst[0].tokens, 2);
    /* rates over resampled segments lie between the segments' own (sw fertility 4/3 and 2/2) */
    CHECK(f.lang[1].fertility_ci[0] >= 1.0 && f.lang[1].fertility_ci[1] <= 4.0 / 3.0 + 1e-12);
    CHECK(f.lang[1].unk_ci[0] >= 0 && f.lang[1].unk_ci[1] <= 0.5 + 1e-12);
    CHECK(f.lang[0].continued_ci[0] == 0 && f.lang[0].continued_ci[1] == 0);
    mz_fairness g;
    CHECK_INT(mz_tokenizer_fairness(&g, t, p, &opt, ctx), MZ_OK);
    CHECK(g.premium_ci_lo == f.premium_ci_lo && g.premium_ci_hi == f.premium_ci_hi); /* seeded */
    mz_fairness_clear(&f);
    mz_fairness_clear(&g);
    mz_probes_free(p);
    const char *assoc =
        "{\"schema\": \"mizani-probes/1\", \"id\": \"x\", \"kind\": \"association\", "
        "\"language\": \"en\", \"dimension\": \"d\", \"title\": \"t\", \"source\": \"s\", "
        "\"licence\": \"l\", \"notes\": \"n\", \"limitations\": \"l\", \"targets\": "
        "[{\"name\": \"a\", \"words\": [\"x\"]}, {\"name\": \"b\", \"words\": [\"y\"]}], "
        "\"attributes\": [{\"name\": \"c\", \"words\": [\"z\"]}, {\"name\": \"d\", \"words\": [\"w\"]}]}";
    CHECK_INT(mz_probes_parse(&p, assoc, strlen(assoc), "a.json", ctx), MZ_OK);
    CHECK_INT(mz_tokenizer_fairness(&f, t, p, &opt, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "needs a parallel probe set");
    mz_fairness_clear(&f);
    mz_probes_free(p);
    mz_tokenizer_free(t);
    mz_ctx_free(ctx);
    return mz_check_result("test_fairness");
}

/* Whether a tokenizer belongs with a model: every id it can produce must have a row in the
 * model's embedding matrix (an id past it would read beyond the weights), and an encoder must
 * get the special tokens it was trained with. Checked once, wherever the two are opened
 * together, so that no command runs a model on ids it cannot read. */
#include "mizani/runner.h"

mz_status mz_model_tokenizer_check(const mz_model *m, const char *model_path, const mz_tokenizer *t,
                                   mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    size_t n = mz_tokenizer_vocab_size(t);
    if (n > (size_t)c->vocab)
        return mz_fail(ctx, MZ_ERR_INPUT, mz_tokenizer_path(t),
                       "%zu token ids, but the model %s embeds only %d (ids 0..%d): this "
                       "tokenizer does not belong to that model",
                       n, model_path, c->vocab, c->vocab - 1);
    if (mz_model_is_causal(c)) return MZ_OK;
    mz_encoding e = {0};
    mz_status rc = mz_tokenizer_encode(&e, t, "", 0, 1, ctx);
    size_t added = e.n;
    mz_encoding_clear(&e);
    if (!rc && added == 0)
        rc = mz_fail(ctx, MZ_ERR_INPUT, mz_tokenizer_path(t),
                     "adds no special tokens, but the model %s is a %s encoder, trained with "
                     "them ([CLS] ... [SEP] or <s> ... </s>): this tokenizer does not belong to "
                     "that model",
                     model_path, c->model_type);
    return rc;
}

/* Internal to metrics/attribution/: the attention graph that rollout and flow share. */
#ifndef MIZANI_ATTR_RESIDUAL_ATTENTION_H
#define MIZANI_ATTR_RESIDUAL_ATTENTION_H

/* aug [T,T] = mean over heads of probs [H,T,T] plus the identity (the residual connection),
 * each row rescaled to sum to 1: 0.5 A + 0.5 I when A's rows sum to 1 (Abnar and Zuidema). */
void mz_attr_residual_attention(double *aug, const float *probs, int H, int T);

#endif

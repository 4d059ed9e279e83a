/* Attention flow (Abnar and Zuidema 2020): the maximum flow from a top-layer position to each
 * input token through the layered graph of residual-augmented attention, by Dinic's algorithm.
 * The graph is implicit: node (l, i) is token i after layer l (l = 0 the input); its edges go
 * down to (l-1, j) with capacity Ã_{l-1}[i][j], and the residual graph adds the reverse of each
 * edge carrying flow. */
#include "mizani/alloc.h"
#include "mizani/attribution.h"
#include "residual_attention.h"

#include <string.h>

#define FLOW_EPS 1e-12 /* residual capacity below this counts as saturated */

typedef struct flow_net {
    int layers, T, sink;
    double *cap, *flow;        /* [layers,T,T]: edge (l+1, i) -> (l, j) at [l][i][j] */
    int *level, *iter, *queue; /* [(layers+1) T] each */
} flow_net;

/* Residual capacity from node u to its k-th neighbour (k < T: down to token k of the layer
 * below; k >= T: up to token k - T of the layer above), and that neighbour in *v. */
static double residual(const flow_net *g, int u, int k, int *v) {
    int T = g->T, l = u / T, i = u % T;
    if (k < T) {
        if (l == 0) return 0;
        size_t e = ((size_t)(l - 1) * T + i) * T + k;
        *v = (l - 1) * T + k;
        return g->cap[e] - g->flow[e];
    }
    if (l == g->layers) return 0;
    *v = (l + 1) * T + (k - T);
    return g->flow[((size_t)l * T + (k - T)) * T + i]; /* undo flow on (l+1, k-T) -> (l, i) */
}

static void push(flow_net *g, int u, int k, double x) {
    int T = g->T, l = u / T, i = u % T;
    if (k < T)
        g->flow[((size_t)(l - 1) * T + i) * T + k] += x;
    else
        g->flow[((size_t)l * T + (k - T)) * T + i] -= x;
}

/* Levels from the source by breadth-first search; 1 when the sink is reachable. */
static int bfs(flow_net *g, int source) {
    int n = (g->layers + 1) * g->T, head = 0, tail = 0;
    for (int u = 0; u < n; u++)
        g->level[u] = -1;
    g->level[source] = 0;
    g->queue[tail++] = source;
    while (head < tail) {
        int u = g->queue[head++], v = 0;
        for (int k = 0; k < 2 * g->T; k++)
            if (residual(g, u, k, &v) > FLOW_EPS && g->level[v] < 0) {
                g->level[v] = g->level[u] + 1;
                g->queue[tail++] = v;
            }
    }
    return g->level[g->sink] >= 0;
}

/* One augmenting path along increasing levels (Dinic's blocking-flow step); the flow pushed. */
static double dfs(flow_net *g, int u, double limit) {
    if (u == g->sink) return limit;
    for (; g->iter[u] < 2 * g->T; g->iter[u]++) {
        int v = 0;
        double r = residual(g, u, g->iter[u], &v);
        if (r <= FLOW_EPS || g->level[v] != g->level[u] + 1) continue;
        double x = dfs(g, v, limit < r ? limit : r);
        if (x > FLOW_EPS) {
            push(g, u, g->iter[u], x);
            return x;
        }
    }
    return 0;
}

static double max_flow(flow_net *g, int source, int sink) {
    size_t edges = (size_t)g->layers * g->T * g->T;
    memset(g->flow, 0, edges * sizeof *g->flow);
    g->sink = sink;
    double total = 0;
    while (bfs(g, source)) {
        memset(g->iter, 0, (size_t)(g->layers + 1) * g->T * sizeof *g->iter);
        for (double x; (x = dfs(g, source, 1e300)) > FLOW_EPS;)
            total += x;
    }
    return total;
}

mz_status mz_attr_flow(double *out, const float *const *probs, int layers, int H, int T, int query,
                       mz_ctx *ctx) {
    if (T > MZ_ATTR_FLOW_MAX_TOKENS)
        return mz_fail(ctx, MZ_ERR_UNSUPPORTED, NULL,
                       "attention flow is computed exactly up to %d tokens, and this input has %d "
                       "(attention rollout has no limit)",
                       MZ_ATTR_FLOW_MAX_TOKENS, T);
    if (layers < 1 || query < 0 || query >= T)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "attention flow needs at least one layer and a query among the %d tokens "
                       "(got %d layers, query %d)",
                       T, layers, query);
    size_t edges = (size_t)layers * T * T, nodes = (size_t)(layers + 1) * T;
    flow_net g = {.layers = layers, .T = T};
    g.cap = mz_malloc(2 * edges * sizeof *g.cap);
    g.level = mz_malloc(3 * nodes * sizeof *g.level);
    if (!g.cap || !g.level) {
        mz_free(g.cap), mz_free(g.level);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for attention flow");
    }
    g.flow = g.cap + edges, g.iter = g.level + nodes, g.queue = g.iter + nodes;
    for (int l = 0; l < layers; l++)
        mz_attr_residual_attention(g.cap + (size_t)l * T * T, probs[l], H, T);
    double sum = 0;
    for (int j = 0; j < T; j++)
        sum += out[j] = max_flow(&g, layers * T + query, j);
    for (int j = 0; sum > 0 && j < T; j++)
        out[j] /= sum;
    mz_free(g.cap), mz_free(g.level);
    return MZ_OK;
}

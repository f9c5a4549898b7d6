package io.github.t2i4j.core.models;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.nn.AttentionOps;
import io.github.t2i4j.core.nn.GroupNorm;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;

/**
 * diffusers' {@code Attention}: multi-head self- or cross-attention with {@code to_q, to_k, to_v,
 * to_out.0}, optionally preceded by a GroupNorm over channels and followed by a residual
 * connection (the VAE's mid-block attention uses both).
 */
public class Attention extends Module {

    /** Construction options, named as diffusers' {@code Attention.__init__} arguments. */
    public record Options(
            long queryDim,
            Long crossAttentionDim,
            int heads,
            int dimHead,
            boolean bias,
            boolean outBias,
            Integer normNumGroups,
            float eps,
            boolean residualConnection,
            float rescaleOutputFactor) {

        /** Self/cross-attention as in a transformer block: no norm, no residual. */
        public static Options transformer(long queryDim, Long crossDim, int heads, int dimHead) {
            return new Options(queryDim, crossDim, heads, dimHead, false, true, null, 1e-5f, false, 1f);
        }
    }

    private final int heads;
    private final float scale;
    private final boolean residualConnection;
    private final float rescaleOutputFactor;
    private final GroupNorm groupNorm;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;

    public Attention(Options o) {
        long inner = (long) o.heads() * o.dimHead();
        long kvDim = o.crossAttentionDim() == null ? o.queryDim() : o.crossAttentionDim();
        this.heads = o.heads();
        this.scale = (float) (1.0 / Math.sqrt(o.dimHead()));
        this.residualConnection = o.residualConnection();
        this.rescaleOutputFactor = o.rescaleOutputFactor();
        this.groupNorm =
                o.normNumGroups() == null
                        ? null
                        : module("group_norm", new GroupNorm(o.normNumGroups(), o.queryDim(), o.eps()));
        this.toQ = module("to_q", new Linear(o.queryDim(), inner, o.bias()));
        this.toK = module("to_k", new Linear(kvDim, inner, o.bias()));
        this.toV = module("to_v", new Linear(kvDim, inner, o.bias()));
        ModuleList<Linear> out = module("to_out", new ModuleList<>());
        this.toOut = out.add(new Linear(inner, o.queryDim(), o.outBias()));
    }

    /** Self-attention over {@code hidden} ([B, L, C] or [B, C, H, W]). */
    public NDArray forward(NDArray hidden) {
        return forward(hidden, null, null);
    }

    /**
     * Attends from {@code hidden} to {@code context} (itself when null).
     *
     * @param mask additive mask broadcastable to [B, heads, Lq, Lk], or null
     */
    public NDArray forward(NDArray hidden, NDArray context, NDArray mask) {
        NDArray residual = hidden;
        Shape spatial = null;
        if (hidden.getShape().dimension() == 4) {
            spatial = hidden.getShape();
            hidden = hidden.reshape(spatial.get(0), spatial.get(1), -1).swapAxes(1, 2);
        }
        if (groupNorm != null) {
            hidden = groupNorm.forward(hidden.swapAxes(1, 2)).swapAxes(1, 2);
        }
        NDArray kv = context == null ? hidden : context;
        NDArray q = AttentionOps.splitHeads(toQ.forward(hidden), heads);
        NDArray k = AttentionOps.splitHeads(toK.forward(kv), heads);
        NDArray v = AttentionOps.splitHeads(toV.forward(kv), heads);
        NDArray out = AttentionOps.mergeHeads(AttentionOps.scaledDotProduct(q, k, v, mask, scale));
        out = toOut.forward(out);
        if (spatial != null) {
            out = out.swapAxes(1, 2).reshape(spatial);
        }
        if (residualConnection) {
            out = out.add(residual);
        }
        return rescaleOutputFactor == 1f ? out : Scalars.div(out, rescaleOutputFactor);
    }
}

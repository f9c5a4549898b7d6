package io.github.t2i4j.star.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import io.github.t2i4j.core.nn.AttentionOps;
import io.github.t2i4j.core.nn.Init;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/**
 * STAR's self-attention ({@code Attention} with {@code is_cross=False}): one bias-free
 * {@code mat_qkv} projection plus {@code q_bias}/{@code v_bias} (k has none), normalised 2D RoPE on
 * q and k, L2-normalised q and k with a learned per-head scale {@code scale_mul_1H11} (clamped at
 * log 100, initialised to log 4; softmax scale 1), an optional additive mask, and {@code proj}.
 *
 * <p>With {@link #kvCaching(boolean)} on, the k/v of each call are appended to a cache, so a
 * sampler runs one forward per scale with no mask (a scale sees itself and every coarser one).
 */
public class SelfAttention extends Module {
    private final int numHeads;
    private final long embedDim;
    private final Linear matQkv;
    private final Parameter qBias;
    private final Parameter vBias;
    private final Parameter scaleMul;
    private final Linear proj;

    private boolean caching;
    private final KeyValueCache cache = new KeyValueCache();

    public SelfAttention(long embedDim, int numHeads) {
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException(
                    "embed_dim " + embedDim + " is not divisible by num_heads " + numHeads);
        }
        this.numHeads = numHeads;
        this.embedDim = embedDim;
        this.matQkv = module("mat_qkv", new Linear(embedDim, 3 * embedDim, false));
        this.qBias = param("q_bias", Parameter.Type.BIAS, Init.ZEROS, embedDim);
        this.vBias = param("v_bias", Parameter.Type.BIAS, Init.ZEROS, embedDim);
        this.scaleMul =
                param("scale_mul_1H11", Parameter.Type.WEIGHT,
                        new ConstantInitializer(QkNorm.INIT_SCALE_MUL), 1, numHeads, 1, 1);
        buffer("zero_k_bias");
        this.proj = module("proj", new Linear(embedDim, embedDim));
    }

    /** Turns the KV cache on or off; either way it is emptied. */
    public void kvCaching(boolean enable) {
        caching = enable;
        cache.clear();
    }

    /** Number of cached key positions (0 when the cache is off or empty). */
    public long cachedLength() {
        return cache.length();
    }

    /**
     * @param x [B, L, C]
     * @param attnBias additive mask broadcastable to [B, H, L, Lk], or null
     * @param rope rotation tables for these L tokens, or null for no RoPE
     */
    public NDArray forward(NDArray x, NDArray attnBias, NormalizedRope2d.Tables rope) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        NDArray zeros = v(qBias).zerosLike();
        NDArray bias = NDArrays.concat(new NDList(v(qBias), zeros, v(vBias)));
        NDArray projected = matQkv.forward(x);
        NDArray qkv =
                projected
                        .add(bias)
                        .reshape(b, l, 3, numHeads, embedDim / numHeads)
                        .transpose(2, 0, 3, 1, 4); // 3, B, H, L, hd
        projected.close();
        zeros.close();
        bias.close();
        NDList parts = qkv.split(3, 0);
        NDArray q = parts.get(0).squeeze(0);
        NDArray k = parts.get(1).squeeze(0);
        NDArray v = parts.get(2).squeeze(0);
        parts.close();
        qkv.close();
        if (rope != null) {
            NDArray rq = rope.apply(q);
            NDArray rk = rope.apply(k);
            q.close();
            k.close();
            q = rq;
            k = rk;
        }
        NDList qk = QkNorm.apply(q, k, v(scaleMul));
        q = qk.get(0);
        k = qk.get(1);
        if (caching) {
            if (cache.isEmpty()) {
                cache.set(k, v);
            } else {
                NDArray ck = cache.keys().concat(k, 2);
                NDArray cv = cache.values().concat(v, 2);
                k.close();
                v.close();
                cache.set(ck, cv);
            }
            k = cache.keys();
            v = cache.values();
        }
        return attendAndProject(q, k, v, attnBias, caching, proj);
    }

    /**
     * VAR's attention output with L2-normalised q/k (the scale is already in q, so none is
     * applied): softmax(q k^T + bias) v over head-split [B, H, L, hd] arrays, heads merged, then
     * {@code proj}. Closes {@code q}, and {@code k} and {@code v} unless a cache holds them.
     */
    static NDArray attendAndProject(NDArray q, NDArray k, NDArray v, NDArray bias, boolean cached, Linear proj) {
        NDArray o = AttentionOps.scaledDotProduct(q, k, v, bias, 1f);
        q.close();
        if (!cached) {
            k.close();
            v.close();
        }
        NDArray merged = AttentionOps.mergeHeads(o);
        o.close();
        NDArray out = proj.forward(merged);
        merged.close();
        return out;
    }
}

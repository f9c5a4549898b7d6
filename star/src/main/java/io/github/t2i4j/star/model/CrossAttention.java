package io.github.t2i4j.star.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import io.github.t2i4j.core.nn.Init;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/**
 * STAR's cross-attention to the text sequence ({@code Attention} with {@code is_cross=True}):
 * {@code mat_q} on the image tokens, {@code mat_kv} on the text features (both bias-free, plus
 * {@code q_bias}/{@code v_bias}), L2-normalised q/k with the learned per-head scale, a key padding
 * mask, and {@code proj}. Every batch element attends to its own text (STAR's released code
 * broadcasts element 0's output; this does not).
 */
public class CrossAttention extends Module {
    private final int numHeads;
    private final long embedDim;
    private final Linear matQ;
    private final Linear matKv;
    private final Parameter qBias;
    private final Parameter vBias;
    private final Parameter scaleMul;
    private final Linear proj;
    private boolean cachingText;
    private final KeyValueCache textCache = new KeyValueCache();
    private NDArray cachedFor;

    public CrossAttention(long embedDim, long inDimCross, int numHeads) {
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException(
                    "embed_dim " + embedDim + " is not divisible by num_heads " + numHeads);
        }
        this.numHeads = numHeads;
        this.embedDim = embedDim;
        this.matKv = module("mat_kv", new Linear(inDimCross, 2 * embedDim, false));
        this.matQ = module("mat_q", new Linear(embedDim, embedDim, false));
        this.qBias = param("q_bias", Parameter.Type.BIAS, Init.ZEROS, embedDim);
        this.vBias = param("v_bias", Parameter.Type.BIAS, Init.ZEROS, embedDim);
        this.scaleMul =
                param("scale_mul_1H11", Parameter.Type.WEIGHT,
                        new ConstantInitializer(QkNorm.INIT_SCALE_MUL), 1, numHeads, 1, 1);
        buffer("zero_k_bias");
        this.proj = module("proj", new Linear(embedDim, embedDim));
    }

    /**
     * The additive key padding bias [B, 1, 1, T] for a keep mask [B, T] (non-zero = a real text
     * token, 0 = padding): 0 where kept, -inf where padded.
     */
    public static NDArray paddingBias(NDArray keepMask) {
        long b = keepMask.getShape().get(0);
        long t = keepMask.getShape().get(1);
        NDArray keep = keepMask.toType(DataType.FLOAT32, false).gt(0f);
        NDArray zeros = keepMask.getManager().zeros(keep.getShape(), DataType.FLOAT32);
        NDArray inf = keepMask.getManager().full(keep.getShape(), Float.NEGATIVE_INFINITY);
        NDArray bias = NDArrays.where(keep, zeros, inf).reshape(b, 1, 1, t);
        keep.close();
        zeros.close();
        inf.close();
        return bias;
    }

    /**
     * While on, the text's (normalised) keys and values are computed by the first call and reused
     * by the next calls with the same text array: during sampling the text is the same at every
     * scale, so only the first scale pays for them (another text array is encoded afresh and
     * replaces the cache). Either way the cache is emptied.
     */
    public void textCaching(boolean enable) {
        cachingText = enable;
        textCache.clear();
        cachedFor = null;
    }

    /**
     * @param x image tokens [B, L, C]
     * @param text text sequence features [B, T, C_cross]
     * @param textBias additive bias broadcastable to [B, H, L, T] (see {@link #paddingBias}), or null
     */
    public NDArray forward(NDArray x, NDArray text, NDArray textBias) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        long hd = embedDim / numHeads;
        NDArray qp = matQ.forward(x);
        NDArray q = qp.add(v(qBias)).reshape(b, l, numHeads, hd).transpose(0, 2, 1, 3);
        qp.close();
        NDArray nk;
        NDArray v;
        if (cachingText && !textCache.isEmpty() && cachedFor == text) {
            nk = textCache.keys();
            v = textCache.values();
        } else {
            NDList keysValues = textKeysValues(text, b, hd);
            nk = keysValues.get(0);
            v = keysValues.get(1);
            if (cachingText) {
                textCache.set(nk, v);
                cachedFor = text;
            }
        }
        return SelfAttention.attendAndProject(QkNorm.scaledQuery(q, v(scaleMul)), nk, v, textBias, cachingText, proj);
    }

    /** The text's L2-normalised keys and its values, each [B, H, T, hd]. */
    private NDList textKeysValues(NDArray text, long b, long hd) {
        long t = text.getShape().get(1);
        NDArray zeros = v(vBias).zerosLike();
        NDArray bias = NDArrays.concat(new NDList(zeros, v(vBias)));
        NDArray kvp = matKv.forward(text);
        NDArray kv = kvp.add(bias).reshape(b, t, 2, numHeads, hd).transpose(2, 0, 3, 1, 4);
        kvp.close();
        zeros.close();
        bias.close();
        NDList parts = kv.split(2, 0);
        NDArray k = parts.get(0).squeeze(0);
        NDArray v = parts.get(1).squeeze(0);
        parts.close();
        kv.close();
        NDArray nk = QkNorm.normalize(k);
        k.close();
        return new NDList(nk, v);
    }
}

package io.github.t2i4j.itercomp.gallery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Init;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.tensor.HostArrays;

/**
 * GLIGEN's grounding tokenizer for text boxes, diffusers' {@code GLIGENTextBoundingboxProjection}
 * with {@code feature_type="text-only"} (a UNet's {@code position_net}): each object's box goes
 * through a Fourier embedding ({@code fourier_freqs} frequencies {@code 100^(k/F)}, sin and cos of
 * each of x0, y0, x1, y1: {@code 8 F} features), is concatenated with the phrase's text embedding
 * ({@code positive_len} wide) and projected by the MLP {@code linears} (Linear 512, SiLU, Linear
 * 512, SiLU, Linear {@code out_dim}) to one grounding token. Padding slots (mask 0) take the
 * learned {@code null_positive_feature} and {@code null_position_feature} instead, so that a
 * batch always has the same number of tokens and "no grounding" is a learned input.
 */
public final class PositionNet extends Module {
    /** diffusers' hidden width of {@code linears}. */
    public static final int HIDDEN = 512;
    /** diffusers' default number of Fourier frequencies. */
    public static final int FOURIER_FREQS = 8;

    private final int positiveLen;
    private final int fourierFreqs;
    private final Linear l0;
    private final Linear l2;
    private final Linear l4;
    private final Parameter nullPositive;
    private final Parameter nullPosition;

    /** diffusers' defaults: 8 frequencies. */
    public PositionNet(int positiveLen, int outDim) {
        this(positiveLen, outDim, FOURIER_FREQS);
    }

    public PositionNet(int positiveLen, int outDim, int fourierFreqs) {
        this.positiveLen = positiveLen;
        this.fourierFreqs = fourierFreqs;
        int positionDim = positionDim(fourierFreqs);
        ModuleList<Module> linears = module("linears", new ModuleList<>());
        this.l0 = new Linear(positiveLen + positionDim, HIDDEN);
        this.l2 = new Linear(HIDDEN, HIDDEN);
        this.l4 = new Linear(HIDDEN, outDim);
        linears.add(l0);
        linears.add(new SiLU());
        linears.add(l2);
        linears.add(new SiLU());
        linears.add(l4);
        this.nullPositive = param("null_positive_feature", Parameter.Type.WEIGHT, Init.ZEROS, positiveLen);
        this.nullPosition = param("null_position_feature", Parameter.Type.WEIGHT, Init.ZEROS, positionDim);
    }

    /** Width of a box's Fourier embedding: sin and cos of 4 coordinates at each frequency. */
    public static int positionDim(int fourierFreqs) {
        return fourierFreqs * 2 * 4;
    }

    /** Width of the phrase embeddings this net takes. */
    public int positiveLen() {
        return positiveLen;
    }

    /**
     * @param boxes [B, N, 4] xyxy in [0, 1]
     * @param masks [B, N], 1 for an object, 0 for a padding slot
     * @param positiveEmbeddings [B, N, positive_len] phrase embeddings (any value in padding slots)
     * @return the grounding tokens [B, N, out_dim]
     */
    public NDArray forward(NDArray boxes, NDArray masks, NDArray positiveEmbeddings) {
        Shape b = boxes.getShape();
        if (b.dimension() != 3 || b.get(2) != 4) {
            throw new IllegalArgumentException("boxes must be [B, N, 4], got " + b);
        }
        if (!masks.getShape().equals(new Shape(b.get(0), b.get(1)))) {
            throw new IllegalArgumentException("masks must be [B, N] = [" + b.get(0) + ", " + b.get(1) + "], got "
                    + masks.getShape());
        }
        Shape p = positiveEmbeddings.getShape();
        if (p.dimension() != 3 || p.get(0) != b.get(0) || p.get(1) != b.get(1) || p.get(2) != positiveLen) {
            throw new IllegalArgumentException("positive embeddings must be [" + b.get(0) + ", " + b.get(1) + ", "
                    + positiveLen + "], got " + p);
        }
        NDArray m = masks.expandDims(-1);
        NDArray keep = m.neg().add(1f); // 1 - mask: no gradient reaches the masks
        NDArray xyxy = fourierEmbedding(boxes, fourierFreqs);
        NDArray position = xyxy.mul(m).add(keep.mul(v(nullPosition).reshape(1, 1, -1)));
        NDArray positive = positiveEmbeddings.mul(m).add(keep.mul(v(nullPositive).reshape(1, 1, -1)));
        NDArray h = NDArrays.concat(new NDList(positive, position), -1);
        h = Activations.silu(l0.forward(h));
        h = Activations.silu(l2.forward(h));
        return l4.forward(h);
    }

    /**
     * diffusers' {@code get_fourier_embeds_from_boundingbox}: for frequencies {@code f_k =
     * 100^(k/F)}, the features {@code sin(f_k c)} and {@code cos(f_k c)} of each coordinate
     * {@code c}, ordered frequency-major, then sin/cos, then coordinate: [B, N, 8F].
     */
    public static NDArray fourierEmbedding(NDArray boxes, int fourierFreqs) {
        float[] f = new float[fourierFreqs];
        for (int k = 0; k < fourierFreqs; k++) {
            f[k] = (float) Math.pow(100, (float) k / fourierFreqs);
        }
        Shape s = boxes.getShape();
        NDArray freqs = HostArrays.owned(boxes.getManager().create(f, new Shape(1, 1, 1, fourierFreqs)));
        NDArray emb = boxes.expandDims(-1).mul(freqs); // [B, N, 4, F]
        NDArray both = NDArrays.stack(new NDList(emb.sin(), emb.cos()), -1); // [B, N, 4, F, 2]
        return both.transpose(0, 1, 3, 4, 2).reshape(s.get(0), s.get(1), positionDim(fourierFreqs));
    }

    /** {@code torch.nn.SiLU} inside {@code linears}: no parameters, it keeps the Linear layers at indices 0, 2, 4. */
    private static final class SiLU extends Module {}
}

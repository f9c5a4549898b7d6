package io.github.t2i4j.suti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.models.Attention;
import io.github.t2i4j.core.models.unet.TokenFuser;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.tensor.HostArrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * SuTI's neighbour attention (Re-Imagen's "attention to the neighbours", Instruct-Imagen's extra
 * cross-attention at the bottleneck): a cross-attention from a transformer block's image tokens to
 * the flattened UNet-encoder features of all demonstrations (at the bottleneck, or at the block's
 * own resolution), added to the residual stream beside the
 * text cross-attention. It is attached to a {@code BasicTransformerBlock} as its {@code fuser}:
 *
 * <pre>
 * h = h + present * attn(norm(h), norm_cross(demo_tokens))
 * </pre>
 *
 * <ul>
 *   <li>{@code norm}: pre-LayerNorm of the image tokens (width {@code dim});
 *   <li>{@code norm_cross}: LayerNorm of the demonstration tokens (diffusers' {@code
 *       cross_attention_norm="layer_norm"}), since encoder features have no fixed scale;
 *   <li>{@code attn}: core's {@link Attention} with query width {@code dim} and key/value width the
 *       demonstration feature width ({@code to_k}, {@code to_v} project the features to the block's
 *       width, so one set of tokens serves blocks of any width);
 *   <li>{@code attn.to_out.0} starts at zero (weight and bias), so the attached layer adds exactly
 *       zero and the UNet is the trained base model until the layer is trained (ControlNet's zero
 *       convolution; the other projections start at PyTorch's default initialisation).
 * </ul>
 *
 * <p>A sample whose demonstration tokens are all exactly zero ({@code present = 0}) has no
 * demonstrations: the layer adds nothing for it. That is how one batch mixes conditions with and
 * without demonstrations (the demonstration dropout of training and the demonstration-free term of
 * the guidance), see {@link DemonstrationFeatures#none()}.
 */
public class NeighborAttention extends Module implements TokenFuser {
    private static final float NORM_EPS = 1e-5f;

    private final LayerNorm norm;
    private final LayerNorm normCross;
    private final Attention attn;
    private final int dim;
    private final int demoDim;
    private final String tokensKey;

    /**
     * @param dim width of the block's image tokens
     * @param demoDim width of the demonstration tokens (the channels of the encoder level they come from)
     * @param heads attention heads ({@code dim} must be a multiple)
     * @param tokensKey the key of the demonstration features this layer reads ({@link DemonstrationFeatures})
     */
    public NeighborAttention(int dim, int demoDim, int heads, String tokensKey) {
        if (dim < 1 || demoDim < 1 || heads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException("neighbour attention needs widths >= 1 and a width divisible by the heads: dim "
                    + dim + ", demo width " + demoDim + ", heads " + heads);
        }
        this.norm = module("norm", new LayerNorm(dim, NORM_EPS));
        this.normCross = module("norm_cross", new LayerNorm(demoDim, NORM_EPS));
        this.attn = module("attn", new Attention(Attention.Options.transformer(dim, (long) demoDim, heads, dim / heads)));
        this.dim = dim;
        this.demoDim = demoDim;
        this.tokensKey = java.util.Objects.requireNonNull(tokensKey, "tokensKey");
    }

    /** The encoder level whose demonstration features this layer reads. */
    @Override
    public String tokensKey() {
        return tokensKey;
    }

    /** Width of the image tokens. */
    public int dim() {
        return dim;
    }

    /** Width of the demonstration tokens. */
    public int demoDim() {
        return demoDim;
    }

    /**
     * Creates the parameters on {@code manager} in {@code type}, with values drawn in Java from {@code
     * rng} (never the engine's generator): {@code to_q}, {@code to_k}, {@code to_v} uniform in
     * &plusmn;1/sqrt(fan_in) (PyTorch's default), the layer norms at one and zero, {@code to_out.0}
     * at zero. The arrays belong to the layer, not to an {@link NDScope} the caller may have open.
     */
    public void initialize(NDManager manager, DataType type, SplittableRandom rng) {
        for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
            String name = e.getKey();
            Shape shape = namedShapes().get(name);
            float[] v = new float[Math.toIntExact(shape.size())];
            if (name.startsWith("attn.to_out.") || name.endsWith(".bias")) {
                // zeros: the output projection, and the layer norms' shifts
            } else if (name.startsWith("norm")) {
                java.util.Arrays.fill(v, 1f);
            } else {
                double bound = 1 / Math.sqrt(shape.get(shape.dimension() - 1));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                }
            }
            NDArray a = HostArrays.owned(manager.create(v, shape));
            if (type != DataType.FLOAT32) {
                NDArray cast = a.toType(type, false);
                a.close();
                a = cast;
            }
            NDScope.unregister(a);
            Parameter p = e.getValue();
            a.setRequiresGradient(p.requiresGradient());
            p.setArray(a);
        }
    }

    /**
     * @param hidden the image tokens [B, L, dim]
     * @param tokens the demonstration tokens [B, N, demoDim]; a sample's all-zero tokens mean no
     *     demonstrations
     */
    @Override
    public NDArray fuse(NDArray hidden, NDArray tokens) {
        Shape t = tokens.getShape();
        if (t.dimension() != 3 || t.get(0) != hidden.getShape().get(0) || t.get(2) != demoDim) {
            throw new IllegalArgumentException("demonstration tokens must be [" + hidden.getShape().get(0) + ", N, "
                    + demoDim + "], got " + t);
        }
        NDArray out = attn.forward(norm.forward(hidden), normCross.forward(tokens), null);
        NDArray present = tokens.reshape(t.get(0), -1).abs().max(new int[] {1}).gt(0f)
                .toType(out.getDataType(), false).reshape(t.get(0), 1, 1);
        return hidden.add(out.mul(present));
    }
}

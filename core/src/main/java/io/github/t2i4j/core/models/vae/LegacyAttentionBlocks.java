package io.github.t2i4j.core.models.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.io.TensorInfo;
import io.github.t2i4j.core.io.TensorSource;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Older diffusers VAE checkpoints (saved before diffusers 0.14) name the mid-block attention
 * {@code query, key, value, proj_attn}; diffusers renames them to {@code to_q, to_k, to_v,
 * to_out.0} on load ({@code ModelMixin._convert_deprecated_attention_blocks}), and so does this
 * class. Some of those files also store the four projections as 1x1 convolution weights [C, C, 1,
 * 1]; {@link #squeezeConvWeights} presents them as the [C, C] linear weights they are.
 */
public final class LegacyAttentionBlocks {
    private LegacyAttentionBlocks() {}

    private static final Pattern LEGACY =
            Pattern.compile(
                    "^((?:encoder|decoder)\\.mid_block\\.attentions\\.\\d+)\\.(query|key|value|proj_attn)\\.(weight|bias)$");

    private static final Pattern PROJECTION_WEIGHT =
            Pattern.compile(
                    "^(?:encoder|decoder)\\.mid_block\\.attentions\\.\\d+\\.(?:to_q|to_k|to_v|to_out\\.0)\\.weight$");

    /** The current diffusers name of a checkpoint name; names that are not legacy pass through. */
    public static String rename(String name) {
        Matcher m = LEGACY.matcher(name);
        if (!m.matches()) {
            return name;
        }
        String to;
        switch (m.group(2)) {
            case "query":
                to = "to_q";
                break;
            case "key":
                to = "to_k";
                break;
            case "value":
                to = "to_v";
                break;
            default:
                to = "to_out.0";
                break;
        }
        return m.group(1) + '.' + to + '.' + m.group(3);
    }

    /**
     * A view of {@code source} in which mid-block attention projection weights stored as [O, I, 1,
     * 1] read as [O, I] (names unchanged; every other tensor as it is).
     */
    public static TensorSource squeezeConvWeights(TensorSource source) {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return source.names();
            }

            @Override
            public TensorInfo info(String name) {
                TensorInfo t = source.info(name);
                Shape s = t.shape();
                if (isConvProjection(name, s)) {
                    return new TensorInfo(t.name(), t.dtype(), new Shape(s.get(0), s.get(1)), t.begin(), t.end());
                }
                return t;
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                NDArray a = source.load(name, manager);
                Shape s = a.getShape();
                if (!isConvProjection(name, s)) {
                    return a;
                }
                NDArray b = a.reshape(s.get(0), s.get(1));
                a.close();
                return b;
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    private static boolean isConvProjection(String name, Shape s) {
        return s.dimension() == 4
                && s.get(2) == 1
                && s.get(3) == 1
                && PROJECTION_WEIGHT.matcher(rename(name)).matches();
    }
}

package io.github.t2i4j.star.tokenizer;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.tensor.Scalars;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.Module;

/**
 * VAR's {@code Phi}: a 3x3 convolution C to C (it subclasses {@code nn.Conv2d}, so its parameters
 * are {@code weight} and {@code bias} directly) blended with its input, phi(h) = (1-r) h + r
 * conv(h), r = |quant_resi|. It refines each scale's upsampled code map before it is added to
 * f-hat.
 */
public class Phi extends Conv2d implements PhiLayer {
    private final float ratio;

    public Phi(long channels, double quantResi) {
        super(channels, channels, 3, 1, 1, true);
        this.ratio = (float) Math.abs(quantResi);
    }

    /** A {@link Phi}, or a parameterless identity as VAR uses for |quant_resi| &lt;= 1e-6. */
    public static Module of(long channels, double quantResi) {
        return Math.abs(quantResi) > 1e-6 ? new Phi(channels, quantResi) : new Identity();
    }

    @Override
    public NDArray apply(NDArray h) {
        return Scalars.mul(h, (float) (1f - ratio)).add(Scalars.mul(forward(h), (float) ratio));
    }

    /** {@code nn.Identity}: no parameters. */
    static final class Identity extends Module implements PhiLayer {
        @Override
        public NDArray apply(NDArray h) {
            return h.duplicate();
        }
    }
}

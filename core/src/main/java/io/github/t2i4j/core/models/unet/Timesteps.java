package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.nn.Module;

/**
 * diffusers' {@code Timesteps}: the sinusoidal embedding of (possibly fractional) timesteps
 * ({@code get_timestep_embedding}), with no parameters. Computed in float32 with the same
 * operation order as diffusers, so that large timesteps (999) give the same angles.
 */
public class Timesteps extends Module {
    private static final double MAX_PERIOD = 10000;

    private final int numChannels;
    private final boolean flipSinToCos;
    private final float downscaleFreqShift;

    public Timesteps(int numChannels, boolean flipSinToCos, float downscaleFreqShift) {
        this.numChannels = numChannels;
        this.flipSinToCos = flipSinToCos;
        this.downscaleFreqShift = downscaleFreqShift;
    }

    /**
     * @param timesteps [N] timesteps, integer or float
     * @return [N, numChannels] float32: [cos, sin] halves when flipSinToCos, else [sin, cos]
     */
    public NDArray forward(NDArray timesteps) {
        if (timesteps.getShape().dimension() != 1) {
            throw new IllegalArgumentException("timesteps must be 1-D, got " + timesteps.getShape());
        }
        int half = numChannels / 2;
        NDArray freqs =
                timesteps.getManager()
                        .arange(0f, half, 1f, DataType.FLOAT32, timesteps.getDevice())
                        .mul((float) -Math.log(MAX_PERIOD))
                        .div(half - downscaleFreqShift)
                        .exp();
        long n = timesteps.getShape().get(0);
        NDArray args = timesteps.toType(DataType.FLOAT32, false).reshape(n, 1).mul(freqs.reshape(1, half));
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = NDArrays.concat(flipSinToCos ? new NDList(cos, sin) : new NDList(sin, cos), -1);
        if (numChannels % 2 == 1) {
            emb = emb.pad(new Shape(0, 1), 0);
        }
        return emb;
    }
}

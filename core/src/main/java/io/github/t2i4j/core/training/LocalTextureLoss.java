package io.github.t2i4j.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.github.t2i4j.core.tensor.Scalars;

/**
 * A phase-invariant texture loss: the mean absolute difference between the local texture statistics
 * of a reconstruction and of its target, where the statistics are the mean absolute horizontal and
 * vertical pixel differences (at lags 1 and 2) averaged over overlapping windows.
 *
 * <p>Why: an autoencoder trained on a per-pixel error alone paints the average of the patterns it
 * cannot place exactly. When the latent keeps the rows of the world's staggered dots but not their
 * horizontal phase, that average is a set of horizontal stripes, another texture. Window statistics
 * do not depend on where in the window a dot falls, so this term asks for dots of the right density
 * and contrast wherever the target has them, and leaves their exact placement to the per-pixel
 * term. It plays the role of the perceptual (LPIPS) term of LDM's autoencoder loss, which needs a
 * pretrained network this offline project cannot fetch.
 */
public final class LocalTextureLoss {
    /** Pixel lags of the differences: 1 (fine detail) and 2 (half of the world's 4 px stripe period). */
    public static final int[] LAGS = {1, 2};

    private final int window;
    private final int stride;

    /**
     * @param window side of the square windows the differences are averaged over; larger than a
     *     pattern's period for the statistics not to depend on its phase
     * @param stride step between windows
     */
    public LocalTextureLoss(int window, int stride) {
        if (window < 1 || stride < 1) {
            throw new IllegalArgumentException("window and stride must be positive: " + window + ", " + stride);
        }
        this.window = window;
        this.stride = stride;
    }

    /** 8x8 windows every 4 pixels: wider than the world's dot spacing (5.6 px at 64x64) and stripe period (4 px). */
    public static LocalTextureLoss defaults() {
        return new LocalTextureLoss(8, 4);
    }

    /**
     * The loss of {@code recon} against {@code target}, both [B, C, H, W] with H and W of at least
     * the window plus the largest lag: a scalar averaged over lags, directions and windows.
     */
    public NDArray apply(NDArray recon, NDArray target) {
        Shape s = target.getShape();
        if (!recon.getShape().equals(s) || s.dimension() != 4) {
            throw new IllegalArgumentException("recon and target must be [B, C, H, W] of one shape: "
                    + recon.getShape() + " vs " + s);
        }
        int largestLag = LAGS[LAGS.length - 1];
        if (s.get(2) < window + largestLag || s.get(3) < window + largestLag) {
            throw new IllegalArgumentException("images of " + s.get(2) + "x" + s.get(3)
                    + " are smaller than the " + window + " px window plus lag " + largestLag);
        }
        NDArray total = null;
        for (int lag : LAGS) {
            for (boolean horizontal : new boolean[] {true, false}) {
                NDArray term = statistics(recon, lag, horizontal).sub(statistics(target, lag, horizontal)).abs().mean();
                total = total == null ? term : total.add(term);
            }
        }
        return Scalars.mul(total, 1f / (2 * LAGS.length));
    }

    /** Mean absolute pixel difference at {@code lag} along one direction, averaged over each window. */
    NDArray statistics(NDArray a, int lag, boolean horizontal) {
        return Pool.avgPool2d(difference(a, lag, horizontal).abs(), new Shape(window, window), new Shape(stride, stride),
                new Shape(0, 0), false, true);
    }

    /**
     * The image-gradient term that sharpens edges: the mean absolute error of the horizontal and
     * vertical pixel differences of {@code recon} against {@code x} ([B, C, H, W]), averaged over
     * both directions.
     */
    public static NDArray gradientError(NDArray recon, NDArray x) {
        // differencing is linear: the differences of the error are the error of the differences
        NDArray error = recon.sub(x);
        NDArray dx = difference(error, 1, true).abs().mean();
        NDArray dy = difference(error, 1, false).abs().mean();
        return Scalars.mul(dx.add(dy), 0.5f);
    }

    /**
     * The differences of pixels {@code lag} apart in {@code a} ([B, C, H, W]): along the width
     * ([B, C, H, W - lag]) when {@code horizontal}, else along the height ([B, C, H - lag, W]).
     */
    public static NDArray difference(NDArray a, int lag, boolean horizontal) {
        long h = a.getShape().get(2);
        long w = a.getShape().get(3);
        return horizontal
                ? a.get(":, :, :, " + lag + ":").sub(a.get(":, :, :, :" + (w - lag)))
                : a.get(":, :, " + lag + ":, :").sub(a.get(":, :, :" + (h - lag) + ", :"));
    }
}

package io.github.t2i4j.star.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The two resamplings of VAR's quantizer, as PyTorch's {@code F.interpolate} computes them on
 * [B, C, H, W] maps: {@code mode='area'} (adaptive average pooling) and {@code mode='bicubic'}
 * ({@code align_corners=False}, cubic coefficient -0.75, border indices clamped).
 *
 * <p>Both are separable linear maps, applied here as two matrix products {@code R_h x R_w^T}, with
 * the 1-D weight matrices computed in Java exactly as PyTorch's kernels compute their weights. This
 * does not depend on DJL's {@code interpolation}, whose bicubic mode runs PyTorch's antialiased
 * kernel (a different cubic, coefficient -0.5, and renormalised borders), and it is differentiable
 * and device-agnostic (the matrices are created on the input's manager).
 */
public final class Resampling {
    private Resampling() {}

    private static final float CUBIC_A = -0.75f;
    private static final Map<String, float[]> CACHE = new ConcurrentHashMap<>();

    /** {@code F.interpolate(x, size=(h, w), mode='area')}: average over PyTorch's adaptive bins. */
    public static NDArray area(NDArray x, int h, int w) {
        return resample(x, h, w, true);
    }

    /** {@code F.interpolate(x, size=(h, w), mode='bicubic', align_corners=False)}. */
    public static NDArray bicubic(NDArray x, int h, int w) {
        return resample(x, h, w, false);
    }

    private static NDArray resample(NDArray x, int h, int w, boolean area) {
        int inH = (int) x.getShape().get(x.getShape().dimension() - 2);
        int inW = (int) x.getShape().get(x.getShape().dimension() - 1);
        if (inH == h && inW == w) {
            // both kernels are the identity at the same size; return a new array, not the input
            return x.duplicate();
        }
        NDManager m = x.getManager();
        DataType type = x.getDataType();
        try (NDArray rh = matrix(m, type, inH, h, area, false);
                NDArray rwT = matrix(m, type, inW, w, area, true);
                NDArray rows = rh.matMul(x)) {
            return rows.matMul(rwT);
        }
    }

    /** The [out, in] weight matrix of one axis (or its [in, out] transpose), on {@code m}. */
    static NDArray matrix(NDManager m, DataType type, int in, int out, boolean area, boolean transposed) {
        float[] w =
                CACHE.computeIfAbsent(
                        (area ? "area:" : "cubic:") + in + ":" + out + (transposed ? ":T" : ""),
                        k -> {
                            float[] r = area ? areaWeights(in, out) : cubicWeights(in, out);
                            return transposed ? transpose(r, out, in) : r;
                        });
        NDArray wrapped = m.create(w, transposed ? new Shape(in, out) : new Shape(out, in));
        // On CPU, PyTorch's create wraps a Java direct buffer that lives only as long as this
        // handle; autograd keeps the matrix for backward after the caller closes it, so hand it a
        // copy in memory PyTorch owns (otherwise backward may read a freed buffer).
        NDArray a = type == DataType.FLOAT32 ? wrapped.duplicate() : wrapped.toType(type, true);
        wrapped.close();
        return a;
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    /** adaptive_avg_pool's bins: [floor(i*in/out), ceil((i+1)*in/out)), equal weights. */
    static float[] areaWeights(int in, int out) {
        float[] w = new float[out * in];
        for (int i = 0; i < out; i++) {
            int start = (int) Math.floor((float) (i * in) / out);
            int end = (int) Math.ceil((float) ((i + 1) * in) / out);
            float v = 1f / (end - start);
            for (int j = start; j < end; j++) {
                w[i * in + j] = v;
            }
        }
        return w;
    }

    /**
     * PyTorch's bicubic weights in single precision: source position {@code scale*(i+0.5)-0.5}
     * (not clamped), four taps at floor-1..floor+2 clamped to the border, Keys' cubic with A=-0.75.
     */
    static float[] cubicWeights(int in, int out) {
        float[] w = new float[out * in];
        float scale = (float) in / out;
        for (int i = 0; i < out; i++) {
            float real = scale * (i + 0.5f) - 0.5f;
            int index = Math.min((int) Math.floor(real), in - 1);
            float t = Math.min(Math.max(real - index, 0f), 1f);
            float t2 = 1f - t;
            float[] c = {cubic2(t + 1f), cubic1(t), cubic1(t2), cubic2(t2 + 1f)};
            for (int k = 0; k < 4; k++) {
                int j = Math.min(Math.max(index - 1 + k, 0), in - 1);
                w[i * in + j] += c[k];
            }
        }
        return w;
    }

    private static float cubic1(float x) {
        return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
    }

    private static float cubic2(float x) {
        return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
    }
}

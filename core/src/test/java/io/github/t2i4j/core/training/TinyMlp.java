package io.github.t2i4j.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import java.util.SplittableRandom;

/** A 2-16-1 tanh MLP regressing y = sin(2 x0) + x1^2 / 2, with data drawn in Java. */
final class TinyMlp extends Module {
    static final int BATCH = 32;

    final Linear fc1 = module("fc1", new Linear(2, 16));
    final Linear fc2 = module("fc2", new Linear(16, 1));

    NDArray forward(NDArray x) {
        return fc2.forward(fc1.forward(x).tanh());
    }

    /** A model with weights drawn from {@code seed} in Java (independent of the engine's RNG). */
    static TinyMlp create(NDManager manager, long seed) {
        TinyMlp m = new TinyMlp();
        m.initialize(manager, DataType.FLOAT32);
        SplittableRandom rng = new SplittableRandom(seed);
        for (Parameter p : m.namedParameters().values()) {
            Shape s = p.getArray().getShape();
            float[] v = new float[(int) s.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rng.nextDouble(-0.5, 0.5));
            }
            try (NDArray a = manager.create(v, s)) {
                p.getArray().set(new NDIndex("..."), a);
            }
        }
        return m;
    }

    /** Mean squared error on a batch drawn from the micro-batch's random stream. */
    NDArray loss(MicroBatch mb) {
        SplittableRandom rng = mb.random();
        float[] x = new float[BATCH * 2];
        float[] y = new float[BATCH];
        for (int i = 0; i < BATCH; i++) {
            float a = (float) rng.nextDouble(-1.5, 1.5);
            float b = (float) rng.nextDouble(-1.5, 1.5);
            x[2 * i] = a;
            x[2 * i + 1] = b;
            y[i] = (float) (Math.sin(2 * a) + 0.5 * b * b);
        }
        NDManager m = fc1.namedParameters().get("weight").getArray().getManager();
        NDArray xs = m.create(x, new Shape(BATCH, 2));
        NDArray ys = m.create(y, new Shape(BATCH, 1));
        return forward(xs).sub(ys).square().mean();
    }
}

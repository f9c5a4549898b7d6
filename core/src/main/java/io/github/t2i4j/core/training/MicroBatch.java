package io.github.t2i4j.core.training;

import java.util.SplittableRandom;

/**
 * What a loss function is asked for: micro-batch {@code index} of {@code count} of the update at
 * 0-based {@code step}, and the randomness to draw its data and noise from.
 *
 * <p>{@link #random()} is a pure function of (seed, step, index), so a run resumed at any step
 * draws exactly the numbers the uninterrupted run drew, with no generator state to save. Loss
 * functions should take all their randomness from it (in Java, e.g. with {@code nextGaussian},
 * not from the engine's global generator).
 */
public record MicroBatch(long step, int index, int count, long seed) {

    public MicroBatch {
        if (step < 0 || count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException(
                    "bad micro-batch: step " + step + ", index " + index + " of " + count);
        }
    }

    /** A fresh generator for this micro-batch (each call returns one in the same state). */
    public SplittableRandom random() {
        return new SplittableRandom(streamSeed(seed, step, index));
    }

    /** A seed for the stream of (seed, step, index): hashed so that nearby streams are unrelated. */
    public static long streamSeed(long seed, long step, int index) {
        long h = mix64(seed ^ 0x9E3779B97F4A7C15L);
        h = mix64(h ^ mix64(step + 0x632BE59BD9B4E019L));
        return mix64(h ^ mix64(index + 0xD1B54A32D192ED03L));
    }

    /** The 64-bit finaliser of MurmurHash3 / SplittableRandom (variant 13). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

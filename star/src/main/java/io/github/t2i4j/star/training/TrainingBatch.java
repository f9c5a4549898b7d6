package io.github.t2i4j.star.training;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * What one STAR training micro-batch is made of: which cached samples, and their captions after
 * STAR's caption dropout (each caption independently replaced by the empty prompt "" with
 * probability {@code condDropRate}, 10% in STAR, so the model also learns the unconditional
 * distribution that classifier-free guidance needs). Drawn from the micro-batch's random stream in
 * a fixed order (the sample indices, then the dropout flags), so a resumed run draws exactly what
 * the uninterrupted one drew.
 *
 * @param indices cached sample of each batch item
 * @param captions each item's caption, "" where dropped
 * @param dropped whether each item's caption was dropped
 */
public record TrainingBatch(long[] indices, List<String> captions, boolean[] dropped) {

    /** The empty prompt: the unconditional input of training and of guided sampling. */
    public static final String EMPTY_PROMPT = "";

    public TrainingBatch {
        captions = List.copyOf(captions);
    }

    /**
     * Draws {@code batchSize} samples uniformly from {@code 0 .. population-1}, then drops each
     * caption with probability {@code condDropRate}.
     *
     * @param caption the caption of a sample index
     */
    public static TrainingBatch draw(
            SplittableRandom rng, int batchSize, long population, double condDropRate, LongFunction<String> caption) {
        if (batchSize < 1 || population < 1) {
            throw new IllegalArgumentException("need a batch and a population: " + batchSize + ", " + population);
        }
        if (!(condDropRate >= 0 && condDropRate <= 1)) {
            throw new IllegalArgumentException("condDropRate must be in [0, 1]: " + condDropRate);
        }
        long[] indices = new long[batchSize];
        for (int i = 0; i < batchSize; i++) {
            indices[i] = rng.nextLong(population);
        }
        boolean[] dropped = new boolean[batchSize];
        List<String> captions = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            dropped[i] = rng.nextDouble() < condDropRate;
            captions.add(dropped[i] ? EMPTY_PROMPT : caption.apply(indices[i]));
        }
        return new TrainingBatch(indices, captions, dropped);
    }

    /** Number of dropped captions. */
    public int droppedCount() {
        int n = 0;
        for (boolean d : dropped) {
            n += d ? 1 : 0;
        }
        return n;
    }
}

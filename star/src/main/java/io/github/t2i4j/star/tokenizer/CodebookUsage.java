package io.github.t2i4j.star.tokenizer;

import java.util.Arrays;

/**
 * Codebook usage during tokenizer training, tracked as VAR tracks it in {@code ema_vocab_hit_SV}:
 * per scale, an exponential moving average of how many positions picked each code (a copy at the
 * first batch, then decay 0.9 for 100 batches, 0.99 after). A code counts as used at a scale when
 * its average reaches VAR's margin, 0.08 times the hits an even spread of one batch's full-size
 * latent positions would give each code (B*h*w/V). Codes whose average, summed over scales, falls
 * below a threshold are "dead": see {@link VectorQuantizer2#reinitCodes}.
 *
 * <p>Differences from VAR: the first batch initialises every scale (VAR's counter is per scale
 * call, so only its first scale is copied), and there is no all-reduce (one process).
 */
public final class CodebookUsage {
    private final int scales;
    private final int vocab;
    private final double[][] ema;
    private long records;
    private double lastMargin;

    public CodebookUsage(int scales, int vocab) {
        this.scales = scales;
        this.vocab = vocab;
        this.ema = new double[scales][vocab];
    }

    /**
     * Adds one batch's hits [scales][V] ({@link VectorQuantizer2.VQOutput#hits()}); {@code
     * positions} is the number of full-size latent positions in the batch (B*h*w).
     */
    public void record(long[][] hits, long positions) {
        if (hits.length != scales) {
            throw new IllegalArgumentException("expected hits of " + scales + " scales, got " + hits.length);
        }
        double keep = records == 0 ? 0 : records < 100 ? 0.9 : 0.99;
        for (int s = 0; s < scales; s++) {
            for (int v = 0; v < vocab; v++) {
                ema[s][v] = keep * ema[s][v] + (1 - keep) * hits[s][v];
            }
        }
        records++;
        lastMargin = (double) positions / vocab * 0.08;
    }

    /** Batches recorded so far. */
    public long records() {
        return records;
    }

    /** Per scale, the percentage of codes whose average hits reach VAR's margin. */
    public double[] usagePercent() {
        double[] out = new double[scales];
        for (int s = 0; s < scales; s++) {
            int used = 0;
            for (int v = 0; v < vocab; v++) {
                used += ema[s][v] >= lastMargin ? 1 : 0;
            }
            out[s] = 100.0 * used / vocab;
        }
        return out;
    }

    /** The percentage of codes used at any scale (average hits summed over scales reach the margin). */
    public double overallUsagePercent() {
        int used = 0;
        for (int v = 0; v < vocab; v++) {
            used += total(v) >= lastMargin ? 1 : 0;
        }
        return 100.0 * used / vocab;
    }

    /** Codes whose average hits summed over scales are below {@code threshold}. */
    public int[] deadCodes(double threshold) {
        return java.util.stream.IntStream.range(0, vocab).filter(v -> total(v) < threshold).toArray();
    }

    /** Codes whose average hits summed over scales are below VAR's usage margin. */
    public int[] deadCodes() {
        return deadCodes(lastMargin);
    }

    /** Forgets the history of {@code codes} (after they were re-initialised): they start at the margin. */
    public void revive(int[] codes) {
        for (int v : codes) {
            for (int s = 0; s < scales; s++) {
                ema[s][v] = lastMargin / scales;
            }
        }
    }

    /** The average hits of one code at one scale. */
    public double averageHits(int scale, int code) {
        return ema[scale][code];
    }

    private double total(int v) {
        double t = 0;
        for (int s = 0; s < scales; s++) {
            t += ema[s][v];
        }
        return t;
    }

    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "codebook usage %.1f%% (per scale %s)",
                overallUsagePercent(),
                Arrays.toString(Arrays.stream(usagePercent()).map(x -> Math.round(x * 10) / 10.0).toArray()));
    }
}

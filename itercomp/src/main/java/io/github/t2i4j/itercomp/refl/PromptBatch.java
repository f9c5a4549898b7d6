package io.github.t2i4j.itercomp.refl;

import io.github.t2i4j.core.tensor.NoGrad;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.models.unet.AddedCond;
import io.github.t2i4j.core.pipelines.Conditioning;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The prompts of one feedback micro-batch with their text conditioning, computed by the frozen
 * text encoder(s) without gradient.
 *
 * @param prompts the B prompts (what the rewards judge)
 * @param cond their conditioning, B rows
 * @param uncond the negative prompts' conditioning for classifier-free guidance, B rows, or null
 *     (the paper samples without guidance)
 */
public record PromptBatch(List<String> prompts, Conditioning cond, Conditioning uncond) {

    public PromptBatch {
        prompts = List.copyOf(prompts);
        if (cond == null || cond.context() == null) {
            throw new IllegalArgumentException("no conditioning");
        }
        long rows = cond.context().getShape().get(0);
        if (rows != prompts.size() || (uncond != null && uncond.context().getShape().get(0) != rows)) {
            throw new IllegalArgumentException(prompts.size() + " prompts, conditioning of " + rows + " rows"
                    + (uncond == null ? "" : " and " + uncond.context().getShape().get(0) + " unconditional rows"));
        }
    }

    public int size() {
        return prompts.size();
    }

    /** A text encoder as the feedback step sees it: prompts to conditioning (SD: {@code pipe.encode}). */
    @FunctionalInterface
    public interface TextConditioner {
        Conditioning encode(NDManager manager, List<String> prompts);
    }

    /**
     * Draws {@code batchSize} prompts uniformly (with replacement) from {@code prompts} with the
     * micro-batch's generator and encodes them without gradient on {@code manager}.
     *
     * @param negativePrompt the prompt of the unconditional branch (usually ""), or null for no
     *     guidance
     */
    public static Function<SplittableRandom, PromptBatch> sampler(
            List<String> prompts, int batchSize, TextConditioner encoder, NDManager manager, String negativePrompt) {
        if (prompts.isEmpty() || batchSize < 1) {
            throw new IllegalArgumentException("need prompts and a positive batch size");
        }
        List<String> all = List.copyOf(prompts);
        return rng -> {
            List<String> chosen = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                chosen.add(all.get(rng.nextInt(all.size())));
            }
            Conditioning cond = encode(encoder, manager, chosen);
            Conditioning uncond = negativePrompt == null ? null
                    : encode(encoder, manager, Collections.nCopies(batchSize, negativePrompt));
            return new PromptBatch(chosen, cond, uncond);
        };
    }

    /** {@code encoder} run without gradient, its outputs detached from any graph. */
    public static Conditioning encode(TextConditioner encoder, NDManager manager, List<String> prompts) {
        return NoGrad.run(() -> detach(encoder.encode(manager, prompts)));
    }

    static Conditioning detach(Conditioning c) {
        AddedCond a = c.added();
        return new Conditioning(detach(c.context()),
                a == null ? null : new AddedCond(detach(a.textEmbeds()), detach(a.timeIds())));
    }

    private static NDArray detach(NDArray x) {
        return x == null ? null : x.stopGradient();
    }
}

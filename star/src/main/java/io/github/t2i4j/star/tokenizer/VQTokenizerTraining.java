package io.github.t2i4j.star.tokenizer;

import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import io.github.t2i4j.core.training.AdamW;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training of a {@link MultiScaleVQTokenizer}, which VAR's repository does not ship: the loss of one
 * batch (reconstruction MSE plus the VQ loss of {@link VectorQuantizer2#forward}, straight-through),
 * codebook usage tracking ({@link CodebookUsage}) and dead-code re-initialisation from the vectors
 * the quantiser recently matched. Use {@link #loss(NDArray)} as the {@code Trainer}'s loss function;
 * every {@code reinitEvery} batches, codes below the usage margin are re-initialised before the next
 * forward pass (outside the graph), and their optimizer moments are cleared when the optimizer is
 * known. VAR's paper adds perceptual and adversarial losses, which are not part of this class.
 */
public final class VQTokenizerTraining {
    private static final Logger LOG = LoggerFactory.getLogger(VQTokenizerTraining.class);
    private static final String CODEBOOK = "quantize.embedding.weight";

    private final MultiScaleVQTokenizer tokenizer;
    private final CodebookUsage usage;
    private final float vqWeight;
    private final int reinitEvery;
    private final Random rng;
    private AdamW optimizer;
    private NDArray lastInputs;
    private double lastReconstruction = Double.NaN;
    private double lastVq = Double.NaN;
    private int reinitialised;

    /**
     * @param vqWeight weight of the VQ loss next to the reconstruction MSE (1 in VAR's code)
     * @param reinitEvery batches between dead-code re-initialisations (0: never)
     * @param seed seed of the choice of replacement vectors
     */
    public VQTokenizerTraining(MultiScaleVQTokenizer tokenizer, double vqWeight, int reinitEvery, long seed) {
        this.tokenizer = tokenizer;
        this.usage = new CodebookUsage(tokenizer.config().scales(), tokenizer.config().vocabSize());
        this.vqWeight = (float) vqWeight;
        this.reinitEvery = reinitEvery;
        this.rng = new Random(seed);
    }

    /** The optimizer whose moments of re-initialised codes are cleared (optional). */
    public VQTokenizerTraining optimizer(AdamW optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    /**
     * The scalar loss of a batch of images [B, 3, H, W] in [-1, 1]: MSE(reconstruction, image) +
     * vqWeight * VQ loss. Records codebook usage; re-initialises dead codes first when due.
     */
    public NDArray loss(NDArray images) {
        if (reinitEvery > 0 && usage.records() > 0 && usage.records() % reinitEvery == 0 && lastInputs != null) {
            reinitDeadCodes();
        }
        MultiScaleVQTokenizer.TrainingOutput out = tokenizer.forward(images);
        NDArray rec = out.reconstruction().sub(images).square().mean();
        NDArray vq = out.vq().vqLoss();
        long latent = tokenizer.config().latentSize();
        usage.record(out.vq().hits(), images.getShape().get(0) * latent * latent);
        lastReconstruction = rec.getFloat();
        lastVq = vq.getFloat();
        // keep the matched vectors past the caller's scope, for the next re-initialisation
        NDArray inputs = out.vq().inputs().stopGradient().duplicate();
        NDScope.unregister(inputs);
        if (lastInputs != null) {
            lastInputs.close();
        }
        lastInputs = inputs;
        return rec.add(Scalars.mul(vq, (float) vqWeight));
    }

    /**
     * Re-initialises the codes below the usage margin from the last batch's matched vectors now;
     * returns how many. Call outside a backward pass.
     */
    public int reinitDeadCodes() {
        if (lastInputs == null) {
            return 0;
        }
        int[] dead = usage.deadCodes();
        if (dead.length == 0) {
            return 0;
        }
        tokenizer.quantize().reinitCodes(dead, lastInputs, rng);
        usage.revive(dead);
        if (optimizer != null && optimizer.parameters().containsKey(CODEBOOK)) {
            try (NDArray rows = HostArrays.owned(optimizer.expAvg(CODEBOOK).getManager().create(toLong(dead)))) {
                NDIndex index = new NDIndex("{}, :", rows);
                optimizer.expAvg(CODEBOOK).set(index, 0f);
                optimizer.expAvgSq(CODEBOOK).set(index, 0f);
            }
        }
        reinitialised += dead.length;
        LOG.debug("re-initialised {} dead codes; {}", dead.length, usage);
        return dead.length;
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    public CodebookUsage usage() {
        return usage;
    }

    /** The reconstruction MSE of the last batch. */
    public double lastReconstructionLoss() {
        return lastReconstruction;
    }

    /** The VQ loss of the last batch. */
    public double lastVqLoss() {
        return lastVq;
    }

    /** Codes re-initialised so far. */
    public int reinitialisedCodes() {
        return reinitialised;
    }
}

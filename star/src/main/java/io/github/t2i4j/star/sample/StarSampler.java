package io.github.t2i4j.star.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.star.model.CrossAttention;
import io.github.t2i4j.star.model.StarConfig;
import io.github.t2i4j.star.model.StarTransformer;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import io.github.t2i4j.star.tokenizer.VQVAEConfig;
import io.github.t2i4j.star.tokenizer.VectorQuantizer2;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STAR's sampler (VAR's {@code autoregressive_infer_cfg} as STAR runs it): generates images scale
 * by scale with the transformer's KV cache, one {@link StarTransformer#forwardScale} per scale (or,
 * to measure what the cache saves, recomputing all scales so far at every scale).
 *
 * <p>The conditional batch (the prompts) and, under guidance, the unconditional one (the empty
 * prompt) run together as one batch of 2B. Scale 0 starts from the start tokens of the pooled text
 * feature; at every scale k the logits are guided with {@link CfgRamp} (t_k = cfg * k / (K - 1)),
 * divided by the temperature, filtered by {@link TopKTopP} and sampled by {@link
 * CategoricalSampler} (item i seeded {@code seed + i}); the sampled codes are added to f-hat by the
 * tokenizer's {@code get_next_autoregressive_input}, which also gives the next scale's input. The
 * final f-hat is decoded to images in [-1, 1].
 *
 * <p>Every scale runs in its own {@link NDScope}; the KV cache is switched off (and freed) when
 * sampling ends, also on failure. The results live on the conditioning's manager.
 */
public class StarSampler {
    private static final Logger LOG = LoggerFactory.getLogger(StarSampler.class);

    private final StarTransformer model;
    private final MultiScaleVQTokenizer tokenizer;
    private final List<Integer> patchNums;
    private final boolean kvCache;

    /** A sampler over {@code model} and the tokenizer it was trained on (same scales, vocabulary, Cvae). */
    public StarSampler(StarTransformer model, MultiScaleVQTokenizer tokenizer) {
        this(model, tokenizer, true);
    }

    /**
     * As {@link #StarSampler(StarTransformer, MultiScaleVQTokenizer)}; without the KV cache every
     * scale recomputes the block-causal forward over all scales so far ({@link
     * StarTransformer#forwardPrefix}): the same logits, for measuring what the cache saves.
     */
    public StarSampler(StarTransformer model, MultiScaleVQTokenizer tokenizer, boolean kvCache) {
        StarConfig mc = model.config();
        VQVAEConfig tc = tokenizer.config();
        List<Integer> pns = Arrays.stream(mc.patchNums()).boxed().toList();
        if (!pns.equals(tc.vPatchNums())) {
            throw new IllegalArgumentException(
                    "the transformer's patch_nums " + pns + " differ from the tokenizer's " + tc.vPatchNums());
        }
        if (mc.vocabSize() != tc.vocabSize() || mc.cvae() != tc.zChannels()) {
            throw new IllegalArgumentException(
                    "the transformer has vocab_size " + mc.vocabSize() + ", Cvae " + mc.cvae()
                            + "; the tokenizer has " + tc.vocabSize() + ", " + tc.zChannels());
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.patchNums = pns;
        this.kvCache = kvCache;
    }

    /** The same model and tokenizer, sampling with or without the KV cache. */
    public StarSampler withKvCache(boolean on) {
        return new StarSampler(model, tokenizer, on);
    }

    public boolean kvCache() {
        return kvCache;
    }

    public StarTransformer model() {
        return model;
    }

    public MultiScaleVQTokenizer tokenizer() {
        return tokenizer;
    }

    /** {@link #sample(TextCondition, TextCondition, SamplingOptions, ScaleListener)} with no listener. */
    public StarSample sample(TextCondition cond, TextCondition uncond, SamplingOptions options) {
        return sample(cond, uncond, options, ScaleListener.NONE);
    }

    /**
     * Generates one image per item of {@code cond}.
     *
     * @param cond the prompts' conditioning [B, ...]
     * @param uncond the empty prompt's conditioning, batch 1 or B, same text length as {@code
     *     cond}; unused (may be null) when cfg is 0
     * @param options guidance, filtering, temperature and seed
     * @param listener sees each scale's guided logits
     */
    public StarSample sample(
            TextCondition cond, TextCondition uncond, SamplingOptions options, ScaleListener listener) {
        int b = cond.batchSize();
        boolean guided = options.cfg() != 0;
        if (guided && uncond == null) {
            throw new IllegalArgumentException("cfg " + options.cfg() + " needs the empty prompt's conditioning");
        }
        NDManager m = cond.sequence().getManager();
        int sn = patchNums.size();
        long cvae = tokenizer.config().zChannels();
        int side = patchNums.get(sn - 1);
        CategoricalSampler sampler = options.greedy() ? null : new CategoricalSampler(options.seed(), b);
        List<NDArray> ids = new ArrayList<>(sn);
        NDArray fhat = null;
        NDArray images;
        try (NDScope outer = new NDScope()) {
            TextCondition text = guided ? withUncond(cond, uncond) : cond;
            NDArray textBias = text.keepMask() == null ? null : CrossAttention.paddingBias(text.keepMask());
            fhat = m.zeros(new Shape(b, cvae, side, side), DataType.FLOAT32);
            NDScope.unregister(fhat);
            NDArray input = null;
            NDList history = new NDList(); // without the cache: every next-scale input so far
            model.kvCaching(kvCache);
            try {
                for (int k = 0; k < sn; k++) {
                    NDArray idx;
                    VectorQuantizer2.NextInput next;
                    NDArray nextInput = null;
                    try (NDScope step = new NDScope()) {
                        NDArray logits = kvCache
                                ? model.forwardScale(k, input, text.sequence(), textBias, text.pooled())
                                : lastScale(model.forwardPrefix(k + 1, prefix(history, text.batchSize(), m),
                                        text.sequence(), text.keepMask(), text.pooled()), k);
                        NDArray g = guided ? CfgRamp.guide(logits, CfgRamp.scale(options.cfg(), k, sn)) : logits;
                        listener.onScale(k, g);
                        if (options.greedy()) {
                            idx = CategoricalSampler.argmax(g);
                        } else {
                            NDArray t = options.temperature() == 1 ? g : g.div((float) options.temperature());
                            idx = sampler.sample(TopKTopP.filter(t, options.topK(), options.topP()));
                        }
                        NDArray codes = tokenizer.idsToCodeMap(idx);
                        next = tokenizer.getNextAutoregressiveInput(k, sn, fhat, codes, patchNums);
                        NDScope.unregister(idx, next.fhat());
                        if (k < sn - 1) {
                            NDArray tokens = next.next().reshape(b, cvae, -1).transpose(0, 2, 1);
                            nextInput = guided ? tokens.concat(tokens, 0) : tokens;
                            NDScope.unregister(nextInput);
                        }
                    }
                    ids.add(idx);
                    fhat.close();
                    fhat = next.fhat();
                    if (kvCache) {
                        if (input != null) {
                            input.close();
                        }
                    } else if (nextInput != null) {
                        history.add(nextInput);
                    }
                    input = nextInput;
                    LOG.debug("scale {} of {} ({}x{}) sampled", k + 1, sn, patchNums.get(k), patchNums.get(k));
                }
            } finally {
                model.kvCaching(false);
                if (kvCache && input != null) {
                    input.close();
                }
                history.close();
            }
            images = tokenizer.fhatToImg(fhat);
            NDScope.unregister(images);
        } catch (RuntimeException e) {
            ids.forEach(NDArray::close);
            if (fhat != null) {
                fhat.close();
            }
            throw e;
        }
        // hand the results to the caller's scope, if any, as Scopes.run does
        NDScope.register(fhat);
        NDScope.register(images);
        ids.forEach(NDScope::register);
        return new StarSample(ids, fhat, images);
    }

    /** The teacher-forcing inputs of the scales after the first so far, [B, tokens, Cvae] (none: 0 tokens). */
    private NDArray prefix(NDList history, int batch, NDManager m) {
        if (history.isEmpty()) {
            return m.zeros(new Shape(batch, 0, tokenizer.config().zChannels()), DataType.FLOAT32);
        }
        // forwardPrefix only reads its input, so a single scale's input needs no copy
        return history.size() == 1 ? history.get(0) : NDArrays.concat(history, 1);
    }

    /** Scale k's logits out of a prefix forward's [B, tokens, V]. */
    private NDArray lastScale(NDArray logits, int k) {
        long from = model.scaleStart(k);
        return logits.get(":, " + from + ":" + (from + (long) patchNums.get(k) * patchNums.get(k)) + ", :");
    }

    /** The conditional batch followed by the unconditional one (repeated to B if it has one item). */
    private static TextCondition withUncond(TextCondition cond, TextCondition uncond) {
        int b = cond.batchSize();
        if (uncond.batchSize() != 1 && uncond.batchSize() != b) {
            throw new IllegalArgumentException(
                    "the unconditional batch must have 1 or " + b + " items, got " + uncond.batchSize());
        }
        if (uncond.length() != cond.length()) {
            throw new IllegalArgumentException(
                    "cond and uncond text must have the same length, got " + cond.length() + " and " + uncond.length());
        }
        NDArray seq = cond.sequence().concat(batch(uncond.sequence(), b), 0);
        NDArray pooled = cond.pooled().concat(batch(uncond.pooled(), b), 0);
        NDArray keep = null;
        if (cond.keepMask() != null || uncond.keepMask() != null) {
            NDArray c = keepOrOnes(cond, cond.batchSize());
            NDArray u = keepOrOnes(uncond, uncond.batchSize());
            keep = NDArrays.concat(new NDList(c, batch(u, b)), 0);
        }
        return new TextCondition(seq, keep, pooled);
    }

    private static NDArray batch(NDArray x, int b) {
        return x.getShape().get(0) == b ? x : x.repeat(0, b);
    }

    private static NDArray keepOrOnes(TextCondition c, int n) {
        return c.keepMask() != null
                ? c.keepMask().toType(DataType.FLOAT32, false)
                : c.sequence().getManager().ones(new Shape(n, c.length()), DataType.FLOAT32);
    }
}

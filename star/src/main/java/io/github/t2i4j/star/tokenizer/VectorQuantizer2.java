package io.github.t2i4j.star.tokenizer;

import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.nn.Embedding;
import io.github.t2i4j.core.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * VAR's {@code VectorQuantizer2}: multi-scale residual quantisation with one codebook ({@code
 * embedding}, V x Cvae) shared by all scales and the phi refiners ({@code quant_resi}).
 *
 * <p>For scales pn_1 &lt; ... &lt; pn_K = h (the latent side): starting from rest = f and f-hat = 0,
 * each scale area-downsamples rest to pn x pn (the last scale takes it as is), picks the nearest
 * code per position, bicubic-upsamples the code map back to h x h, refines it with its phi, adds it
 * to f-hat and subtracts it from rest. The token ids of all scales are the image's tokens; the
 * teacher-forcing input of scale k+1 is f-hat after scale k, area-downsampled to pn_{k+1}.
 *
 * <p>The buffer {@code ema_vocab_hit_SV} of VAR's checkpoints is accepted on load and ignored.
 */
public class VectorQuantizer2 extends Module {
    private final VQVAEConfig config;
    private final Embedding embedding;
    private final QuantResi quantResi;

    public VectorQuantizer2(VQVAEConfig config) {
        this.config = config;
        buffer("ema_vocab_hit_SV");
        // VAR declares quant_resi before embedding; names, not order, matter for loading
        quantResi = module("quant_resi", QuantResi.of(config));
        embedding = module("embedding", new Embedding(config.vocabSize(), config.zChannels()));
    }

    /** Token ids and cumulative f-hats of every scale. */
    public record Quantized(List<NDArray> idxBl, List<NDArray> fhats) {}

    /** The codebook [V, Cvae]. */
    public NDArray codebook() {
        return embedding.weight();
    }

    public Embedding embedding() {
        return embedding;
    }

    public QuantResi quantResi() {
        return quantResi;
    }

    /**
     * VAR's {@code f_to_idxBl_or_fhat} for both outputs at once: the ids [B, pn*pn] (INT64) and
     * the f-hat [B, C, h, w] after each scale of {@code patchNums}, whose last entry must be the side
     * of {@code f}.
     */
    public Quantized quantize(NDArray f, List<Integer> patchNums) {
        Shape s = f.getShape();
        long b = s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int sn = patchNums.size();
        VQVAEConfig.checkPatchNums("patch nums", patchNums);
        if (patchNums.get(sn - 1) != h || h != w) {
            throw new IllegalArgumentException(
                    "the last patch number " + patchNums.get(sn - 1) + " must be the latent side, got a "
                            + h + "x" + w + " latent");
        }
        List<NDArray> ids = new ArrayList<>(sn);
        List<NDArray> fhats = new ArrayList<>(sn);
        NDArray rest = f.stopGradient();
        NDArray fhat = null;
        for (int si = 0; si < sn; si++) {
            int pn = patchNums.get(si);
            boolean last = si == sn - 1;
            NDArray idx; // [B, pn*pn]
            if (last) {
                idx = nearest(rest);
            } else {
                try (NDArray z = Resampling.area(rest, pn, pn)) {
                    idx = nearest(z);
                }
            }
            NDArray hMap;
            try (NDArray codes = codeMap(idx, pn)) {
                hMap = upsampledPhi(codes, si, sn, h, w, last);
            }
            fhat = fhat == null ? hMap : fhat.add(hMap);
            NDArray nextRest = rest.sub(hMap);
            rest.close();
            rest = nextRest;
            ids.add(idx);
            fhats.add(fhat);
        }
        rest.close();
        return new Quantized(ids, fhats);
    }

    /**
     * Nearest codes of a [B, C, pn, pn] map, as [B, pn*pn] INT64 ids: argmin of ||z||^2 + ||e||^2
     * - 2 z.e (L2), or with {@code using_znorm} argmax of the cosine similarity.
     */
    public NDArray nearest(NDArray z) {
        Shape s = z.getShape();
        long b = s.get(0);
        long c = s.get(1);
        // a search: no graph, whatever the caller's gradient mode
        try (NDArray zNC = z.stopGradient().transpose(0, 2, 3, 1).reshape(-1, c);
                NDArray e = embedding.weight().stopGradient()) {
            NDArray idx;
            if (config.usingZnorm()) {
                try (NDArray zn = l2normalize(zNC);
                        NDArray en = l2normalize(e).transpose();
                        NDArray sim = zn.matMul(en)) {
                    idx = sim.argMax(1);
                }
            } else {
                try (NDArray zsq = zNC.square().sum(new int[] {1}, true);
                        NDArray esq = e.square().sum(new int[] {1});
                        NDArray et = e.transpose();
                        NDArray dot = zNC.matMul(et);
                        NDArray d = zsq.add(esq).sub(dot.mul(2f))) {
                    idx = d.argMin(1);
                }
            }
            idx.attach(z.getManager());
            NDArray out = idx.toType(DataType.INT64, false).reshape(b, -1);
            return out;
        }
    }

    private static NDArray l2normalize(NDArray x) {
        // F.normalize(x, dim=-1): x / max(||x||, 1e-12)
        try (NDArray n = x.norm(new int[] {-1}, true).maximum(1e-12f)) {
            return x.div(n);
        }
    }

    /** The code vectors of ids [B, pn*pn] as a [B, C, pn, pn] map. */
    public NDArray codeMap(NDArray idx, int pn) {
        long b = idx.getShape().get(0);
        try (NDArray rows = embedding.forward(idx)) { // [B, pn*pn, C]
            return rows.transpose(0, 2, 1).reshape(b, config.zChannels(), pn, pn);
        }
    }

    /** phi(upsample(hMap)) for scale si of sn (the last scale is not resampled). */
    private NDArray upsampledPhi(NDArray hMap, int si, int sn, int h, int w, boolean last) {
        if (last) {
            return quantResi.forScale(si, sn).apply(hMap);
        }
        try (NDArray up = Resampling.bicubic(hMap, h, w)) {
            return quantResi.forScale(si, sn).apply(up);
        }
    }

    /**
     * VAR's {@code embed_to_fhat(all_to_max_scale=True)}: f-hat from the code maps [B, C, pn, pn]
     * of every scale (each upsampled to the last one's side and refined by its phi); only the final
     * f-hat when {@code lastOne}, else the cumulative one after each scale.
     */
    public List<NDArray> embedToFhat(List<NDArray> msH, boolean lastOne) {
        int sn = msH.size();
        NDArray lastMap = msH.get(sn - 1);
        int h = (int) lastMap.getShape().get(2);
        int w = (int) lastMap.getShape().get(3);
        List<NDArray> out = new ArrayList<>();
        NDArray fhat = null;
        for (int si = 0; si < sn; si++) {
            NDArray hMap = upsampledPhi(msH.get(si), si, sn, h, w, si == sn - 1);
            NDArray next = fhat == null ? hMap : fhat.add(hMap);
            if (fhat != null && lastOne) {
                fhat.close();
                hMap.close();
            }
            fhat = next;
            if (!lastOne) {
                out.add(fhat);
            }
        }
        if (lastOne) {
            out.add(fhat);
        }
        return out;
    }

    /**
     * VAR's {@code idxBl_to_var_input}: the teacher-forcing input of scales 2..K, [B, L - pn_1^2,
     * C]: for each k &lt; K, f-hat after scale k area-downsampled to pn_{k+1}, flattened row-major.
     * Null for a single scale.
     */
    public NDArray idxBlToVarInput(List<NDArray> idxBl, List<Integer> patchNums) {
        int sn = patchNums.size();
        if (idxBl.size() < sn - 1) {
            throw new IllegalArgumentException(
                    "need the ids of at least " + (sn - 1) + " scales, got " + idxBl.size());
        }
        if (sn == 1) {
            return null;
        }
        int hw = patchNums.get(sn - 1);
        long b = idxBl.get(0).getShape().get(0);
        long c = config.zChannels();
        NDList next = new NDList(sn - 1);
        NDArray fhat = null;
        for (int si = 0; si < sn - 1; si++) {
            NDArray hMap;
            try (NDArray codes = codeMap(idxBl.get(si), patchNums.get(si))) {
                hMap = upsampledPhi(codes, si, sn, hw, hw, false);
            }
            NDArray sum = fhat == null ? hMap : fhat.add(hMap);
            if (fhat != null) {
                fhat.close();
                hMap.close();
            }
            fhat = sum;
            int pnNext = patchNums.get(si + 1);
            try (NDArray down = Resampling.area(fhat, pnNext, pnNext)) {
                next.add(down.reshape(b, c, -1).transpose(0, 2, 1));
            }
        }
        fhat.close();
        if (next.size() == 1) {
            return next.head();
        }
        NDArray out = NDArrays.concat(next, 1);
        next.close();
        return out;
    }

    /** One step of VAR's inference: the new f-hat and the next scale's input. */
    public record NextInput(NDArray fhat, NDArray next) {}

    /**
     * VAR's {@code get_next_autoregressive_input}: adds the code map {@code hBChw} [B, C, pn_si,
     * pn_si] of scale {@code si} (upsampled to the last side and refined by its phi) to {@code fhat}
     * (a new array; the argument is not modified), and returns it with the input of scale si+1
     * (f-hat area-downsampled to pn_{si+1}); at the last scale the input is f-hat itself.
     */
    public NextInput getNextAutoregressiveInput(int si, int sn, NDArray fhat, NDArray hBChw, List<Integer> patchNums) {
        int hw = patchNums.get(patchNums.size() - 1);
        if (si != sn - 1) {
            NDArray hMap = upsampledPhi(hBChw, si, sn, hw, hw, false);
            NDArray f = fhat.add(hMap);
            hMap.close();
            int pn = patchNums.get(si + 1);
            return new NextInput(f, Resampling.area(f, pn, pn));
        }
        NDArray hMap = quantResi.forScale(si, sn).apply(hBChw);
        NDArray f = fhat.add(hMap);
        hMap.close();
        return new NextInput(f, f);
    }

    /**
     * What VAR's training {@code forward} returns, plus what codebook maintenance needs.
     *
     * @param fhat the final f-hat with the straight-through estimator: its value is f-hat, its
     *     gradient flows to f (so the decoder's gradient reaches the encoder)
     * @param vqLoss mean over scales of beta * MSE(f-hat.detach, f) + MSE(f-hat, f.detach): the
     *     commitment term trains the encoder, the codebook term the codes and the phis
     * @param hits per scale, how many positions chose each code [scales][V]
     * @param inputs the (detached) vectors the quantiser matched at every scale [N, Cvae]: candidates
     *     for re-initialising dead codes
     */
    public record VQOutput(NDArray fhat, NDArray vqLoss, long[][] hits, NDArray inputs) {}

    /**
     * VAR's training {@code forward} over {@code patchNums}: residual quantisation as in {@link
     * #quantize}, with the VQ loss and the straight-through f-hat. Run it inside a gradient
     * collector to train.
     */
    public VQOutput forward(NDArray f, List<Integer> patchNums) {
        Shape s = f.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int sn = patchNums.size();
        if (patchNums.get(sn - 1) != h || h != w) {
            throw new IllegalArgumentException(
                    "the last patch number " + patchNums.get(sn - 1) + " must be the latent side, got a "
                            + h + "x" + w + " latent");
        }
        long c = s.get(1);
        NDArray fNoGrad = f.stopGradient();
        NDArray rest = fNoGrad;
        NDArray fhat = null;
        NDArray loss = null;
        long[][] hits = new long[sn][];
        NDList inputs = new NDList(sn);
        for (int si = 0; si < sn; si++) {
            int pn = patchNums.get(si);
            boolean last = si == sn - 1;
            NDArray z = last ? rest : Resampling.area(rest, pn, pn);
            inputs.add(z.transpose(0, 2, 3, 1).reshape(-1, c));
            NDArray idx = nearest(z);
            hits[si] = bincount(idx.toLongArray(), config.vocabSize());
            NDArray hMap = upsampledPhi(codeMap(idx, pn), si, sn, h, w, last);
            fhat = fhat == null ? hMap : fhat.add(hMap);
            rest = rest.sub(hMap.stopGradient());
            NDArray commit = Scalars.mul(mse(fhat.stopGradient(), f), (float) config.beta());
            NDArray codebook = mse(fhat, fNoGrad);
            NDArray term = commit.add(codebook);
            loss = loss == null ? term : loss.add(term);
        }
        NDArray fhatSte = fhat.stopGradient().sub(fNoGrad).add(f);
        return new VQOutput(fhatSte, Scalars.div(loss, (float) sn), hits, NDArrays.concat(inputs, 0));
    }

    private static NDArray mse(NDArray a, NDArray b) {
        return a.sub(b).square().mean();
    }

    private static long[] bincount(long[] ids, int v) {
        long[] out = new long[v];
        for (long id : ids) {
            out[(int) id]++;
        }
        return out;
    }

    /**
     * Re-initialises the codes {@code codes} (outside autograd, in place) with rows of {@code
     * candidates} [N, Cvae] chosen at random, e.g. {@link VQOutput#inputs()}: the usual cure for
     * codes no input ever picks ("dead codes"), which otherwise never get a gradient again.
     */
    public void reinitCodes(int[] codes, NDArray candidates, java.util.Random rng) {
        if (codes.length == 0) {
            return;
        }
        long n = candidates.getShape().get(0);
        long[] rows = new long[codes.length];
        long[] targets = new long[codes.length];
        for (int i = 0; i < codes.length; i++) {
            rows[i] = rng.nextInt((int) n);
            targets[i] = codes[i];
        }
        NDArray weight = embedding.weight();
        try (NDArray detached = weight.stopGradient();
                NDArray from = HostArrays.owned(detached.getManager().create(rows)).toDevice(candidates.getDevice(), false);
                NDArray picked = candidates.stopGradient().get(new ai.djl.ndarray.index.NDIndex("{}, :", from));
                NDArray value = picked.toType(weight.getDataType(), false).toDevice(weight.getDevice(), false);
                NDArray to = HostArrays.owned(detached.getManager().create(targets))) {
            detached.set(new ai.djl.ndarray.index.NDIndex("{}, :", to), value);
        }
    }

    public VQVAEConfig config() {
        return config;
    }
}

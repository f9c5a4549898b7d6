package io.github.t2i4j.star.model;

import static io.github.t2i4j.core.io.ConfigJson.boolOr;
import static io.github.t2i4j.core.io.ConfigJson.doubleOr;
import static io.github.t2i4j.core.io.ConfigJson.intOr;
import static io.github.t2i4j.core.io.ConfigJson.intsOr;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.JsonFiles;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Hyper-parameters of a {@link StarTransformer} (the arguments of STAR's {@code VAR} class that this
 * port keeps: no AdaLN, absolute level embedding on, RoPE on by default or, with {@code
 * rotary_pos_emb} false, VAR's absolute position table instead).
 *
 * @param vocabSize codebook size V of the tokenizer
 * @param cvae code dimension of the tokenizer (teacher-forcing inputs are [B, L - first_l, Cvae])
 * @param embedDim transformer width C
 * @param depth number of blocks
 * @param numHeads attention heads (head dim C / heads, a multiple of 4 for 2D RoPE)
 * @param mlpRatio FFN hidden width / C
 * @param inDimCross width of the text encoder's features (sequence and pooled)
 * @param patchNums scale schedule, e.g. 1,2,3,4,6,8
 * @param ropeTheta RoPE base theta (released 10000)
 * @param ropeNorm RoPE normalising length N (released 64)
 * @param condDropRate probability of dropping a prompt to "" in training (0.1)
 * @param positions how tokens know where they are: STAR's normalised 2D RoPE (the default) or
 *     VAR's learned absolute table {@code pos_1LC} (STAR's {@code rotary_pos_emb=False})
 */
public record StarConfig(
        int vocabSize,
        int cvae,
        int embedDim,
        int depth,
        int numHeads,
        double mlpRatio,
        int inDimCross,
        int[] patchNums,
        double ropeTheta,
        double ropeNorm,
        double condDropRate,
        PositionEncoding positions) {

    public StarConfig {
        require(vocabSize > 0, "vocab_size", vocabSize);
        require(cvae > 0, "Cvae", cvae);
        require(depth > 0, "depth", depth);
        require(numHeads > 0 && embedDim > 0 && embedDim % numHeads == 0, "embed_dim", embedDim);
        require((embedDim / numHeads) % 4 == 0, "num_heads (head dim must be a multiple of 4)", numHeads);
        require(mlpRatio > 0, "mlp_ratio", mlpRatio);
        require(inDimCross > 0, "in_dim_cross", inDimCross);
        require(patchNums != null && patchNums.length > 0, "patch_nums", Arrays.toString(patchNums));
        for (int pn : patchNums) {
            require(pn > 0, "patch_nums", Arrays.toString(patchNums));
        }
        require(ropeTheta > 0, "rope_theta", ropeTheta);
        require(ropeNorm > 0, "rope_norm", ropeNorm);
        require(condDropRate >= 0 && condDropRate < 1, "cond_drop_rate", condDropRate);
        require(positions != null, "positions", positions);
        patchNums = patchNums.clone();
    }

    /** STAR's defaults for everything but the sizes. */
    public static StarConfig of(
            int vocabSize, int cvae, int embedDim, int depth, int numHeads, int inDimCross, int... patchNums) {
        return new StarConfig(vocabSize, cvae, embedDim, depth, numHeads, 4.0, inDimCross, patchNums,
                NormalizedRope2d.DEFAULT_THETA, NormalizedRope2d.DEFAULT_NORMALIZE, 0.1,
                PositionEncoding.NORMALIZED_ROPE);
    }

    /** STAR's settings for absent keys (released d16-like sizes, theta 10000, N 64). */
    public static StarConfig defaults() {
        return new StarConfig(4096, 32, 1024, 16, 16, 4.0, 1024,
                new int[] {1, 2, 3, 4, 5, 6, 8, 10, 13, 16},
                NormalizedRope2d.DEFAULT_THETA, NormalizedRope2d.DEFAULT_NORMALIZE, 0.1,
                PositionEncoding.NORMALIZED_ROPE);
    }

    /** The same model over another scale schedule (for resolution transfer). */
    public StarConfig withPatchNums(int... pns) {
        return new StarConfig(vocabSize, cvae, embedDim, depth, numHeads, mlpRatio, inDimCross, pns, ropeTheta,
                ropeNorm, condDropRate, positions);
    }

    /** The same model with another position encoding. */
    public StarConfig withPositions(PositionEncoding p) {
        return new StarConfig(vocabSize, cvae, embedDim, depth, numHeads, mlpRatio, inDimCross, patchNums, ropeTheta,
                ropeNorm, condDropRate, p);
    }

    /** Reads a config.json with STAR's argument names. */
    public static StarConfig fromJson(Path file) {
        return fromJson(JsonFiles.readObject(file, "STAR config"));
    }

    /**
     * Parses STAR's argument names; absent keys take {@link #defaults()}. {@code rotary_pos_emb}
     * false selects VAR's absolute position table ({@link PositionEncoding#ABSOLUTE}). Options this
     * port does not implement (shared_aln, no level embedding, no cross-attention, no q/k L2 norm)
     * are rejected.
     */
    public static StarConfig fromJson(JsonObject o) {
        rejectUnless(o, "shared_aln", false);
        rejectUnless(o, "absolute_lvl_emb", true);
        rejectUnless(o, "enable_cross", true);
        rejectUnless(o, "attn_l2_norm", true);
        StarConfig d = defaults();
        List<Integer> given = intsOr(o, "patch_nums", null);
        int[] pns = given == null ? d.patchNums : given.stream().mapToInt(Integer::intValue).toArray();
        return new StarConfig(
                intOr(o, "vocab_size", d.vocabSize), intOr(o, "Cvae", d.cvae),
                intOr(o, "embed_dim", d.embedDim), intOr(o, "depth", d.depth),
                intOr(o, "num_heads", d.numHeads), doubleOr(o, "mlp_ratio", d.mlpRatio),
                intOr(o, "in_dim_cross", d.inDimCross), pns,
                doubleOr(o, "rope_theta", d.ropeTheta), doubleOr(o, "rope_norm", d.ropeNorm),
                doubleOr(o, "cond_drop_rate", d.condDropRate),
                boolOr(o, "rotary_pos_emb", true) ? PositionEncoding.NORMALIZED_ROPE : PositionEncoding.ABSOLUTE);
    }

    /** The config under STAR's argument names (round-trips through {@link #fromJson(JsonObject)}). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("Cvae", cvae);
        o.addProperty("embed_dim", embedDim);
        o.addProperty("depth", depth);
        o.addProperty("num_heads", numHeads);
        o.addProperty("mlp_ratio", mlpRatio);
        o.addProperty("in_dim_cross", inDimCross);
        JsonArray a = new JsonArray();
        for (int pn : patchNums) {
            a.add(pn);
        }
        o.add("patch_nums", a);
        o.addProperty("rope_theta", ropeTheta);
        o.addProperty("rope_norm", ropeNorm);
        o.addProperty("cond_drop_rate", condDropRate);
        o.addProperty("rotary_pos_emb", positions == PositionEncoding.NORMALIZED_ROPE);
        return o;
    }

    private static void rejectUnless(JsonObject o, String key, boolean supported) {
        JsonElement e = o.get(key);
        if (e != null && !e.isJsonNull() && e.getAsBoolean() != supported) {
            throw new IllegalArgumentException("unsupported " + key + ": " + e + " (only " + supported + ")");
        }
    }

    @Override
    public int[] patchNums() {
        return patchNums.clone();
    }

    /** Tokens in the flattened multi-scale sequence. */
    public int tokens() {
        return Arrays.stream(patchNums).map(p -> p * p).sum();
    }

    /** Tokens of the first scale (the start token map). */
    public int firstL() {
        return patchNums[0] * patchNums[0];
    }

    public int headDim() {
        return embedDim / numHeads;
    }

    private static void require(boolean ok, String key, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("unsupported " + key + ": " + value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StarConfig c
                && vocabSize == c.vocabSize && cvae == c.cvae && embedDim == c.embedDim
                && depth == c.depth && numHeads == c.numHeads && mlpRatio == c.mlpRatio
                && inDimCross == c.inDimCross && Arrays.equals(patchNums, c.patchNums)
                && ropeTheta == c.ropeTheta && ropeNorm == c.ropeNorm && condDropRate == c.condDropRate
                && positions == c.positions;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(patchNums) + java.util.Objects.hash(vocabSize, cvae, embedDim, depth,
                numHeads, mlpRatio, inDimCross, ropeTheta, ropeNorm, condDropRate, positions);
    }

    @Override
    public String toString() {
        return "StarConfig[vocab_size=" + vocabSize + ", Cvae=" + cvae + ", embed_dim=" + embedDim
                + ", depth=" + depth + ", num_heads=" + numHeads + ", mlp_ratio=" + mlpRatio
                + ", in_dim_cross=" + inDimCross + ", patch_nums=" + Arrays.toString(patchNums)
                + ", rope_theta=" + ropeTheta + ", rope_norm=" + ropeNorm
                + ", cond_drop_rate=" + condDropRate + ", positions=" + positions + "]";
    }
}

package io.github.t2i4j.star.model;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.GsonBuilder;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Embedding;
import io.github.t2i4j.core.nn.Init;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;

/**
 * The STAR transformer (STAR's {@code VAR} in {@code var_drop.py}, with RoPE and the absolute level
 * embedding, without AdaLN). The start token map is {@code encoder_proj}(pooled text feature) +
 * {@code pos_start}; the other tokens are {@code word_embed}(teacher-forcing input); every token
 * gets {@code lvl_embed}(its scale). The blocks see the text sequence through cross-attention and
 * the image tokens through block-causal self-attention with normalised 2D RoPE; the head is a
 * non-affine LayerNorm ({@code logit_norm}) and {@code head_logits}.
 *
 * <p>With {@link PositionEncoding#ABSOLUTE} (STAR's {@code rotary_pos_emb=False}) there is no RoPE;
 * instead VAR's learned table {@code pos_1LC} [1, L, C] is added to every token, as in VAR.
 *
 * <p>A saved model is a folder with {@code config.json} (STAR's argument names) and {@value
 * #WEIGHTS_FILE}.
 */
public class StarTransformer extends Module {
    private final StarConfig config;
    private final Linear wordEmbed;
    private final Parameter posStart;
    private final Embedding lvlEmbed;
    private final ModuleList<StarBlock> blocks;
    private final Linear encoderProj;
    private final LayerNorm logitNorm;
    private final Linear headLogits;
    private final NormalizedRope2d rope;
    private final Parameter posTable;
    private final int[] scaleStarts;

    /** The weights file of a saved model folder. */
    public static final String WEIGHTS_FILE = "model.safetensors";

    public StarTransformer(StarConfig config) {
        this.config = config;
        int c = config.embedDim();
        float initStd = (float) Math.sqrt(1.0 / c / 3);
        this.wordEmbed = module("word_embed", new Linear(config.cvae(), c));
        this.posStart = param("pos_start", Parameter.Type.WEIGHT, Init.normal(initStd), 1, config.firstL(), c);
        this.lvlEmbed = module("lvl_embed", new Embedding(config.patchNums().length, c));
        this.blocks = module("blocks", new ModuleList<>());
        for (int i = 0; i < config.depth(); i++) {
            blocks.add(new StarBlock(c, config.inDimCross(), config.numHeads(), config.mlpRatio()));
        }
        this.encoderProj = module("encoder_proj", new Linear(config.inDimCross(), c));
        this.logitNorm = module("logit_norm", new LayerNorm(c, StarBlock.NORM_EPS, false));
        this.headLogits = module("head_logits", new Linear(c, config.vocabSize()));
        boolean absolute = config.positions() == PositionEncoding.ABSOLUTE;
        this.posTable = absolute
                ? param("pos_1LC", Parameter.Type.WEIGHT, Init.normal(initStd), 1, config.tokens(), c)
                : null;
        this.rope = absolute ? null : new NormalizedRope2d(config.headDim(), config.ropeTheta(), config.ropeNorm());
        int[] pns = config.patchNums();
        this.scaleStarts = new int[pns.length + 1];
        for (int k = 0; k < pns.length; k++) {
            scaleStarts[k + 1] = scaleStarts[k] + pns[k] * pns[k];
        }
    }

    /** Loads a saved model folder ({@code config.json} and {@value #WEIGHTS_FILE}) strictly, in float32. */
    public static StarTransformer fromPretrained(Path dir, NDManager manager) {
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException("no " + WEIGHTS_FILE + " in STAR transformer folder " + dir);
        }
        StarTransformer model = new StarTransformer(StarConfig.fromJson(dir.resolve("config.json")));
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            StateDict.loadFresh(model, f, manager, DataType.FLOAT32);
        }
        return model;
    }

    /** Writes {@code config.json} and the weights (floating point stored as {@code type}) into {@code dir}. */
    public void save(Path dir, Dtype type) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(config.toJson()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the STAR transformer to " + dir, e);
        }
        StateDict.save(this, dir.resolve(WEIGHTS_FILE), type);
    }

    public StarConfig config() {
        return config;
    }

    /** The RoPE of this model; null with {@link PositionEncoding#ABSOLUTE} positions. */
    public NormalizedRope2d rope() {
        return rope;
    }

    /** Index of the first token of scale {@code k} in the flattened sequence ({@code k = K}: L). */
    public int scaleStart(int k) {
        return scaleStarts[k];
    }

    /** The start token map [B, first_l, C] (before the level embedding) from pooled text [B, D]. */
    public NDArray startTokens(NDArray pooled) {
        NDArray sos = encoderProj.forward(pooled);
        NDArray out = sos.expandDims(1).add(v(posStart));
        sos.close();
        return out;
    }

    /**
     * Teacher-forced training forward over the whole schedule with the block-causal mask.
     *
     * @param inputsWoFirstL teacher-forcing inputs [B, L - first_l, Cvae]
     * @param text text sequence features [B, T, in_dim_cross]
     * @param textKeep key padding mask [B, T] (non-zero = real token), or null for none
     * @param pooled pooled text feature [B, in_dim_cross]
     * @return logits [B, L, V]
     */
    public NDArray forward(NDArray inputsWoFirstL, NDArray text, NDArray textKeep, NDArray pooled) {
        return forwardPrefix(config.patchNums().length, inputsWoFirstL, text, textKeep, pooled);
    }

    /**
     * The block-causal forward over the first {@code scales} scales only: what sampling without a
     * KV cache recomputes at every scale (scale k's logits need scales 0..k). Equal, on those
     * scales, to {@link #forward} over the whole schedule.
     *
     * @param scales how many scales, 1 to the schedule's length
     * @param inputsWoFirstL teacher-forcing inputs of scales 1 .. scales-1, [B, tokens - first_l, Cvae]
     * @return logits [B, tokens, V] of those scales
     */
    public NDArray forwardPrefix(int scales, NDArray inputsWoFirstL, NDArray text, NDArray textKeep, NDArray pooled) {
        int[] all = config.patchNums();
        if (scales < 1 || scales > all.length) {
            throw new IllegalArgumentException("scales must be 1 to " + all.length + ", got " + scales);
        }
        NDManager m = inputsWoFirstL.getManager();
        int[] pns = Arrays.copyOf(all, scales);
        NDArray sos = startTokens(pooled);
        NDArray x;
        if (inputsWoFirstL.getShape().get(1) == 0) {
            x = sos;
        } else {
            NDArray words = wordEmbed.forward(inputsWoFirstL);
            x = sos.concat(words, 1);
            words.close();
            sos.close();
        }
        long l = x.getShape().get(1);
        if (l != scaleStarts[scales]) {
            throw new IllegalArgumentException(
                    "expected " + (scaleStarts[scales] - config.firstL()) + " teacher-forcing tokens for " + scales
                            + " scales, got " + inputsWoFirstL.getShape());
        }
        NDArray levels = HostArrays.owned(m.create(BlockCausalMask.levels(pns), new Shape(l)));
        NDArray lvl = lvlEmbed.forward(levels);
        NDArray h = x.add(lvl);
        x.close();
        lvl.close();
        levels.close();
        if (posTable != null) {
            NDArray table = v(posTable);
            NDArray pos = scales == all.length ? table : table.get(":, 0:" + l);
            NDArray withPos = h.add(pos);
            if (pos != table) {
                pos.close();
            }
            h.close();
            h = withPos;
        }
        NDArray mask = BlockCausalMask.create(m, pns);
        NDArray textBias = textKeep == null ? null : CrossAttention.paddingBias(textKeep);
        NormalizedRope2d.Tables tables = rope == null ? null : rope.tables(m, pns);
        for (StarBlock block : blocks) {
            NDArray next = block.forward(h, mask, text, textBias, tables);
            h.close();
            h = next;
        }
        mask.close();
        if (textBias != null) {
            textBias.close();
        }
        closeTables(tables);
        return head(h);
    }

    /**
     * Turns every block's self-attention KV cache and its cross-attention's text key/value cache
     * on or off (emptying them either way): on for one sampling run, with one text.
     */
    public void kvCaching(boolean enable) {
        for (StarBlock block : blocks) {
            block.attn().kvCaching(enable);
            block.crossAttn().textCaching(enable);
        }
    }

    /**
     * One sampling step with the KV cache on ({@link #kvCaching(boolean)}): the logits of scale
     * {@code k}, given the scales before it in the cache. No mask is needed: a scale sees itself
     * and everything cached.
     *
     * @param k scale index; scales must be run in order 0, 1, ...
     * @param scaleInputs for k &gt; 0 the next-scale input [B, pn_k^2, Cvae]; ignored for k = 0
     * @param text text sequence features [B, T, in_dim_cross]
     * @param textBias key padding bias ({@link CrossAttention#paddingBias}), or null
     * @param pooled pooled text feature [B, in_dim_cross] (used for k = 0)
     * @return logits [B, pn_k^2, V]
     */
    public NDArray forwardScale(int k, NDArray scaleInputs, NDArray text, NDArray textBias, NDArray pooled) {
        int pn = config.patchNums()[k];
        NDManager m = text.getManager();
        NDArray x = k == 0 ? startTokens(pooled) : wordEmbed.forward(scaleInputs);
        if (x.getShape().get(1) != (long) pn * pn) {
            throw new IllegalArgumentException("scale " + k + " has " + pn * pn + " tokens, got " + x.getShape());
        }
        NDArray level = HostArrays.owned(m.create(new int[] {k}));
        NDArray lvl = lvlEmbed.forward(level);
        NDArray h = x.add(lvl);
        x.close();
        lvl.close();
        level.close();
        if (posTable != null) {
            NDArray pos = v(posTable).get(":, " + scaleStarts[k] + ":" + scaleStarts[k + 1]);
            NDArray withPos = h.add(pos);
            pos.close();
            h.close();
            h = withPos;
        }
        NormalizedRope2d.Tables tables = rope == null ? null : rope.tables(m, pn);
        for (StarBlock block : blocks) {
            NDArray next = block.forward(h, null, text, textBias, tables);
            h.close();
            h = next;
        }
        closeTables(tables);
        return head(h);
    }

    private static void closeTables(NormalizedRope2d.Tables tables) {
        if (tables != null) {
            tables.cos().close();
            tables.signedSin().close();
        }
    }

    /** logit_norm then head_logits; closes its input. */
    private NDArray head(NDArray h) {
        NDArray n = logitNorm.forward(h);
        h.close();
        NDArray logits = headLogits.forward(n);
        n.close();
        return logits;
    }

    public ModuleList<StarBlock> blocks() {
        return blocks;
    }
}

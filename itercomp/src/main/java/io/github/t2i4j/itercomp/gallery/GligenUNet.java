package io.github.t2i4j.itercomp.gallery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.models.unet.BasicTransformerBlock;
import io.github.t2i4j.core.models.unet.BlockConditioning;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GLIGEN UNet: a trained {@link UNet2DConditionModel} with one {@link GatedSelfAttentionDense}
 * attached to every transformer block (diffusers' {@code fuser}) and a {@link PositionNet}
 * ({@code position_net}) that turns a batch's boxes and phrases into the grounding tokens the
 * fusers attend to, i.e. diffusers' UNet built with {@code attention_type="gated"}.
 *
 * <p>This module shares the wrapped UNet's children (same instances, same names), so its state
 * dict is diffusers' for a GLIGEN UNet: the base UNet's tensors, {@code
 * <block>.fuser.{linear,attn,ff,norm1,norm2,alpha_attn,alpha_dense}} and {@code position_net.*}.
 * Without grounding input the fusers are skipped and the wrapped UNet is the plain text-to-image
 * model; with freshly attached (zero-gated) fusers the grounded output equals it too.
 */
public final class GligenUNet extends Module {
    /** diffusers' {@code attention_type} of a GLIGEN (text-box) UNet. */
    public static final String ATTENTION_TYPE = "gated";

    private final UNet2DConditionModel unet;
    private final PositionNet positionNet;
    private final Map<String, GatedSelfAttentionDense> fusers = new LinkedHashMap<>();

    private GligenUNet(UNet2DConditionModel unet) {
        this.unet = unet;
        UNet2DConditionConfig c = unet.config();
        int crossDim = c.crossAttentionDim().get(0);
        if (c.crossAttentionDim().stream().anyMatch(d -> d != crossDim)) {
            throw new IllegalArgumentException("GLIGEN needs one cross_attention_dim for every block, got "
                    + c.crossAttentionDim());
        }
        Map<String, BasicTransformerBlock> blocks = unet.transformerBlocks();
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("the UNet has no transformer blocks to attach GLIGEN's fusers to");
        }
        unet.modules().forEach(this::module);
        int levels = c.numLevels();
        blocks.forEach((prefix, block) -> {
            int heads = c.numAttentionHeads(level(prefix, levels));
            fusers.put(prefix, block.attachFuser(
                    new GatedSelfAttentionDense(block.dim(), crossDim, heads, block.dim() / heads)));
        });
        // diffusers: positive_len = out_dim = cross_attention_dim (the pooled text width of SD's CLIP)
        this.positionNet = module("position_net", new PositionNet(crossDim, crossDim));
        if (!namedParameters().keySet().containsAll(unet.namedParameters().keySet())) {
            throw new IllegalStateException("the UNet has parameters outside its child modules");
        }
    }

    /** The resolution level of a transformer block from its checkpoint prefix. */
    private static int level(String prefix, int levels) {
        String[] parts = prefix.split("\\.");
        return switch (parts[0]) {
            case "down_blocks" -> Integer.parseInt(parts[1]);
            case "up_blocks" -> levels - 1 - Integer.parseInt(parts[1]);
            case "mid_block" -> levels - 1;
            default -> throw new IllegalStateException("unexpected transformer block " + prefix);
        };
    }

    /**
     * Attaches freshly initialised GLIGEN layers (zero gates, PyTorch's default initialisation
     * from the engine's generator otherwise) to {@code base}, which from then on carries the
     * fusers too (they stay idle in its own text-only forward).
     */
    public static GligenUNet attach(UNet2DConditionModel base, NDManager manager) {
        GligenUNet g = new GligenUNet(base);
        g.positionNet.initialize(manager, DataType.FLOAT32);
        g.fusers.values().forEach(f -> f.initialize(manager, DataType.FLOAT32));
        g.groundingParameters().values().forEach(p -> NDScope.unregister(p.getArray()));
        return g;
    }

    /** The weights file of the folder (diffusers' UNet file name). */
    public static final String WEIGHTS_FILE = UNet2DConditionModel.WEIGHTS_FILE;

    /**
     * Loads a GLIGEN UNet folder ({@code config.json} with {@code "attention_type": "gated"} and
     * {@value #WEIGHTS_FILE}) strictly: the base UNet's, the fusers' and the position net's
     * tensors must all be there with their shapes, and nothing else.
     */
    public static GligenUNet fromPretrained(Path dir, NDManager manager) {
        JsonObject cfg = JsonFiles.readObject(dir.resolve("config.json"), "GLIGEN UNet config");
        String type = cfg.has("attention_type") && !cfg.get("attention_type").isJsonNull()
                ? cfg.get("attention_type").getAsString()
                : "default";
        if (!ATTENTION_TYPE.equals(type)) {
            throw new CheckpointException(dir.resolve("config.json") + " has attention_type \"" + type
                    + "\"; a GLIGEN UNet has \"" + ATTENTION_TYPE + "\"");
        }
        JsonObject plain = cfg.deepCopy();
        plain.addProperty("attention_type", "default");
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException("no " + WEIGHTS_FILE + " in " + dir);
        }
        GligenUNet g = new GligenUNet(new UNet2DConditionModel(UNet2DConditionConfig.fromJson(plain)));
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            StateDict.loadFresh(g, file, manager, DataType.FLOAT32);
        }
        g.namedParameters().values().forEach(p -> NDScope.unregister(p.getArray()));
        return g;
    }

    /** The configuration as diffusers writes it for this UNet: the base's with {@code "attention_type": "gated"}. */
    public JsonObject configJson() {
        JsonObject o = unet.config().toJson();
        o.addProperty("attention_type", ATTENTION_TYPE);
        return o;
    }

    /** Writes the folder {@link #fromPretrained} reads, floating-point weights as {@code floatType} (null: as they are). */
    public void save(Path dir, Dtype floatType) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + dir, e);
        }
        JsonFiles.writeObject(dir.resolve("config.json"), configJson());
        StateDict.save(this, dir.resolve(WEIGHTS_FILE), floatType);
    }

    /** The wrapped UNet (its blocks carry the fusers). */
    public UNet2DConditionModel unet() {
        return unet;
    }

    /** diffusers' {@code position_net}. */
    public PositionNet positionNet() {
        return positionNet;
    }

    /** The fusers by the checkpoint prefix of their transformer block. */
    public Map<String, GatedSelfAttentionDense> fusers() {
        return Collections.unmodifiableMap(fusers);
    }

    /** The parameters GLIGEN adds and trains: the fusers' and the position net's, by checkpoint name. */
    public Map<String, Parameter> groundingParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> {
            if (isGroundingParameter(name)) {
                out.put(name, p);
            }
        });
        return out;
    }

    /** Whether a checkpoint name belongs to the GLIGEN layers rather than the base UNet. */
    public static boolean isGroundingParameter(String name) {
        return name.startsWith("position_net.") || name.contains(".fuser.");
    }

    /** Freezes the base UNet, as GLIGEN trains only its new layers. */
    public void freezeBase() {
        namedParameters().forEach((name, p) -> p.freeze(!isGroundingParameter(name)));
    }

    /** The grounding tokens [B, N, cross_attention_dim] of a batch. */
    public NDArray groundingTokens(GroundingInput grounding) {
        return positionNet.forward(grounding.boxes(), grounding.masks(), grounding.phraseEmbeddings());
    }

    /**
     * Predicts the noise.
     *
     * @param sample [B, C, H, W] noisy latents
     * @param timestep [B], [1] or a scalar
     * @param encoderHiddenStates [B, S, cross_attention_dim] text states
     * @param grounding the batch's grounding input, or null for the plain UNet (fusers skipped,
     *     diffusers' GLIGEN pipeline after its scheduled-sampling fraction)
     */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray encoderHiddenStates, GroundingInput grounding) {
        if (grounding == null) {
            return unet.forward(sample, timestep, BlockConditioning.text(encoderHiddenStates), null);
        }
        if (grounding.batchSize() != sample.getShape().get(0)) {
            throw new IllegalArgumentException("grounding input for " + grounding.batchSize() + " images, sample batch "
                    + sample.getShape().get(0));
        }
        NDArray objs = groundingTokens(grounding);
        return unet.forward(sample, timestep, BlockConditioning.text(encoderHiddenStates).withTokens(GatedSelfAttentionDense.TOKENS_KEY, objs), null);
    }

    /** As {@link #forward(NDArray, NDArray, NDArray, GroundingInput)}, encoding the layouts with {@code encoder}. */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray encoderHiddenStates, List<Layout> layouts,
            GroundingEncoder encoder) {
        if (encoder.embeddingDim() != positionNet.positiveLen()) {
            throw new IllegalArgumentException("phrase embeddings of width " + encoder.embeddingDim()
                    + " but position_net takes " + positionNet.positiveLen());
        }
        return forward(sample, timestep, encoderHiddenStates, encoder.encode(layouts, sample.getManager()));
    }
}

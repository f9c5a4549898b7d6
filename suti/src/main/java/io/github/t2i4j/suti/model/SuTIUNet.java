package io.github.t2i4j.suti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.models.unet.BasicTransformerBlock;
import io.github.t2i4j.core.models.unet.BlockConditioning;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SuTI UNet: a trained text-to-image {@link UNet2DConditionModel} whose own encoder (conv_in,
 * down blocks, mid block) reads each demonstration (its latent with its caption), and whose chosen
 * transformer blocks carry a {@link NeighborAttention} that attends to the features of all
 * demonstrations, flattened and concatenated, beside the text cross-attention.
 *
 * <p>The layers are attached to the UNet itself (as each block's {@code fuser}), so {@link #unet()}
 * is one module whose state dict is the base UNet's in diffusers layout plus the neighbour tensors
 * ({@code mid_block.attentions.0.transformer_blocks.0.fuser.attn.to_q.weight}, ...): the trainer,
 * the EMA and the checkpoints see one model. The layers start as the identity, so a fresh SuTI UNet
 * predicts exactly what its base does; without demonstration tokens it is the base UNet whatever its
 * training.
 *
 * <p>Saved as a folder: the UNet's {@code config.json} and {@value UNet2DConditionModel#WEIGHTS_FILE}
 * (with the neighbour tensors), and {@value SuTIConfig#FILE}.
 */
public final class SuTIUNet {
    private static final Logger LOG = LoggerFactory.getLogger(SuTIUNet.class);

    private final UNet2DConditionModel unet;
    private final SuTIConfig config;
    private final Map<String, NeighborAttention> layers;

    /** Attaches (parameter-less) neighbour layers to {@code unet}'s blocks that {@code config} places them in. */
    private SuTIUNet(UNet2DConditionModel unet, SuTIConfig config) {
        this.unet = unet;
        this.config = config;
        int demoDim = demoWidth(unet.config());
        Map<String, NeighborAttention> attached = new LinkedHashMap<>();
        for (Map.Entry<String, BasicTransformerBlock> e : unet.transformerBlocks().entrySet()) {
            if (config.placement().covers(e.getKey())) {
                BasicTransformerBlock block = e.getValue();
                if (block.dim() % config.heads() != 0) {
                    throw new IllegalArgumentException("transformer block " + e.getKey() + " has width " + block.dim()
                            + ", not a multiple of the " + config.heads() + " neighbour-attention heads");
                }
                attached.put(e.getKey(), block.attachFuser(new NeighborAttention(block.dim(), demoDim, config.heads())));
            }
        }
        if (attached.isEmpty()) {
            throw new IllegalArgumentException("the UNet has no transformer block for neighbour layers at "
                    + config.placement().key() + ": its blocks are " + unet.transformerBlocks().keySet());
        }
        this.layers = Collections.unmodifiableMap(attached);
    }

    /**
     * Turns a trained base UNet into a SuTI UNet, in place: new neighbour layers (initialised from
     * {@code seed} in Java, with zero output projections) are attached to {@code base}'s blocks, on
     * the device and in the type of its weights. {@code base} then is the SuTI UNet's module; it
     * still predicts as before until the layers are trained.
     */
    public static SuTIUNet fromBase(UNet2DConditionModel base, SuTIConfig config, long seed) {
        Parameter first = base.namedParameters().values().iterator().next();
        if (!first.isInitialized()) {
            throw new IllegalArgumentException("the base UNet has no weights yet");
        }
        NDArray w = first.getArray();
        SuTIUNet suti = new SuTIUNet(base, config);
        SplittableRandom rng = new SplittableRandom(seed);
        for (NeighborAttention layer : suti.layers.values()) {
            layer.initialize(w.getManager(), w.getDataType(), rng.split());
        }
        LOG.info("SuTI: {} neighbour layer(s) at {} ({} parameters) on a base UNet of {} parameters",
                suti.layers.size(), config.placement().key(), suti.neighborParameterCount(),
                base.parameterCount() - suti.neighborParameterCount());
        return suti;
    }

    /**
     * Loads a SuTI UNet folder written by {@link #save}, strictly: every tensor of the base UNet and
     * of the neighbour layers present with its shape and nothing else, else a {@link
     * io.github.t2i4j.core.io.CheckpointException} naming them. Weights become float32 on {@code
     * manager}'s device.
     */
    public static SuTIUNet fromPretrained(Path dir, NDManager manager) {
        if (!Files.isRegularFile(dir.resolve(SuTIConfig.FILE))) {
            throw new IllegalArgumentException("not a SuTI UNet folder (no " + SuTIConfig.FILE + "): " + dir
                    + "; a plain UNet becomes one with SuTIUNet.fromBase");
        }
        Path weights = dir.resolve(UNet2DConditionModel.WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("no " + UNet2DConditionModel.WEIGHTS_FILE + " in " + dir);
        }
        UNet2DConditionModel unet = new UNet2DConditionModel(UNet2DConditionConfig.fromJson(dir.resolve("config.json")));
        SuTIUNet suti = new SuTIUNet(unet, SuTIConfig.read(dir));
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            StateDict.loadFresh(unet, file, manager, DataType.FLOAT32);
        }
        unet.namedParameters().values().forEach(p -> NDScope.unregister(p.getArray()));
        return suti;
    }

    /**
     * Writes the folder {@link #fromPretrained} reads, floating-point weights stored as {@code
     * floatType} (null keeps each parameter's own type).
     */
    public void save(Path dir, Dtype floatType) {
        unet.save(dir, floatType);
        config.write(dir);
    }

    /** The UNet with the neighbour layers attached: the module to train, average and save. */
    public UNet2DConditionModel unet() {
        return unet;
    }

    public SuTIConfig config() {
        return config;
    }

    /** The neighbour layers by the checkpoint prefix of the transformer block they are attached to. */
    public Map<String, NeighborAttention> neighborLayers() {
        return layers;
    }

    /** The neighbour layers' parameters under their names in {@link #unet()} ({@code <block>.fuser.<name>}). */
    public Map<String, Parameter> neighborParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        layers.forEach((prefix, layer) ->
                layer.namedParameters().forEach((name, p) -> out.put(prefix + ".fuser." + name, p)));
        return out;
    }

    /** Scalar parameters of the neighbour layers. */
    public long neighborParameterCount() {
        return layers.values().stream().mapToLong(NeighborAttention::parameterCount).sum();
    }

    /** Width of the demonstration tokens: the mid block's channels. */
    public int demoWidth() {
        return demoWidth(unet.config());
    }

    private static int demoWidth(UNet2DConditionConfig c) {
        List<Integer> boc = c.blockOutChannels();
        return boc.get(boc.size() - 1);
    }

    /**
     * Encodes the demonstrations with the UNet's own encoder at {@link SuTIConfig#demoTimestep()}
     * (the neighbour layers are not used: the encoder sees text only), then flattens each
     * demonstration's bottleneck map and concatenates those of one example.
     *
     * @param demoLatents [B, K, C, h, w] scaled latents of K demonstrations per example
     * @param demoTextStates [B*K, S, D] their captions' text states, example-major (example 0's K
     *     demonstrations first)
     * @return the demonstration tokens [B, K*h'*w', C_mid] (demonstration-major, then row-major)
     */
    public NDArray encodeDemonstrations(NDArray demoLatents, NDArray demoTextStates) {
        Shape s = demoLatents.getShape();
        if (s.dimension() != 5) {
            throw new IllegalArgumentException("demonstration latents must be [B, K, C, h, w], got " + s);
        }
        long b = s.get(0);
        long k = s.get(1);
        if (demoTextStates.getShape().dimension() != 3 || demoTextStates.getShape().get(0) != b * k) {
            throw new IllegalArgumentException("demonstration text states must be [" + (b * k) + ", S, D] (one per"
                    + " demonstration), got " + demoTextStates.getShape());
        }
        NDArray x = demoLatents.reshape(b * k, s.get(2), s.get(3), s.get(4));
        NDArray t = x.getManager().full(new Shape(b * k), config.demoTimestep(), DataType.INT64);
        NDArray features = unet.encode(x, t, BlockConditioning.text(demoTextStates), null); // [BK, Cm, h', w']
        Shape f = features.getShape();
        return features.reshape(b, k, f.get(1), f.get(2) * f.get(3))
                .transpose(0, 1, 3, 2)
                .reshape(b, k * f.get(2) * f.get(3), f.get(1));
    }

    /**
     * Predicts the noise (or v) of {@code sample} at {@code timestep} given the text states and the
     * demonstration tokens.
     *
     * @param demoTokens [B, N, C_mid] from {@link #encodeDemonstrations}; null: the base UNet (no
     *     neighbour layer runs); a sample whose tokens are all zero has no demonstrations
     */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray textStates, NDArray demoTokens) {
        if (demoTokens != null && demoTokens.getShape().get(0) != sample.getShape().get(0)) {
            throw new IllegalArgumentException("demonstration tokens for " + demoTokens.getShape().get(0)
                    + " samples, but the batch has " + sample.getShape().get(0));
        }
        return unet.forward(sample, timestep, new BlockConditioning(textStates, demoTokens), null);
    }

    /**
     * Tokens meaning "no demonstrations" for every sample of {@code like}'s batch (all zeros of its
     * shape): the demonstration-free condition inside a batch that mixes conditions.
     */
    public static NDArray withoutDemonstrations(NDArray like) {
        return like.zerosLike();
    }
}

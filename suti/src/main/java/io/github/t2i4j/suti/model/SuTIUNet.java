package io.github.t2i4j.suti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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
 * demonstrations, flattened and concatenated, beside the text cross-attention: the bottleneck's
 * features, or with {@link SuTIConfig.Placement#MID_AND_UP_PER_LEVEL} each up block those of its own
 * resolution.
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
    /** The encoder levels the layers read, in encoder order, with their features' keys. */
    private final java.util.SortedMap<Integer, String> sources;

    /** Attaches (parameter-less) neighbour layers to {@code unet}'s blocks that {@code config} places them in. */
    private SuTIUNet(UNet2DConditionModel unet, SuTIConfig config) {
        this.unet = unet;
        this.config = config;
        Map<String, NeighborAttention> attached = new LinkedHashMap<>();
        java.util.SortedMap<Integer, String> read = new java.util.TreeMap<>();
        List<Integer> boc = unet.config().blockOutChannels();
        for (Map.Entry<String, BasicTransformerBlock> e : unet.transformerBlocks().entrySet()) {
            if (config.placement().covers(e.getKey())) {
                BasicTransformerBlock block = e.getValue();
                if (block.dim() % config.heads() != 0) {
                    throw new IllegalArgumentException("transformer block " + e.getKey() + " has width " + block.dim()
                            + ", not a multiple of the " + config.heads() + " neighbour-attention heads");
                }
                int level = sourceLevel(e.getKey(), config.placement(), unet.config());
                // level boc.size() is the mid block, as wide as the last down block
                int width = boc.get(level == boc.size() ? boc.size() - 1 : level);
                String key = featuresKey(level, boc.size());
                read.put(level, key);
                attached.put(e.getKey(), block.attachFuser(new NeighborAttention(block.dim(), width, config.heads(), key)));
            }
        }
        if (attached.isEmpty()) {
            throw new IllegalArgumentException("the UNet has no transformer block for neighbour layers at "
                    + config.placement().key() + ": its blocks are " + unet.transformerBlocks().keySet());
        }
        this.layers = Collections.unmodifiableMap(attached);
        this.sources = Collections.unmodifiableSortedMap(read);
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

    /**
     * The encoder level whose demonstration features the layer in {@code blockPrefix} reads: {@code
     * levels} (the number of down blocks) for the mid block's output, {@code i} for down block {@code
     * i}'s last state. The mid block, and every block unless the placement is per level, reads the
     * bottleneck; up block {@code j} runs at the resolution of down block {@code levels - 1 - j}.
     */
    private static int sourceLevel(String blockPrefix, SuTIConfig.Placement placement, UNet2DConditionConfig c) {
        int levels = c.blockOutChannels().size();
        if (!placement.perLevel() || !blockPrefix.startsWith("up_blocks.")) {
            return levels;
        }
        int up = Integer.parseInt(blockPrefix.split("\\.")[1]);
        return levels - 1 - up;
    }

    /** The {@link DemonstrationFeatures} key of an encoder level ({@code levels}: the mid block). */
    static String featuresKey(int level, int levels) {
        return level == levels ? "suti.demos.mid_block" : "suti.demos.down_blocks." + level;
    }

    /**
     * Encodes the demonstrations with the UNet's own encoder at {@link SuTIConfig#demoTimestep()}
     * (the neighbour layers are not used: the encoder sees text only), then, for each encoder level
     * a layer reads, flattens each demonstration's feature map and concatenates those of one example.
     *
     * @param demoLatents [B, K, C, h, w] scaled latents of K demonstrations per example
     * @param demoTextStates [B*K, S, D] their captions' text states, example-major (example 0's K
     *     demonstrations first)
     * @return per level, [B, K*h'*w', C'] (demonstration-major, then row-major)
     */
    public DemonstrationFeatures encodeDemonstrations(NDArray demoLatents, NDArray demoTextStates) {
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
        NDList levels = unet.encodeLevels(x, t, BlockConditioning.text(demoTextStates), null);
        Map<String, NDArray> tokens = new LinkedHashMap<>();
        sources.forEach((level, key) -> {
            NDArray f = levels.get(level); // [BK, C', h', w']
            Shape fs = f.getShape();
            tokens.put(key, f.reshape(b, k, fs.get(1), fs.get(2) * fs.get(3))
                    .transpose(0, 1, 3, 2)
                    .reshape(b, k * fs.get(2) * fs.get(3), fs.get(1)));
        });
        return new DemonstrationFeatures(tokens);
    }

    /**
     * Predicts the noise (or v) of {@code sample} at {@code timestep} given the text states and the
     * demonstration tokens.
     *
     * @param demos the features from {@link #encodeDemonstrations}; null: the base UNet (no neighbour
     *     layer runs); a sample whose features are all zero ({@link DemonstrationFeatures#none()}) has
     *     no demonstrations
     */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray textStates, DemonstrationFeatures demos) {
        if (demos == null) {
            return unet.forward(sample, timestep, BlockConditioning.text(textStates), null);
        }
        if (demos.batchSize() != sample.getShape().get(0)) {
            throw new IllegalArgumentException("demonstration features for " + demos.batchSize()
                    + " samples, but the batch has " + sample.getShape().get(0));
        }
        return unet.forward(sample, timestep, demos.conditioning(textStates), null);
    }
}

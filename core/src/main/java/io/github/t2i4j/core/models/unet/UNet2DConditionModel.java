package io.github.t2i4j.core.models.unet;

import io.github.t2i4j.core.tensor.NoGrad;
import io.github.t2i4j.core.tensor.Scalars;
import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.GroupNorm;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * diffusers' {@code UNet2DConditionModel}, the noise predictor of Stable Diffusion 1.x/2.x and
 * SDXL: given a noisy latent, a timestep and the text encoder's hidden states (and, for SDXL,
 * the pooled text embedding and size/crop ids), it returns the predicted noise (or v).
 *
 * <p>The module tree and parameter names are diffusers' own, so a diffusers {@code unet/} folder
 * loads by name ({@link #fromPretrained}). Built from a {@link UNet2DConditionConfig}.
 */
public class UNet2DConditionModel extends Module {
    private static final Logger LOG = LoggerFactory.getLogger(UNet2DConditionModel.class);

    private final UNet2DConditionConfig config;
    private final Conv2d convIn;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final Timesteps addTimeProj;
    private final TimestepEmbedding addEmbedding;
    private final ModuleList<UNetDownBlock> downBlocks;
    private final ModuleList<UNetUpBlock> upBlocks;
    private final UNetMidBlock2DCrossAttn midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    /**
     * A deep copy: a UNet of this configuration holding copies of this one's weights on {@code
     * manager}, detached from any graph, so the two never share an array. A frozen reference for a
     * regulariser, or the starting point of a second model trained beside this one.
     *
     * @param trainable whether the copy's arrays take gradients
     */
    public UNet2DConditionModel copy(NDManager manager, boolean trainable) {
        UNet2DConditionModel copy = new UNet2DConditionModel(config);
        Map<String, Parameter> from = namedParameters();
        NoGrad.run(() -> {
            for (Map.Entry<String, Parameter> e : copy.namedParameters().entrySet()) {
                Parameter src = from.get(e.getKey());
                if (src == null || !src.isInitialized()) {
                    throw new IllegalStateException("the UNet to copy has no weights for " + e.getKey());
                }
                NDArray a = src.getArray().duplicate(); // a clone with grad mode off: no graph, no view
                a.attach(manager);
                a.setRequiresGradient(trainable);
                e.getValue().setArray(a);
            }
            return null;
        });
        return copy;
    }

    /** Builds the model with unset parameters: load a checkpoint or {@link #initialize} next. */
    public UNet2DConditionModel(UNet2DConditionConfig config) {
        this.config = config;
        List<Integer> boc = config.blockOutChannels();
        int levels = config.numLevels();
        int ted = config.timeEmbedDim();
        int groups = config.normNumGroups();
        float eps = config.normEps();
        String act = config.actFn();

        int kin = config.convInKernel();
        this.convIn = module("conv_in", new Conv2d(config.inChannels(), boc.get(0), kin, 1, (kin - 1) / 2, true));
        this.timeProj = module("time_proj", new Timesteps(boc.get(0), config.flipSinToCos(), config.freqShift()));
        this.timeEmbedding = module("time_embedding",
                new TimestepEmbedding(boc.get(0), ted, act, config.timestepPostAct()));
        if ("text_time".equals(config.additionEmbedType())) {
            this.addTimeProj = module("add_time_proj",
                    new Timesteps(config.additionTimeEmbedDim(), config.flipSinToCos(), config.freqShift()));
            // diffusers builds add_embedding with TimestepEmbedding's default activation, silu
            this.addEmbedding = module("add_embedding",
                    new TimestepEmbedding(config.projectionClassEmbeddingsInputDim(), ted, "silu", null));
        } else {
            this.addTimeProj = null;
            this.addEmbedding = null;
        }
        // registered in diffusers' attribute order: down_blocks, up_blocks, mid_block
        this.downBlocks = module("down_blocks", new ModuleList<>());
        this.upBlocks = module("up_blocks", new ModuleList<>());

        int output = boc.get(0);
        for (int i = 0; i < levels; i++) {
            int input = output;
            output = boc.get(i);
            boolean last = i == levels - 1;
            if (config.downBlockTypes().get(i).equals(UNet2DConditionConfig.CROSS_ATTN_DOWN)) {
                downBlocks.add(new CrossAttnDownBlock2D(
                        config.layersPerBlock().get(i), config.transformerLayersPerBlock().get(i),
                        input, output, ted, !last, eps, act, groups, config.numAttentionHeads(i),
                        config.crossAttentionDim().get(i), config.downsamplePadding(),
                        config.useLinearProjection()));
            } else {
                downBlocks.add(new DownBlock2D(
                        config.layersPerBlock().get(i), input, output, ted, !last, eps, act, groups,
                        config.downsamplePadding()));
            }
        }

        this.midBlock = module("mid_block", new UNetMidBlock2DCrossAttn(
                1, config.transformerLayersPerBlock().get(levels - 1), boc.get(levels - 1), ted, eps, act,
                config.midBlockScaleFactor(), config.numAttentionHeads(levels - 1),
                config.crossAttentionDim().get(levels - 1), groups, config.useLinearProjection()));

        output = boc.get(levels - 1);
        for (int i = 0; i < levels; i++) {
            int r = levels - 1 - i; // the down level this up block mirrors
            int prevOutput = output;
            output = boc.get(r);
            int input = boc.get(Math.max(r - 1, 0));
            boolean last = i == levels - 1;
            int numLayers = config.layersPerBlock().get(r) + 1;
            if (config.upBlockTypes().get(i).equals(UNet2DConditionConfig.CROSS_ATTN_UP)) {
                upBlocks.add(new CrossAttnUpBlock2D(
                        numLayers, config.transformerLayersPerBlock().get(r), input, prevOutput, output, ted,
                        !last, eps, act, groups, config.numAttentionHeads(r), config.crossAttentionDim().get(r),
                        config.useLinearProjection()));
            } else {
                upBlocks.add(new UpBlock2D(numLayers, input, prevOutput, output, ted, !last, eps, act, groups));
            }
        }

        this.convNormOut = module("conv_norm_out", new GroupNorm(groups, boc.get(0), eps));
        int kout = config.convOutKernel();
        this.convOut = module("conv_out", new Conv2d(boc.get(0), config.outChannels(), kout, 1, (kout - 1) / 2, true));
    }

    /** A model with random weights (PyTorch's default initialisation) from a configuration. */
    public static UNet2DConditionModel fromConfig(UNet2DConditionConfig config) {
        return new UNet2DConditionModel(config);
    }

    /**
     * Loads a diffusers UNet folder: {@code config.json} and {@code
     * diffusion_pytorch_model.safetensors} (or, when only that exists, the {@code .fp16} variant),
     * strictly: every parameter present with its shape and no stray tensors, else a {@link
     * io.github.t2i4j.core.io.CheckpointException} naming them. Weights become float32 on {@code
     * manager}'s device.
     */
    public static UNet2DConditionModel fromPretrained(Path unetDir, NDManager manager) {
        UNet2DConditionConfig config = UNet2DConditionConfig.fromJson(unetDir.resolve("config.json"));
        Path weights = unetDir.resolve("diffusion_pytorch_model.safetensors");
        if (!Files.isRegularFile(weights)) {
            Path fp16 = unetDir.resolve("diffusion_pytorch_model.fp16.safetensors");
            if (!Files.isRegularFile(fp16)) {
                throw new IllegalArgumentException("no diffusion_pytorch_model.safetensors in " + unetDir);
            }
            LOG.info("loading the fp16 variant {} as float32", fp16);
            weights = fp16;
        }
        UNet2DConditionModel model = new UNet2DConditionModel(config);
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            StateDict.loadFresh(model, file, manager, DataType.FLOAT32);
        }
        // weights belong to the model, not to an NDScope the caller may have open
        model.namedParameters().values().forEach(p -> NDScope.unregister(p.getArray()));
        return model;
    }

    /** The weights file of a diffusers {@code unet/} folder. */
    public static final String WEIGHTS_FILE = "diffusion_pytorch_model.safetensors";

    /**
     * Writes a diffusers {@code unet/} folder that {@link #fromPretrained} (and diffusers) loads:
     * {@code config.json} and {@value #WEIGHTS_FILE}, floating-point weights stored as {@code
     * floatType} (e.g. F16 for shipped checkpoints; null keeps each parameter's own type).
     */
    public void save(Path dir, Dtype floatType) {
        config.save(dir);
        StateDict.save(this, dir.resolve(WEIGHTS_FILE), floatType);
    }

    public UNet2DConditionConfig config() {
        return config;
    }

    /**
     * Predicts the noise.
     *
     * @param sample [B, in_channels, H, W] noisy latents
     * @param timestep [B], [1] or a scalar; integer or float
     * @param encoderHiddenStates [B, S, cross_attention_dim]
     * @param added SDXL's pooled text embedding and time ids ({@code addition_embed_type
     *     "text_time"}); null otherwise
     * @return [B, out_channels, H, W]
     */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray encoderHiddenStates, AddedCond added) {
        return forward(sample, timestep, BlockConditioning.text(encoderHiddenStates), added);
    }

    /**
     * Predicts the noise, with extra tokens for the {@link TokenFuser}s attached to the transformer
     * blocks (see {@link #transformerBlocks()}).
     */
    public NDArray forward(NDArray sample, NDArray timestep, BlockConditioning cond, AddedCond added) {
        NDArray encoderHiddenStates = cond.encoderHiddenStates();
        Shape s = sample.getShape();
        if (s.dimension() != 4 || s.get(1) != config.inChannels()) {
            throw new IllegalArgumentException(
                    "sample must be [B, " + config.inChannels() + ", H, W], got " + s);
        }
        if (encoderHiddenStates == null || encoderHiddenStates.getShape().dimension() != 3) {
            throw new IllegalArgumentException("encoder_hidden_states must be [B, S, D]");
        }
        if (addEmbedding != null && (added == null || added.textEmbeds() == null || added.timeIds() == null)) {
            throw new IllegalArgumentException(
                    "this UNet has addition_embed_type \"text_time\": text_embeds and time_ids are required");
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = run(sample, timestep, cond, added, null);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * The UNet's own encoder: {@code conv_in}, the down blocks and the mid block on {@code sample}
     * at {@code timestep}, without the up path. SuTI encodes its demonstrations with it, so that
     * they live in the denoiser's own feature space.
     *
     * @return the mid block's output [B, block_out_channels[-1], H / 2^(levels-1), W / 2^(levels-1)]
     */
    public NDArray encode(NDArray sample, NDArray timestep, BlockConditioning cond, AddedCond added) {
        NDList levels = encodeLevels(sample, timestep, cond, added);
        NDArray mid = levels.remove(levels.size() - 1);
        levels.close(); // the down blocks' levels are not asked for
        return mid;
    }

    /**
     * The encoder's features at every level: for each down block {@code i} its last state at its
     * own resolution (before its downsampler), [B, block_out_channels[i], H / 2^i, W / 2^i], then
     * the mid block's output. These are what the up block of the same resolution meets as its skip
     * connections, so a layer in that up block can attend to another image's features of its own
     * scale (Re-Imagen's neighbour attention).
     *
     * @return one array per down block, then the mid block's output
     */
    public NDList encodeLevels(NDArray sample, NDArray timestep, BlockConditioning cond, AddedCond added) {
        NDList levels = new NDList();
        try (NDScope scope = new NDScope()) {
            levels.add(run(sample, timestep, cond, added, levels));
            levels.forEach(NDScope::unregister);
        }
        levels.forEach(NDScope::register);
        return levels;
    }

    /**
     * Every transformer block by its checkpoint prefix (e.g. {@code
     * down_blocks.1.attentions.0.transformer_blocks.0}), down path, mid block, then up path: where
     * {@link TokenFuser}s are attached.
     */
    public java.util.Map<String, BasicTransformerBlock> transformerBlocks() {
        java.util.Map<String, BasicTransformerBlock> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < downBlocks.size(); i++) {
            addBlocks(out, "down_blocks." + i, downBlocks.get(i).attentions());
        }
        addBlocks(out, "mid_block", midBlock.attentions());
        for (int i = 0; i < upBlocks.size(); i++) {
            addBlocks(out, "up_blocks." + i, upBlocks.get(i).attentions());
        }
        return out;
    }

    private static void addBlocks(java.util.Map<String, BasicTransformerBlock> out, String prefix,
            List<Transformer2DModel> attentions) {
        for (int j = 0; j < attentions.size(); j++) {
            List<BasicTransformerBlock> blocks = attentions.get(j).transformerBlocks();
            for (int k = 0; k < blocks.size(); k++) {
                out.put(prefix + ".attentions." + j + ".transformer_blocks." + k, blocks.get(k));
            }
        }
    }

    /**
     * The forward; with {@code encoderLevels} non-null only the encoder runs: each down block's last
     * state at its own resolution is added to it and the mid block's output is returned.
     */
    private NDArray run(NDArray sample, NDArray timestep, BlockConditioning cond, AddedCond added,
            List<NDArray> encoderLevels) {
        long batch = sample.getShape().get(0);
        // when the size is not a multiple of the overall up factor, each upsampler is told the
        // size of the matching skip connection (diffusers' forward_upsample_size)
        long factor = 1L << config.numUpsamplers();
        boolean forwardUpsampleSize =
                sample.getShape().get(2) % factor != 0 || sample.getShape().get(3) % factor != 0;

        if (config.centerInputSample()) {
            sample = Scalars.mul(sample, 2f).sub(1f);
        }

        // time embedding, computed once and shared by every resnet
        NDArray t = timestep.toDevice(sample.getDevice(), false);
        if (t.getShape().dimension() == 0) {
            t = t.reshape(1);
        }
        if (t.getShape().dimension() != 1 || (t.size() != 1 && t.size() != batch)) {
            throw new IllegalArgumentException(
                    "timestep must be a scalar, [1] or [" + batch + "], got " + timestep.getShape());
        }
        if (t.size() != batch) {
            t = t.broadcast(batch);
        }
        NDArray emb = timeEmbedding.forward(timeProj.forward(t));
        if (addEmbedding != null) {
            NDArray timeIds = added.timeIds();
            NDArray timeEmbeds = addTimeProj.forward(timeIds.flatten()).reshape(added.textEmbeds().getShape().get(0), -1);
            NDArray addEmbeds = NDArrays.concat(new NDList(added.textEmbeds(), timeEmbeds), -1);
            emb = emb.add(addEmbedding.forward(addEmbeds));
        }
        if (config.timeEmbeddingActFn() != null) {
            emb = Activations.apply(config.timeEmbeddingActFn(), emb);
        }
        NDArray temb = emb;

        NDArray h = convIn.forward(sample);
        List<NDArray> skips = new ArrayList<>();
        skips.add(h);
        for (UNetDownBlock down : downBlocks) {
            NDArray in = h;
            NDList states = Scopes.runList(() -> down.forward(in, temb, cond));
            skips.addAll(states);
            h = states.get(states.size() - 1);
            if (encoderLevels != null) {
                encoderLevels.add(states.get(states.size() - (down.hasDownsampler() ? 2 : 1)));
            }
        }

        NDArray midIn = h;
        h = Scopes.run(() -> midBlock.forward(midIn, temb, cond));
        if (encoderLevels != null) {
            return h;
        }

        long[] upsampleSize = null;
        for (int i = 0; i < upBlocks.size(); i++) {
            UNetUpBlock up = upBlocks.get(i);
            int n = up.numResnets();
            List<NDArray> res = new ArrayList<>(skips.subList(skips.size() - n, skips.size()));
            skips.subList(skips.size() - n, skips.size()).clear();
            if (i < upBlocks.size() - 1 && forwardUpsampleSize) {
                Shape next = skips.get(skips.size() - 1).getShape();
                upsampleSize = new long[] {next.get(2), next.get(3)};
            }
            NDArray in = h;
            long[] size = upsampleSize;
            h = Scopes.run(() -> up.forward(in, res, temb, cond, size));
        }

        h = Activations.apply(config.actFn(), convNormOut.forward(h));
        return convOut.forward(h);
    }

    /**
     * DJL's generic entry point: inputs are {@code sample, timestep, encoder_hidden_states} and,
     * for SDXL, {@code text_embeds, time_ids}; the output is the predicted noise.
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        int expected = addEmbedding != null ? 5 : 3;
        if (inputs.size() != expected) {
            throw new IllegalArgumentException("UNet2DConditionModel expects " + expected
                    + " inputs (sample, timestep, encoder_hidden_states"
                    + (addEmbedding != null ? ", text_embeds, time_ids" : "") + "), got " + inputs.size());
        }
        AddedCond added = addEmbedding != null ? new AddedCond(inputs.get(3), inputs.get(4)) : null;
        return new NDList(forward(inputs.get(0), inputs.get(1), inputs.get(2), added));
    }
}

package io.github.t2i4j.itercomp.reward;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.NDScope;
import io.github.t2i4j.core.io.Checkpoints;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.ModelFolder;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.io.TensorSource;
import io.github.t2i4j.core.models.clip.CLIPConfig;
import io.github.t2i4j.core.models.clip.CLIPImageProcessor;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.text.CLIPTextTransformer;
import io.github.t2i4j.core.models.clip.CLIPVisionTransformer;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.text.CLIPTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IterComp's composition-aware reward model, ImageReward's architecture at the world's scale: the
 * world CLIP's vision tower encodes the image (its lower layers frozen), a small BERT-like text
 * encoder reads the caption with cross-attention to the image tokens, and the text's [CLS] (BOS)
 * feature goes through a linear head W -> 128 -> 64 -> 16 -> 1 (no nonlinearity, as ImageReward)
 * to one score, normalised by the config's fixed mean and std. The image tokens are the vision
 * tower's last hidden states after its {@code post_layernorm} (applied to every token).
 *
 * <p>With the CLIP-score prior ({@link RewardModelConfig#hasClipScore()}) the raw score is the
 * head's output plus {@code clip_scale *} the cosine between the world CLIP's projected image (the
 * class token of the same vision tower) and projected caption (its own causal text tower, kept
 * frozen with its projection). Started from the CLIP with the head's last layer at zero, such a
 * model begins as the CLIP score, which already orders most preference pairs, and training
 * learns what the CLIP score misses.
 *
 * <p>Parameter names: {@code vision_model.*} (the CLIP checkpoint's), {@code vision_proj.*} (only
 * when the vision and text widths differ), {@code text_model.*}, {@code mlp.layers.{0..3}.*}; with
 * the prior also {@code clip_text_model.*}, {@code visual_projection.weight}, {@code
 * text_projection.weight} (the CLIP checkpoint's {@code text_model.*} and projections) and {@code
 * clip_scale}.
 * Images enter in [-1, 1] and pass through the model's {@link CLIPImageProcessor}.
 */
public class RewardModel extends Module {
    private static final Logger LOG = LoggerFactory.getLogger(RewardModel.class);
    private static final String WHAT = "reward model";

    private final RewardModelConfig config;
    private final CLIPImageProcessor imageProcessor;
    private final CLIPVisionTransformer visionModel;
    private final Linear visionProj;
    private final RewardTextEncoder textModel;
    private final ModuleList<Linear> mlp;
    private final CLIPTextTransformer clipTextModel;
    private final Linear visualProjection;
    private final Linear textProjection;
    private final Parameter clipScale;

    public RewardModel(RewardModelConfig config) {
        this(config, CLIPImageProcessor.world());
    }

    public RewardModel(RewardModelConfig config, CLIPImageProcessor imageProcessor) {
        this.config = config;
        this.imageProcessor = imageProcessor;
        this.visionModel = module("vision_model", new CLIPVisionTransformer(config.visionConfig()));
        int vw = config.visionConfig().hiddenSize();
        int tw = config.textHiddenSize();
        this.visionProj = vw == tw ? null : module("vision_proj", new Linear(vw, tw));
        this.textModel = module("text_model", new RewardTextEncoder(config));
        ModuleList<Linear> head = new ModuleList<>();
        int in = tw;
        for (int out : RewardModelConfig.HEAD_WIDTHS) {
            head.add(new Linear(in, out));
            in = out;
        }
        Module mlpParent = module("mlp", new HeadModule(head));
        this.mlp = ((HeadModule) mlpParent).layers;
        if (config.hasClipScore()) {
            int dim = config.clipTextConfig().projectionDim();
            this.clipTextModel = module("clip_text_model", new CLIPTextTransformer(config.clipTextConfig()));
            this.visualProjection = module("visual_projection", new Linear(vw, dim, false));
            this.textProjection = module("text_projection", new Linear(config.clipTextConfig().hiddenSize(), dim, false));
            this.clipScale = param("clip_scale", Parameter.Type.WEIGHT, (m, shape, type) -> m.full(shape, 1f, type));
        } else {
            this.clipTextModel = null;
            this.visualProjection = null;
            this.textProjection = null;
            this.clipScale = null;
        }
        frozenParameters().values().forEach(p -> p.freeze(true));
    }

    /** ImageReward's {@code mlp}: a list of linear layers ({@code layers.i}). */
    private static final class HeadModule extends Module {
        final ModuleList<Linear> layers;

        HeadModule(ModuleList<Linear> layers) {
            this.layers = module("layers", layers);
        }
    }

    /**
     * A fresh reward model whose vision tower (and, when the widths and vocabulary match, token
     * embeddings) come from a CLIPModel folder such as {@code models/world-clip}; the rest is
     * randomly initialised. The folder's image processor is used when it has one.
     */
    public static RewardModel fromClip(RewardModelConfig config, Path clipDir, NDManager manager) {
        CLIPConfig clip = CLIPConfig.fromJson(ModelFolder.configFile(clipDir, "CLIP model"));
        if (!clip.visionConfig().equals(config.visionConfig())) {
            throw new IllegalArgumentException("reward model vision_config " + config.visionConfig()
                    + " differs from the CLIP's " + clip.visionConfig() + " in " + clipDir);
        }
        Path pre = clipDir.resolve(CLIPImageProcessor.FILE);
        CLIPImageProcessor processor =
                Files.isRegularFile(pre) ? CLIPImageProcessor.fromJson(pre) : CLIPImageProcessor.world();
        RewardModel model = new RewardModel(config, processor);
        model.initialize(manager, DataType.FLOAT32);
        String tokenName = "text_model.embeddings.token_embedding.weight";
        try (TensorSource st = Checkpoints.open(clipDir)) {
            Set<String> other = new LinkedHashSet<>();
            for (String n : st.names()) {
                if (!n.startsWith("vision_model.")) {
                    other.add(n);
                }
            }
            StateDict.load(model.visionModel, ModelFolder.without(st, other), n -> n.substring("vision_model.".length()));
            var t = clip.textConfig();
            boolean textTower = t.hiddenSize() == config.textHiddenSize()
                    && t.intermediateSize() == config.textEncoderConfig().intermediateSize()
                    && t.numAttentionHeads() == config.textEncoderConfig().numAttentionHeads()
                    && t.numHiddenLayers() >= config.textLayers() && t.vocabSize() == config.vocabSize()
                    && t.maxPositionEmbeddings() == config.maxPositionEmbeddings();
            boolean tokens = t.hiddenSize() == config.textHiddenSize() && t.vocabSize() == config.vocabSize()
                    && st.names().contains(tokenName);
            Map<String, Module> text = model.textModel.modules();
            if (textTower) {
                // ImageReward starts its text encoder from BLIP's: here the CLIP text tower's embeddings, first
                // layers (self-attention, now bidirectional, and MLP) and final norm; cross-attention is new
                loadPart(text.get("token_embedding"), st, "text_model.embeddings.token_embedding.");
                loadPart(text.get("position_embedding"), st, "text_model.embeddings.position_embedding.");
                for (int i = 0; i < config.textLayers(); i++) {
                    Map<String, Module> layer = text.get("layers").modules().get(Integer.toString(i)).modules();
                    for (String part : List.of("layer_norm1", "self_attn", "layer_norm2", "mlp")) {
                        loadPart(layer.get(part), st, "text_model.encoder.layers." + i + "." + part + ".");
                    }
                }
                loadPart(text.get("final_layer_norm"), st, "text_model.final_layer_norm.");
            } else if (tokens) {
                loadPart(text.get("token_embedding"), st, "text_model.embeddings.token_embedding.");
            }
            LOG.info("reward model: vision tower{} from {}",
                    textTower ? " and text tower (embeddings, first " + config.textLayers() + " layers)"
                            : tokens ? " and token embeddings" : "", clipDir);
        }
        if (config.hasClipScore()) {
            if (!clip.textConfig().equals(config.clipTextConfig()) || clip.projectionDim() != config.clipTextConfig().projectionDim()) {
                throw new IllegalArgumentException("reward model clip_text_config " + config.clipTextConfig()
                        + " differs from the CLIP's text config " + clip.textConfig() + " in " + clipDir);
            }
            try (TensorSource st = Checkpoints.open(clipDir)) {
                loadPart(model.clipTextModel, st, "text_model.");
                loadPart(model.visualProjection, st, "visual_projection.");
                loadPart(model.textProjection, st, "text_projection.");
                // CLIP's own temperature, capped as CLIP caps it, as the prior's first scale
                try (NDManager m = manager.newSubManager()) {
                    float logit = st.load("logit_scale", m).toType(DataType.FLOAT32, false).getFloat();
                    model.clipScale.getArray().set(new float[] {(float) Math.exp(Math.min(logit, CLIPModel.MAX_LOGIT_SCALE))});
                }
            }
            // the head's last layer starts at zero: the model starts as the CLIP score
            Linear last = model.mlp.get(model.mlp.size() - 1);
            last.namedParameters().values().forEach(p -> p.getArray().set(new float[Math.toIntExact(p.getArray().size())]));
            LOG.info("reward model: the CLIP score of {} as its prior (scale {})", clipDir,
                    model.clipScale.getArray().getFloat());
        }
        model.applyFreeze();
        return model;
    }

    /** Loads the checkpoint's tensors under {@code prefix} into {@code part}, strictly (all of them, every parameter). */
    private static void loadPart(Module part, TensorSource st, String prefix) {
        Set<String> others = new LinkedHashSet<>();
        for (String n : st.names()) {
            if (!n.startsWith(prefix)) {
                others.add(n);
            }
        }
        StateDict.load(part, ModelFolder.without(st, others), n -> n.substring(prefix.length()));
    }

    /** Loads a folder written by {@link #save}, strictly. */
    public static RewardModel fromPretrained(Path dir, NDManager manager) {
        RewardModelConfig config = RewardModelConfig.fromJson(ModelFolder.configFile(dir, WHAT));
        Path pre = dir.resolve(CLIPImageProcessor.FILE);
        CLIPImageProcessor processor =
                Files.isRegularFile(pre) ? CLIPImageProcessor.fromJson(pre) : CLIPImageProcessor.world();
        RewardModel model = new RewardModel(config, processor);
        ModelFolder.load(model, dir, WHAT, manager, DataType.FLOAT32, Set.of());
        model.applyFreeze();
        return model;
    }

    /** Writes {@code config.json}, {@code preprocessor_config.json} and {@code model.safetensors} (float32). */
    public void save(Path dir) {
        save(dir, Dtype.F32);
    }

    /** Writes {@code config.json}, {@code preprocessor_config.json} and {@code model.safetensors} in {@code floatType}. */
    public void save(Path dir, Dtype floatType) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        config.save(dir.resolve(ModelFolder.CONFIG));
        imageProcessor.save(dir);
        StateDict.save(this, dir.resolve(ModelFolder.TRANSFORMERS_WEIGHTS), floatType);
    }

    /**
     * The parameters kept frozen: the vision tower's patch/position embeddings, its pre-norm and
     * its lowest {@link RewardModelConfig#frozenVisionLayers()} encoder layers (none when the
     * fraction is 0), and the CLIP prior's text tower and text projection.
     */
    public Map<String, Parameter> frozenParameters() {
        int k = config.frozenVisionLayers();
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((n, p) -> {
            if (n.startsWith("clip_text_model.") || n.startsWith("text_projection.")) {
                out.put(n, p); // the prior's text side stays the CLIP's
            } else if (k == 0) {
                return;
            } else if (n.startsWith("vision_model.embeddings.") || n.startsWith("vision_model.pre_layrnorm.")) {
                out.put(n, p);
            } else if (n.startsWith("vision_model.encoder.layers.")) {
                int layer = Integer.parseInt(n.split("\\.")[3]);
                if (layer < k) {
                    out.put(n, p);
                }
            }
        });
        return out;
    }

    /** (Re)applies the freeze to the frozen parameters' arrays (after loading). */
    private void applyFreeze() {
        frozenParameters().values().forEach(p -> p.freeze(true));
    }

    /**
     * The raw score (before normalisation) of each (image, caption) pair.
     *
     * @param images [B, C, H, W] in [-1, 1]
     * @param inputIds [B, L] token ids of the CLIP tokenizer (BOS first)
     * @param attentionMask [B, L] or null
     * @return [B]
     */
    public NDArray rawScore(NDArray images, NDArray inputIds, NDArray attentionMask) {
        // every image token through the tower's final norm (BLIP's ViT output; CLIP applies
        // post_layernorm to the class token only)
        NDArray tokens = visionModel.postLayernorm()
                .forward(visionModel.forward(imageProcessor.preprocess(images)).lastHiddenState());
        NDArray pooled = config.hasClipScore() ? tokens.get(new NDIndex(":, 0, :")) : null;
        if (visionProj != null) {
            tokens = visionProj.forward(tokens);
        }
        NDArray hidden = textModel.forward(inputIds, attentionMask, tokens);
        NDArray x = hidden.get(new NDIndex(":, 0, :"));
        for (Linear layer : mlp) {
            x = layer.forward(x);
        }
        x = x.reshape(-1);
        if (!config.hasClipScore()) {
            return x;
        }
        NDArray image = CLIPModel.normalize(visualProjection.forward(pooled));
        NDArray text = CLIPModel.normalize(textProjection.forward(clipTextModel.forward(inputIds, attentionMask).poolerOutput()));
        NDArray cosine = image.mul(text).sum(new int[] {-1});
        return x.add(cosine.mul(v(clipScale)));
    }

    /** The normalised reward {@code (raw - mean) / std} of each pair, [B]; differentiable. */
    public NDArray forward(NDArray images, NDArray inputIds, NDArray attentionMask) {
        NDArray raw = rawScore(images, inputIds, attentionMask);
        if (config.scoreMean() == 0 && config.scoreStd() == 1) {
            return raw;
        }
        return Scalars.div(raw.sub((float) config.scoreMean()), (float) config.scoreStd());
    }

    /** Normalised rewards of images [B, C, H, W] in [-1, 1] for their captions, without gradient. */
    public float[] score(NDArray images, List<String> captions, CLIPTokenizer tokenizer) {
        if (captions.size() != images.getShape().get(0)) {
            throw new IllegalArgumentException(
                    captions.size() + " captions for " + images.getShape().get(0) + " images");
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            var enc = tokenizer.encode(captions);
            NDManager m = images.getManager();
            return score(images, enc.inputIds(m), enc.attentionMask(m));
        }
    }

    /**
     * Normalised rewards of images for token ids, detached from any graph; the temporaries are
     * closed. (Call it outside a gradient collector: DJL records every op inside one.)
     */
    public float[] score(NDArray images, NDArray inputIds, NDArray attentionMask) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray out = forward(images.stopGradient(), inputIds, attentionMask);
            return out.stopGradient().toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    public RewardModelConfig config() {
        return config;
    }

    public CLIPImageProcessor imageProcessor() {
        return imageProcessor;
    }

    public CLIPVisionTransformer visionModel() {
        return visionModel;
    }

    public RewardTextEncoder textModel() {
        return textModel;
    }
}

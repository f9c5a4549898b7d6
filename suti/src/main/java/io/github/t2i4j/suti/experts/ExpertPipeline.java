package io.github.t2i4j.suti.experts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.schedulers.Schedulers;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A Stable Diffusion pipeline that borrows a base pipeline's tokenizer, text encoder and VAE (and,
 * for Textual Inversion, its UNet), with its own scheduler instance and optionally its own prompt
 * encoding. Closing it frees only its own working memory: the borrowed models stay with the base
 * pipeline, which must outlive it.
 */
final class ExpertPipeline extends StableDiffusionPipeline {
    private final BiFunction<NDManager, List<String>, NDArray> encoder;

    ExpertPipeline(NDManager manager, StableDiffusionPipeline base, UNet2DConditionModel unet,
            BiFunction<NDManager, List<String>, NDArray> encoder) {
        super(manager, base.tokenizer(), base.textEncoder(), unet, base.vae(),
                Schedulers.fromConfig(base.scheduler().config()));
        this.encoder = encoder;
    }

    @Override
    public NDArray encode(NDManager work, List<String> prompts) {
        return encoder == null ? super.encode(work, prompts) : encoder.apply(work, prompts);
    }

    @Override
    public void close() {
        manager.close(); // not the tokenizer: the base pipeline owns it
    }
}

package io.github.t2i4j.core.pipelines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.text.CLIPTokenizer;
import java.util.List;

/**
 * Stable Diffusion 1.x/2.x: one CLIP text encoder whose last hidden state is the cross-attention
 * context, as diffusers' {@code StableDiffusionPipeline}.
 */
public class StableDiffusionPipeline extends DiffusionPipeline {
    private final CLIPTokenizer tokenizer;
    private final TextEncoder textEncoder;

    public StableDiffusionPipeline(
            NDManager manager,
            CLIPTokenizer tokenizer,
            TextEncoder textEncoder,
            UNet2DConditionModel unet,
            AutoencoderKL vae,
            Scheduler scheduler) {
        super(manager, unet, vae, scheduler);
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
    }

    public CLIPTokenizer tokenizer() {
        return tokenizer;
    }

    public TextEncoder textEncoder() {
        return textEncoder;
    }

    @Override
    protected Conditioning encodePrompts(
            NDManager work, List<String> prompts, List<String> negatives, boolean guided, int height, int width) {
        NDArray cond = encode(work, prompts);
        if (!guided) {
            return new Conditioning(cond, null);
        }
        NDArray uncond = encode(work, negatives);
        return new Conditioning(NDArrays.concat(new NDList(uncond, cond)), null);
    }

    /** The text encoder's last hidden state for the prompts, [B, L, D]. */
    public NDArray encode(NDManager work, List<String> prompts) {
        NDArray ids = tokenizer.encode(prompts).inputIds(work);
        return textEncoder.encode(ids).lastHiddenState();
    }

    @Override
    public void close() {
        tokenizer.close();
        super.close();
    }
}

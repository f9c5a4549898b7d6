package io.github.t2i4j.core.pipelines;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.models.unet.AddedCond;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.text.CLIPTextModelOutput;
import io.github.t2i4j.core.text.CLIPTokenizer;
import java.util.List;

/**
 * Stable Diffusion XL: two CLIP text encoders whose penultimate hidden states are concatenated
 * into the context, the second one's pooled projection plus the size/crop "time ids" as added
 * conditioning, as diffusers' {@code StableDiffusionXLPipeline} (no refiner, no crop).
 */
public class StableDiffusionXLPipeline extends DiffusionPipeline {
    private final CLIPTokenizer tokenizer;
    private final CLIPTokenizer tokenizer2;
    private final TextEncoder textEncoder;
    private final TextEncoder textEncoder2;
    private final boolean forceZerosForEmptyPrompt;

    public StableDiffusionXLPipeline(
            NDManager manager,
            CLIPTokenizer tokenizer,
            CLIPTokenizer tokenizer2,
            TextEncoder textEncoder,
            TextEncoder textEncoder2,
            UNet2DConditionModel unet,
            AutoencoderKL vae,
            Scheduler scheduler,
            boolean forceZerosForEmptyPrompt) {
        super(manager, unet, vae, scheduler);
        if (!textEncoder2.hasProjection()) {
            throw new IllegalArgumentException("SDXL's text_encoder_2 must be a CLIPTextModelWithProjection");
        }
        this.tokenizer = tokenizer;
        this.tokenizer2 = tokenizer2;
        this.textEncoder = textEncoder;
        this.textEncoder2 = textEncoder2;
        this.forceZerosForEmptyPrompt = forceZerosForEmptyPrompt;
    }

    @Override
    protected Conditioning encodePrompts(
            NDManager work, List<String> prompts, List<String> negatives, boolean guided, int height, int width) {
        NDList cond = encode(work, prompts);
        NDArray timeIds = timeIds(work, prompts.size(), height, width);
        if (!guided) {
            return new Conditioning(cond.get(0), new AddedCond(cond.get(1), timeIds));
        }
        boolean zeros = forceZerosForEmptyPrompt && negatives.stream().allMatch(String::isEmpty);
        NDList uncond =
                zeros ? new NDList(cond.get(0).zerosLike(), cond.get(1).zerosLike()) : encode(work, negatives);
        return new Conditioning(
                NDArrays.concat(new NDList(uncond.get(0), cond.get(0))),
                new AddedCond(
                        NDArrays.concat(new NDList(uncond.get(1), cond.get(1))),
                        NDArrays.concat(new NDList(timeIds, timeIds))));
    }

    /** [context = both penultimate states concatenated, pooled = encoder 2's text embeds]. */
    public NDList encode(NDManager work, List<String> prompts) {
        CLIPTextModelOutput a = textEncoder.encode(tokenizer.encode(prompts).inputIds(work));
        CLIPTextModelOutput b = textEncoder2.encode(tokenizer2.encode(prompts).inputIds(work));
        NDArray context = a.penultimateHiddenState().concat(b.penultimateHiddenState(), -1);
        return new NDList(context, b.textEmbeds());
    }

    /** (original size, crop top-left, target size) per image: no crop, original = target. */
    private static NDArray timeIds(NDManager work, int batch, int height, int width) {
        float[] ids = new float[batch * 6];
        for (int i = 0; i < batch; i++) {
            float[] row = {height, width, 0, 0, height, width};
            System.arraycopy(row, 0, ids, i * 6, 6);
        }
        return HostArrays.owned(work.create(ids, new Shape(batch, 6)));
    }

    @Override
    public void close() {
        tokenizer.close();
        tokenizer2.close();
        super.close();
    }
}

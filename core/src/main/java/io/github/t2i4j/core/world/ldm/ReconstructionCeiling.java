package io.github.t2i4j.core.world.ldm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutRenders;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.eval.CompositionEvaluator;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The evaluator's all-correct rate on VAE reconstructions of the held-out reference renders, per
 * category: the most any latent diffusion model decoded by this VAE can score, since a perfect
 * UNet reproduces the encoder's latents and no better. A VAE whose reconstructions lose the
 * world's stripes and dots caps the texture requirements of every prompt, whatever the UNet
 * learns; PSNR alone does not show it (a 29 dB VAE capped single-object prompts at 64%).
 */
public final class ReconstructionCeiling {
    private ReconstructionCeiling() {}

    /**
     * Reconstructs (posterior mode) the first {@code perCategory} held-out renders of each
     * category and judges them with the composition evaluator against their own prompts.
     *
     * @return all-correct rate per category key (e.g. "single", "texture"), in {@link Category} order
     */
    public static Map<String, Double> measure(AutoencoderKL vae, List<Category> categories, int perCategory,
            NDManager manager) {
        return measure(vae::forward, categories, perCategory, manager);
    }

    /**
     * The same for any autoencoder given as its reconstruction (images [N, 3, H, W] in [-1, 1] to the
     * same), e.g. STAR's multi-scale VQ tokenizer, whose reconstructions cap every STAR transformer.
     */
    public static Map<String, Double> measure(UnaryOperator<NDArray> reconstruct, List<Category> categories,
            int perCategory, NDManager manager) {
        CompositionEvaluator evaluator = new CompositionEvaluator();
        Map<String, Double> rates = new LinkedHashMap<>();
        int chunk = 32;
        for (Category category : categories) {
            List<WorldExample> examples = HeldOutSet.load(category);
            examples = examples.subList(0, Math.min(perCategory, examples.size()));
            int correct = 0;
            for (int start = 0; start < examples.size(); start += chunk) {
                List<WorldExample> part = examples.subList(start, Math.min(examples.size(), start + chunk));
                try (NDManager m = manager.newSubManager()) {
                    NDArray x = HeldOutRenders.render(part, SceneRenderer.DEFAULT_SIZE, m);
                    List<BufferedImage> images = Images.toImages(reconstruct.apply(x));
                    for (int i = 0; i < part.size(); i++) {
                        if (evaluator.evaluate(images.get(i), part.get(i).prompt()).allCorrect()) {
                            correct++;
                        }
                    }
                }
            }
            rates.put(category.key(), examples.isEmpty() ? Double.NaN : correct / (double) examples.size());
        }
        return rates;
    }
}

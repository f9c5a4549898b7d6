package io.github.t2i4j.itercomp.refl;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.itercomp.reward.RewardModel;
import java.util.List;

/**
 * A differentiable reward of generated images for their prompts, what reward feedback learning
 * maximises (one per composition aspect in IterComp). Implementations must let gradients flow
 * from the rewards back to the images; their own networks are frozen by {@link
 * RewardFeedbackStep} (list them in {@link #modules()}).
 */
@FunctionalInterface
public interface Reward {

    /**
     * @param images [B, 3, H, W] in [-1, 1] (decoded latents; may slightly exceed the range)
     * @param prompts the B prompts the images were generated for
     * @return the rewards, [B] (higher is better)
     */
    NDArray score(NDArray images, List<String> prompts);

    /** The networks this reward runs, frozen by the feedback step (none by default). */
    default List<Module> modules() {
        return List.of();
    }

    /**
     * IterComp's reward model as a reward: images clamped to [-1, 1], resized (shorter side) and
     * centre-cropped to the vision tower's input size, normalised by the model's image processor,
     * prompts tokenized with {@code tokenizer}.
     */
    static Reward of(RewardModel model, CLIPTokenizer tokenizer) {
        return new RewardModelReward(model, tokenizer);
    }
}

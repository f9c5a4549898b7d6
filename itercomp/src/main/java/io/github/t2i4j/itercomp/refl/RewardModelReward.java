package io.github.t2i4j.itercomp.refl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.text.BatchEncoding;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.itercomp.reward.RewardModel;
import java.util.List;

/**
 * {@link RewardModel} as a {@link Reward}, with the preprocessing of ImageReward's ReFL: the image
 * in [-1, 1] is clamped (ImageReward clamps {@code image / 2 + 0.5} to [0, 1]), its shorter side
 * resized bicubically to the vision tower's {@code image_size} and the centre cropped to a square
 * (torchvision's {@code Resize} + {@code CenterCrop}); the model's own {@code CLIPImageProcessor}
 * then normalises it. Every step is differentiable in the image.
 */
final class RewardModelReward implements Reward {
    private static final int BICUBIC = 3;

    private final RewardModel model;
    private final CLIPTokenizer tokenizer;
    private final int size;

    RewardModelReward(RewardModel model, CLIPTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.size = model.config().visionConfig().imageSize();
    }

    @Override
    public NDArray score(NDArray images, List<String> prompts) {
        long b = images.getShape().get(0);
        if (prompts.size() != b) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + b + " images");
        }
        NDManager m = images.getManager();
        BatchEncoding enc = tokenizer.encode(prompts);
        return model.forward(resizeAndCrop(images.clip(-1f, 1f), size), enc.inputIds(m), enc.attentionMask(m));
    }

    /** Shorter side to {@code size} (bicubic), then the centre {@code size x size}. */
    static NDArray resizeAndCrop(NDArray images, int size) {
        long h = images.getShape().get(2);
        long w = images.getShape().get(3);
        if (h == size && w == size) {
            return images;
        }
        long nh = h <= w ? size : Math.round((double) h * size / w);
        long nw = h <= w ? Math.round((double) w * size / h) : size;
        NDArray resized = nh == h && nw == w ? images
                : images.getNDArrayInternal().interpolation(new long[] {nh, nw}, BICUBIC, false);
        if (nh == size && nw == size) {
            return resized;
        }
        // torchvision's CenterCrop offsets: round((n - size) / 2)
        long top = Math.round((nh - size) / 2.0);
        long left = Math.round((nw - size) / 2.0);
        return resized.get(new NDIndex(":, :, {}:{}, {}:{}", top, top + size, left, left + size));
    }

    @Override
    public List<Module> modules() {
        return List.of(model);
    }
}

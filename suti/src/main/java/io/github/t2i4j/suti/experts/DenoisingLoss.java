package io.github.t2i4j.suti.experts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import io.github.t2i4j.core.tensor.HostArrays;
import java.util.SplittableRandom;

/**
 * The denoising objective both experts train on (DDPM's simple loss): noise the latents at
 * uniformly drawn timesteps with the forward process ({@link DDPMScheduler#addNoise}) and take the
 * mean squared error between the UNet's prediction and its target (the noise, or the velocity
 * for v-prediction checkpoints such as SD 2.x at 768 px).
 */
final class DenoisingLoss {
    private final DDPMScheduler schedule;

    DenoisingLoss(DDPMScheduler schedule) {
        this.schedule = schedule;
    }

    /**
     * Per-part errors of one forward pass over {@code latents} [B, ...] with {@code context}
     * [B, L, D]: the MSE over rows {@code [0, split)} and over rows {@code [split, B)} (null when
     * {@code split == B}). Timesteps, then the noise, are drawn from {@code rng}.
     */
    NDArray[] mse(UNet2DConditionModel unet, NDArray latents, NDArray context, int split, SplittableRandom rng,
            NDManager m) {
        int n = (int) latents.getShape().get(0);
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = rng.nextInt(schedule.config().numTrainTimesteps());
        }
        NDArray timesteps = HostArrays.owned(m.create(t));
        NDArray noise = Gaussian.of(m, rng, latents.getShape());
        NDArray noisy = schedule.addNoise(latents, noise, timesteps);
        NDArray target = switch (schedule.config().predictionType()) {
            case "epsilon" -> noise;
            case "v_prediction" -> velocity(latents, noise, t, m);
            default -> throw new IllegalArgumentException(
                    "training needs epsilon or v_prediction, not " + schedule.config().predictionType());
        };
        var type = unet.namedParameters().values().iterator().next().getArray().getDataType();
        NDArray pred = unet.forward(noisy.toType(type, false), timesteps, context.toType(type, false), null)
                .toType(target.getDataType(), false);
        NDArray err = pred.sub(target).square();
        if (split == n) {
            return new NDArray[] {err.mean(), null};
        }
        return new NDArray[] {
            err.get(new NDIndex("0:{}", split)).mean(), err.get(new NDIndex("{}:", split)).mean()
        };
    }

    /** v = sqrt(acp_t) eps - sqrt(1 - acp_t) x0, with the schedule's cumulative alphas. */
    private NDArray velocity(NDArray x0, NDArray noise, long[] t, NDManager m) {
        // addNoise(x, y) = a x + b y with a = sqrt(acp_t), b = sqrt(1 - acp_t): v = addNoise(eps, -x0)
        return schedule.addNoise(noise, x0.neg(), HostArrays.owned(m.create(t)));
    }
}

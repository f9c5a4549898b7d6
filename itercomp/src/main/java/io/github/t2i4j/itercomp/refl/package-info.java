/**
 * IterComp's multi-reward feedback learning (ReFL): {@link io.github.t2i4j.itercomp.refl.RewardFeedbackStep}
 * optimises a UNet against frozen {@link io.github.t2i4j.itercomp.refl.Reward}s (IterComp's reward
 * models through {@code Reward.of}, or any differentiable reward) with the
 * {@link io.github.t2i4j.itercomp.refl.MultiRewardLoss}, as the loss function of core's {@code Trainer}.
 */
package io.github.t2i4j.itercomp.refl;

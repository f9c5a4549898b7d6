package io.github.t2i4j.suti.experts;

import io.github.t2i4j.core.tensor.NoGrad;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.DiagonalGaussianDistribution;
import io.github.t2i4j.core.tensor.HostArrays;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The frozen VAE's posteriors of a set of training images, encoded once: each step draws a fresh
 * latent {@code mean + std * eps} (eps from the step's Java generator) and scales it, as diffusers'
 * training scripts do with {@code latent_dist.sample()}, without running the encoder again.
 */
final class InstanceLatents implements AutoCloseable {
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> stds = new ArrayList<>();
    private final AutoencoderKL vae;

    /**
     * Encodes {@code images} (resized to {@code size} when they differ) on {@code manager}, with no
     * gradients.
     */
    InstanceLatents(AutoencoderKL vae, List<BufferedImage> images, int size, NDManager manager) {
        this.vae = vae;
        DataType type = vae.encoder().namedParameters().values().iterator().next().getArray().getDataType();
        NoGrad.run(() -> {
            for (BufferedImage image : images) {
                BufferedImage img = image.getWidth() == size && image.getHeight() == size
                        ? image : Images.resize(image, size, size);
                try (NDManager m = manager.newSubManager()) {
                    NDArray x = HostArrays.owned(m.create(Images.toCHW(img), new Shape(1, 3, size, size)));
                    try (DiagonalGaussianDistribution d = vae.encode(x.toType(type, false))) {
                        NDArray mean = d.mean().toType(DataType.FLOAT32, true);
                        NDArray std = d.std().toType(DataType.FLOAT32, true);
                        mean.attach(manager);
                        std.attach(manager);
                        means.add(mean);
                        stds.add(std);
                    }
                }
            }
            return null;
        });
    }

    int size() {
        return means.size();
    }

    /** Scaled latents [n, C, h, w] of the images at {@code indices}, posterior noise from {@code rng}. */
    NDArray sample(int[] indices, SplittableRandom rng, NDManager m) {
        NDList mu = new NDList();
        NDList sigma = new NDList();
        for (int i : indices) {
            mu.add(means.get(i));
            sigma.add(stds.get(i));
        }
        NDArray mean = NDArrays.concat(mu);
        NDArray std = NDArrays.concat(sigma);
        NDArray eps = Gaussian.of(m, rng, mean.getShape());
        return vae.scaleLatents(mean.add(std.mul(eps)));
    }

    @Override
    public void close() {
        means.forEach(NDArray::close);
        stds.forEach(NDArray::close);
    }
}

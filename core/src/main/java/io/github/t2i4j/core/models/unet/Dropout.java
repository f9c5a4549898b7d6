package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Module;

/**
 * {@code torch.nn.Dropout} with probability 0 (the only value the configs here allow): the
 * identity. Present so that the modules after it keep their checkpoint index ({@code ff.net.2}).
 */
final class Dropout extends Module {
    NDArray forward(NDArray x) {
        return x;
    }
}

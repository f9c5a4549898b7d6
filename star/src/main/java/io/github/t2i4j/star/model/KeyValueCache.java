package io.github.t2i4j.star.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * Attention keys and values kept from one sampling step to the next, [B, H, L, hd] each: held
 * outside any {@link NDScope} the step runs in, closed when replaced or cleared.
 */
final class KeyValueCache {
    private NDArray keys;
    private NDArray values;

    boolean isEmpty() {
        return keys == null;
    }

    NDArray keys() {
        return keys;
    }

    NDArray values() {
        return values;
    }

    /** Number of cached key positions (0 when empty). */
    long length() {
        return keys == null ? 0 : keys.getShape().get(2);
    }

    /** Holds {@code k} and {@code v} instead of what was held (which is closed). */
    void set(NDArray k, NDArray v) {
        clear();
        keys = k;
        values = v;
        NDScope.unregister(k, v);
    }

    /** Closes and forgets what is held. */
    void clear() {
        if (keys != null) {
            keys.close();
            values.close();
        }
        keys = null;
        values = null;
    }
}

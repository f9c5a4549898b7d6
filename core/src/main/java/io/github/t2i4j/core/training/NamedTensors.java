package io.github.t2i4j.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Strict in-place loading of named state tensors (optimizer moments, EMA weights). */
final class NamedTensors {
    private NamedTensors() {}

    /**
     * Fills every array of {@code targets} from the tensor of the same name in {@code file}, in
     * place; the file must hold exactly these names with these shapes (checked before anything is
     * written). Returns the file's metadata.
     */
    static Map<String, String> fill(Map<String, NDArray> targets, Path file, String what) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Set<String> missing = new TreeSet<>(targets.keySet());
            missing.removeAll(f.names());
            Set<String> unexpected = new TreeSet<>(f.names());
            unexpected.removeAll(targets.keySet());
            List<String> mismatched = new ArrayList<>();
            targets.forEach(
                    (n, a) -> {
                        if (f.names().contains(n) && !f.info(n).shape().equals(a.getShape())) {
                            mismatched.add(n + ": file " + f.info(n).shape() + " vs " + a.getShape());
                        }
                    });
            if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
                throw new CheckpointException(
                        what + " state in " + file + " does not fit: missing " + missing
                                + ", unexpected " + unexpected + ", mismatched " + mismatched);
            }
            targets.forEach(
                    (n, a) -> {
                        try (NDArray v = f.load(n, a.getManager(), a.getDataType())) {
                            if (v.getDevice().equals(a.getDevice())) {
                                a.set(new NDIndex("..."), v);
                            } else {
                                try (NDArray moved = v.toDevice(a.getDevice(), false)) {
                                    a.set(new NDIndex("..."), moved);
                                }
                            }
                        }
                    });
            return f.metadata() == null ? Map.of() : f.metadata();
        }
    }

    /** A view of the parameter's array outside autograd: in-place updates on it are not recorded. */
    static NDArray detached(Parameter p) {
        return p.getArray().stopGradient();
    }
}

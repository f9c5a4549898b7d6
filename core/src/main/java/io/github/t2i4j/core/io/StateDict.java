package io.github.t2i4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Fills a {@link Module} from named tensors, the way {@code load_state_dict(strict=True)} does:
 * every parameter must be found with its exact shape and every tensor must be used. All names and
 * shapes are checked before anything is loaded, so a mismatch leaves the module untouched and the
 * error lists every missing, unexpected and mis-shaped name at once, with the shapes. Tensors
 * named like a {@link Module#namedBuffers() declared buffer} are accepted and skipped. (An I/O
 * error while reading the values themselves can still leave a module partly filled.)
 *
 * <p>{@link #save(Module, Path, Dtype)} writes the parameters back under the same names.
 */
public final class StateDict {
    private StateDict() {}

    /** Loads with checkpoint names used as they are. */
    public static void load(Module module, TensorSource source) {
        load(module, source, UnaryOperator.identity());
    }

    /**
     * Loads after renaming checkpoint names with {@code rename} (for legacy layouts or a prefix);
     * a rename to {@code null} drops nothing: it is reported as unexpected. Every parameter must
     * already have an array (e.g. after {@code initialize}); values are converted to its type and
     * copied into it.
     */
    public static void load(Module module, TensorSource source, UnaryOperator<String> rename) {
        checkOnly(module, source, rename);
        Map<String, Parameter> params = module.namedParameters();
        List<String> empty = new ArrayList<>();
        params.forEach(
                (n, p) -> {
                    if (!p.isInitialized()) {
                        empty.add(n);
                    }
                });
        if (!empty.isEmpty()) {
            throw new IllegalStateException(
                    "parameters without an array (initialise the module first, or use loadFresh): "
                            + summary(empty));
        }
        for (String ckptName : source.names()) {
            String name = rename.apply(ckptName);
            Parameter p = name == null ? null : params.get(name);
            if (p != null) {
                fill(p, source, ckptName);
            }
        }
    }

    private static void fill(Parameter p, TensorSource source, String ckptName) {
        NDArray target = p.getArray();
        try (NDArray value = source.load(ckptName, target.getManager(), target.getDataType())) {
            if (value.getDevice().equals(target.getDevice())) {
                target.set(new NDIndex("..."), value);
            } else {
                try (NDArray moved = value.toDevice(target.getDevice(), false)) {
                    target.set(new NDIndex("..."), moved);
                }
            }
        }
    }

    /**
     * Creates every parameter's array directly from the checkpoint on {@code manager} in {@code
     * type}, without a random initialisation first; use for a freshly constructed module.
     * Parameters that already have an array are filled in place instead.
     */
    public static void loadFresh(
            Module module, TensorSource source, NDManager manager, DataType type) {
        loadFresh(module, source, manager, type, UnaryOperator.identity());
    }

    /** As {@link #loadFresh(Module, TensorSource, NDManager, DataType)}, renaming names first. */
    public static void loadFresh(
            Module module,
            TensorSource source,
            NDManager manager,
            DataType type,
            UnaryOperator<String> rename) {
        // validate first: nothing is created or touched unless the whole checkpoint fits
        checkOnly(module, source, rename);
        Map<String, Parameter> params = module.namedParameters();
        for (String ckptName : source.names()) {
            String name = rename.apply(ckptName);
            Parameter p = name == null ? null : params.get(name);
            if (p == null) {
                continue;
            }
            if (p.isInitialized()) {
                fill(p, source, ckptName);
            } else {
                NDArray a = source.load(ckptName, manager, type);
                a.setRequiresGradient(p.requiresGradient());
                p.setArray(a);
            }
        }
    }

    /** Writes every parameter of {@code module} by name, in its own type (see below). */
    public static void save(Module module, Path path) {
        save(module, path, null);
    }

    /**
     * Writes every parameter of {@code module} under its checkpoint name to a safetensors file
     * (atomically, with {@code {"format": "pt"}} metadata as diffusers writes it), storing
     * floating-point parameters as {@code floatType} (e.g. F16), or in their own type if {@code
     * null}. Declared buffers have no array and are not written.
     */
    public static void save(Module module, Path path, Dtype floatType) {
        SafetensorsWriter w = new SafetensorsWriter().floatType(floatType).metadata("format", "pt");
        List<String> empty = new ArrayList<>();
        module.namedParameters()
                .forEach(
                        (n, p) -> {
                            if (p.isInitialized()) {
                                w.add(n, p.getArray());
                            } else {
                                empty.add(n);
                            }
                        });
        if (!empty.isEmpty()) {
            throw new IllegalStateException(
                    "cannot save parameters without an array: " + summary(empty));
        }
        w.write(path);
    }

    private static String summary(List<String> names) {
        return names.size() <= 10
                ? names.toString()
                : names.subList(0, 10) + " and " + (names.size() - 10) + " more";
    }

    /** Validates names and shapes only; throws as {@link #load} would. */
    public static void checkOnly(Module module, TensorSource source, UnaryOperator<String> rename) {
        Map<String, Shape> shapes = module.namedShapes();
        Set<String> buffers = module.namedBuffers();
        Set<String> seen = new TreeSet<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (String ckptName : source.names()) {
            String name = rename.apply(ckptName);
            if (name != null && shapes.containsKey(name)) {
                if (!seen.add(name)) {
                    unexpected.add(
                            ckptName + " " + source.info(ckptName).shape()
                                    + " (a second tensor for parameter " + name + ")");
                    continue;
                }
                Shape got = source.info(ckptName).shape();
                if (!shapes.get(name).equals(got)) {
                    mismatched.add(
                            name
                                    + (name.equals(ckptName) ? "" : " (checkpoint name " + ckptName + ")")
                                    + ": checkpoint "
                                    + got
                                    + " vs model "
                                    + shapes.get(name));
                }
            } else if (name == null || !buffers.contains(name)) {
                unexpected.add(
                        ckptName
                                + (name == null || name.equals(ckptName) ? "" : " (renamed " + name + ")")
                                + " "
                                + source.info(ckptName).shape());
            }
        }
        Set<String> missing = new TreeSet<>(shapes.keySet());
        missing.removeAll(seen);
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder sb =
                    new StringBuilder("checkpoint does not fit ")
                            .append(module.getClass().getSimpleName())
                            .append(':');
            appendList(sb, "shape mismatches", mismatched);
            List<String> missingWithShapes = new ArrayList<>();
            missing.forEach(n -> missingWithShapes.add(n + " " + shapes.get(n)));
            appendList(sb, "missing parameters", missingWithShapes);
            appendList(sb, "unexpected tensors", unexpected);
            throw new CheckpointException(sb.toString());
        }
    }

    private static void appendList(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(items.size()).append(' ').append(title).append(':');
        int shown = 0;
        for (String s : items) {
            if (shown++ == 50) {
                sb.append("\n    ... and ").append(items.size() - 50).append(" more");
                break;
            }
            sb.append("\n    ").append(s);
        }
    }
}

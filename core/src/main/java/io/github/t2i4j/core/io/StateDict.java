package io.github.t2i4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Module;
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
 * error lists every missing, unexpected and mis-shaped name at once.
 */
public final class StateDict {
    private StateDict() {}

    /** Loads with checkpoint names used as they are. */
    public static void load(Module module, TensorSource source) {
        load(module, source, UnaryOperator.identity());
    }

    /**
     * Loads after renaming checkpoint names with {@code rename} (for legacy layouts or a prefix);
     * a rename to {@code null} drops nothing: it is reported as unexpected.
     */
    public static void load(Module module, TensorSource source, UnaryOperator<String> rename) {
        checkOnly(module, source, rename);
        Map<String, Parameter> params = module.namedParameters();
        for (String ckptName : source.names()) {
            String name = rename.apply(ckptName);
            Parameter p = name == null ? null : params.get(name);
            if (p != null) {
                fill(p, source, ckptName);
            }
        }
    }

    private static void fill(Parameter p, TensorSource source, String ckptName) {
        if (p.isInitialized()) {
            NDArray target = p.getArray();
            try (NDArray value = source.load(ckptName, target.getManager(), target.getDataType())) {
                target.set(new NDIndex(), value.toDevice(target.getDevice(), false));
            }
        } else {
            throw new IllegalStateException(
                    "parameter " + p.getName() + " has no array: initialise the module first");
        }
    }

    /**
     * Creates every parameter's array directly from the checkpoint on {@code manager} in {@code
     * type}, without a random initialisation first; use for a freshly constructed module.
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
        // validate by the same rules first (no arrays exist yet, so nothing is touched)
        Map<String, Parameter> params = module.namedParameters();
        for (Parameter p : params.values()) {
            if (p.isInitialized()) {
                load(module, source, rename);
                return;
            }
        }
        checkOnly(module, source, rename);
        for (String ckptName : source.names()) {
            String name = rename.apply(ckptName);
            Parameter p = name == null ? null : params.get(name);
            if (p != null) {
                NDArray a = source.load(ckptName, manager, type);
                a.setRequiresGradient(p.requiresGradient());
                p.setArray(a);
            }
        }
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
                    unexpected.add(ckptName + " (a second tensor for parameter " + name + ")");
                    continue;
                }
                Shape got = source.info(ckptName).shape();
                if (!shapes.get(name).equals(got)) {
                    mismatched.add(name + ": checkpoint " + got + " vs model " + shapes.get(name));
                }
            } else if (name == null || !buffers.contains(name)) {
                unexpected.add(ckptName);
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
            appendList(sb, "missing parameters", new ArrayList<>(missing));
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

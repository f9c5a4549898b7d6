package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL block whose children and parameters carry the names of the PyTorch module they mirror,
 * so that {@code down_blocks.0.resnets.1.conv1.weight} in a diffusers checkpoint is found by
 * walking the tree by name.
 *
 * <p>Parameters declare their shape up front (as {@code torch.nn} layers do), so a module can be
 * either filled from a checkpoint ({@link StateDict}) or initialised at random with {@link
 * #initialize(NDManager, DataType, Shape...)}, without shape inference. Subclasses expose a typed
 * {@code forward(...)} that reads like the PyTorch original.
 */
public abstract class Module extends AbstractBlock {

    private final Map<String, Module> modules = new LinkedHashMap<>();
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Shape> declaredShapes = new LinkedHashMap<>();
    private final java.util.Set<String> buffers = new java.util.LinkedHashSet<>();

    /** Registers a child module under its checkpoint name. */
    protected <M extends Module> M module(String name, M module) {
        if (modules.containsKey(name)) {
            throw new IllegalArgumentException("duplicate child module name: " + name);
        }
        modules.put(name, module);
        addChildBlock(name, module);
        return module;
    }

    /** Declares a parameter under its checkpoint name, with its shape and initialiser. */
    protected Parameter param(String name, Parameter.Type type, Initializer init, long... shape) {
        if (params.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter name: " + name);
        }
        Parameter p = Parameter.builder().setName(name).setType(type).optInitializer(init).build();
        params.put(name, p);
        declaredShapes.put(name, new Shape(shape));
        addParameter(p);
        return p;
    }

    /**
     * Declares a tensor name that checkpoints may carry but that is not a parameter here (e.g. the
     * {@code position_ids} buffer older transformers checkpoints save): it is accepted on load and
     * not reported as unexpected.
     */
    protected void buffer(String name) {
        buffers.add(name);
    }

    /** Every declared buffer name of this module and its descendants, dotted. */
    public java.util.Set<String> namedBuffers() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        collectBuffers("", out);
        return out;
    }

    private void collectBuffers(String prefix, java.util.Set<String> out) {
        buffers.forEach(b -> out.add(prefix + b));
        modules.forEach((n, m) -> m.collectBuffers(prefix + n + ".", out));
    }

    /** Direct children by checkpoint name. */
    public Map<String, Module> modules() {
        return Collections.unmodifiableMap(modules);
    }

    /** The declared shape of a direct parameter. */
    public Shape declaredShape(String name) {
        return declaredShapes.get(name);
    }

    /** Every parameter of this module and its descendants, by dotted checkpoint name. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    /** Every declared shape of this module and its descendants, by dotted checkpoint name. */
    public Map<String, Shape> namedShapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        collectShapes("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        params.forEach((n, p) -> out.put(prefix + n, p));
        modules.forEach((n, m) -> m.collect(prefix + n + ".", out));
    }

    private void collectShapes(String prefix, Map<String, Shape> out) {
        declaredShapes.forEach((n, s) -> out.put(prefix + n, s));
        modules.forEach((n, m) -> m.collectShapes(prefix + n + ".", out));
    }

    /**
     * Freezes every parameter: a model that is used but not trained (a frozen VAE, text encoder or
     * reward model) gets no gradients and builds no graph for them.
     */
    public void freezeParameters() {
        for (Parameter p : namedParameters().values()) {
            p.freeze(true);
        }
    }

    /** Number of scalar parameters. */
    public long parameterCount() {
        return namedShapes().values().stream().mapToLong(Shape::size).sum();
    }

    /** Initialises every parameter not yet filled, with its declared initialiser. */
    public void initialize(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape[0]);
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        params.forEach(
                (n, p) -> {
                    if (!p.isInitialized() && p.getShape() == null) {
                        p.setShape(declaredShapes.get(n));
                    }
                });
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Module m : modules.values()) {
            m.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " does not infer shapes; run it on arrays instead");
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " is called through its typed forward(...) method");
    }

    /** The array of a direct parameter, for use in {@code forward}. */
    protected static NDArray v(Parameter p) {
        return p == null ? null : p.getArray();
    }
}

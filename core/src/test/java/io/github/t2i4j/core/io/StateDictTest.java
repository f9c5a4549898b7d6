package io.github.t2i4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDictTest {

    @TempDir Path dir;

    private int saved;

    /** A Linear that, like some transformers layers, may find a buffer in its checkpoint. */
    static final class LinearWithBuffer extends Linear {
        LinearWithBuffer(long in, long out) {
            super(in, out);
            buffer("num_batches_tracked");
        }
    }

    /** Two linear layers in a ModuleList, plus a top-level buffer. */
    static final class Tiny extends Module {
        final ModuleList<Linear> layers = module("layers", new ModuleList<>());

        Tiny() {
            layers.add(new LinearWithBuffer(3, 4));
            layers.add(new Linear(4, 2, false));
            buffer("position_ids");
        }

        NDArray forward(NDArray x) {
            return layers.get(1).forward(layers.get(0).forward(x));
        }
    }

    /** A module with a 0-dimensional parameter, like CLIP's logit_scale. */
    static final class WithScalar extends Module {
        WithScalar() {
            param("logit_scale", Parameter.Type.WEIGHT, io.github.t2i4j.core.nn.Init.ONES);
        }
    }

    @Test
    void scalarParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            Path p = save(Map.of("logit_scale", m.create(4.6052f)));
            WithScalar a = new WithScalar();
            a.initialize(m, DataType.FLOAT32);
            WithScalar b = new WithScalar();
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                StateDict.load(a, f);
                StateDict.loadFresh(b, f, m, DataType.FLOAT32);
            }
            for (WithScalar w : List.of(a, b)) {
                NDArray v = w.namedParameters().get("logit_scale").getArray();
                assertEquals(new Shape(), v.getShape());
                assertEquals(4.6052f, v.getFloat());
            }
        }
    }

    private static float[] range(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2f) * scale;
        }
        return v;
    }

    /** The checkpoint Tiny expects, with distinct values per tensor. */
    private static Map<String, NDArray> weights(NDManager m) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        w.put("layers.0.weight", m.create(range(12, 0.25f), new Shape(4, 3)));
        w.put("layers.0.bias", m.create(new float[] {0.5f, -0.5f, 1f, 0f}));
        w.put("layers.1.weight", m.create(range(8, -0.125f), new Shape(2, 4)));
        return w;
    }

    private Path save(Map<String, NDArray> tensors) {
        Path p = dir.resolve("ckpt-" + (++saved) + ".safetensors");
        SafetensorsWriter.save(tensors, p);
        return p;
    }

    private static Map<String, float[]> snapshot(Module module) {
        Map<String, float[]> out = new LinkedHashMap<>();
        module.namedParameters().forEach((n, p) -> out.put(n, p.getArray().toFloatArray()));
        return out;
    }

    private static void assertUnchanged(Map<String, float[]> before, Module module) {
        module.namedParameters()
                .forEach((n, p) -> assertArrayEquals(before.get(n), p.getArray().toFloatArray(), n));
    }

    @Test
    void loadsByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = weights(m);
            Path p = save(w);
            Tiny fresh = new Tiny();
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                StateDict.loadFresh(fresh, f, m, DataType.FLOAT32);
            }
            Tiny initialised = new Tiny();
            initialised.initialize(m, DataType.FLOAT32);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                StateDict.load(initialised, f);
            }
            for (Tiny t : List.of(fresh, initialised)) {
                Map<String, Parameter> params = t.namedParameters();
                assertEquals(w.keySet(), params.keySet());
                w.forEach((n, a) -> assertArrayEquals(a.toFloatArray(), params.get(n).getArray().toFloatArray(), n));
                assertEquals(DataType.FLOAT32, params.get("layers.0.weight").getArray().getDataType());
            }
            // and the model computes with them: y = (x W0^T + b0) W1^T
            NDArray x = m.create(new float[] {1, 2, -1}, new Shape(1, 3));
            NDArray expected =
                    x.matMul(w.get("layers.0.weight").transpose())
                            .add(w.get("layers.0.bias"))
                            .matMul(w.get("layers.1.weight").transpose());
            assertArrayEquals(expected.toFloatArray(), fresh.forward(x).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void convertsTheCheckpointTypeToTheParameterType() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = weights(m);
            Path p = dir.resolve("half.safetensors");
            SafetensorsWriter.save(w, p, null, Dtype.F16);
            Tiny t = new Tiny();
            t.initialize(m, DataType.FLOAT32);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                assertEquals(Dtype.F16, f.info("layers.0.weight").dtype());
                StateDict.load(t, f);
            }
            NDArray got = t.namedParameters().get("layers.0.weight").getArray();
            assertEquals(DataType.FLOAT32, got.getDataType());
            // these values are exact in fp16
            assertArrayEquals(w.get("layers.0.weight").toFloatArray(), got.toFloatArray());
        }
    }

    @Test
    void everyProblemIsListedAtOnceAndNothingIsModified() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = weights(m);
            w.put("layers.0.weight", m.create(range(12, 1f), new Shape(3, 4))); // transposed
            w.remove("layers.1.weight");
            w.put("layers.2.weight", m.create(range(4, 1f), new Shape(2, 2)));
            Path p = save(w);

            Tiny t = new Tiny();
            t.initialize(m, DataType.FLOAT32);
            Map<String, float[]> before = snapshot(t);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.load(t, f));
                String msg = e.getMessage();
                assertTrue(msg.contains("checkpoint does not fit Tiny"), msg);
                assertTrue(msg.contains("1 shape mismatches:\n    layers.0.weight: checkpoint (3, 4) vs model (4, 3)"), msg);
                assertTrue(msg.contains("1 missing parameters:\n    layers.1.weight (2, 4)"), msg);
                assertTrue(msg.contains("1 unexpected tensors:\n    layers.2.weight (2, 2)"), msg);
                assertUnchanged(before, t);

                // checkOnly and loadFresh report the same and create nothing
                assertEquals(msg, assertThrows(CheckpointException.class,
                        () -> StateDict.checkOnly(t, f, n -> n)).getMessage());
                Tiny fresh = new Tiny();
                assertThrows(CheckpointException.class, () -> StateDict.loadFresh(fresh, f, m, DataType.FLOAT32));
                fresh.namedParameters().forEach((n, prm) -> assertFalse(prm.isInitialized(), n));
            }
        }
    }

    @Test
    void renameHook() {
        try (NDManager m = NDManager.newBaseManager()) {
            // a legacy layout: a prefix on every name, and "linears" instead of "layers"
            Map<String, NDArray> legacy = new LinkedHashMap<>();
            weights(m).forEach((n, a) -> legacy.put("model." + n.replace("layers.", "linears."), a));
            legacy.put("model.logit_scale", m.create(1f));
            Path p = save(legacy);
            Tiny t = new Tiny();
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                // the unknown tensor is reported, under its checkpoint name
                CheckpointException e =
                        assertThrows(
                                CheckpointException.class,
                                () -> StateDict.loadFresh(t, f, m, DataType.FLOAT32,
                                        n -> n.substring("model.".length()).replace("linears.", "layers.")));
                assertTrue(e.getMessage().contains("unexpected tensors:\n    model.logit_scale (renamed logit_scale) ()"),
                        e.getMessage());
                assertFalse(e.getMessage().contains("missing"), e.getMessage());
                // a rename to null is still reported, not dropped
                assertThrows(CheckpointException.class, () -> StateDict.loadFresh(t, f, m, DataType.FLOAT32,
                        n -> n.endsWith("logit_scale") ? null : n.substring(6).replace("linears.", "layers.")));
                // the hook can map the stray tensor onto a declared buffer
                StateDict.loadFresh(t, f, m, DataType.FLOAT32,
                        n -> n.endsWith("logit_scale") ? "position_ids" : n.substring(6).replace("linears.", "layers."));
            }
            assertArrayEquals(
                    weights(m).get("layers.1.weight").toFloatArray(),
                    t.namedParameters().get("layers.1.weight").getArray().toFloatArray());
        }
    }

    @Test
    void mismatchUnderARenameNamesBoth() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            weights(m).forEach((n, a) -> w.put("x." + n, a));
            w.put("x.layers.0.bias", m.create(new float[3]));
            Path p = save(w);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                CheckpointException e = assertThrows(CheckpointException.class,
                        () -> StateDict.checkOnly(new Tiny(), f, n -> n.substring(2)));
                assertTrue(e.getMessage().contains(
                        "layers.0.bias (checkpoint name x.layers.0.bias): checkpoint (3) vs model (4)"), e.getMessage());
            }
        }
    }

    @Test
    void twoTensorsForOneParameter() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = weights(m);
            w.put("old.layers.0.bias", m.create(new float[4]));
            Path p = save(w);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                CheckpointException e = assertThrows(CheckpointException.class,
                        () -> StateDict.checkOnly(new Tiny(), f, n -> n.replace("old.", "")));
                assertTrue(e.getMessage().contains("(a second tensor for parameter layers.0.bias)"), e.getMessage());
            }
        }
    }

    @Test
    void declaredBuffersAreAccepted() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = weights(m);
            w.put("position_ids", m.create(new long[] {0, 1, 2}, new Shape(1, 3)));
            w.put("layers.0.num_batches_tracked", m.create(5L));
            Path p = save(w);
            Tiny t = new Tiny();
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                StateDict.loadFresh(t, f, m, DataType.FLOAT32);
            }
            assertEquals(3, t.namedParameters().size());
            // a buffer name on the wrong module is not accepted
            w.put("layers.1.num_batches_tracked", m.create(5L));
            Path q = save(w);
            try (SafetensorsFile f = SafetensorsFile.open(q)) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.checkOnly(new Tiny(), f, n -> n));
                assertTrue(e.getMessage().contains("layers.1.num_batches_tracked"), e.getMessage());
            }
        }
    }

    @Test
    void loadNeedsArraysAndSaysSoBeforeTouchingAnything() {
        try (NDManager m = NDManager.newBaseManager()) {
            Path p = save(weights(m));
            Tiny t = new Tiny();
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> StateDict.load(t, f));
                assertTrue(e.getMessage().contains("layers.0.weight"), e.getMessage());
                assertTrue(e.getMessage().contains("loadFresh"), e.getMessage());
            }
        }
    }

    @Test
    void loadFreshFillsPartlyInitialisedModules() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = weights(m);
            Path p = save(w);
            Tiny t = new Tiny();
            t.layers.get(0).initialize(m, DataType.FLOAT32);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                StateDict.loadFresh(t, f, m, DataType.FLOAT32);
            }
            t.namedParameters()
                    .forEach((n, prm) -> assertArrayEquals(w.get(n).toFloatArray(), prm.getArray().toFloatArray(), n));
        }
    }

    @Test
    void saveAndLoadAModule() {
        try (NDManager m = NDManager.newBaseManager()) {
            Tiny a = new Tiny();
            a.initialize(m, DataType.FLOAT32);
            Path f32 = dir.resolve("tiny.safetensors");
            Path f16 = dir.resolve("tiny.fp16.safetensors");
            StateDict.save(a, f32);
            StateDict.save(a, f16, Dtype.F16);
            try (SafetensorsFile f = SafetensorsFile.open(f16)) {
                assertEquals(Map.of("format", "pt"), f.metadata());
                for (String n : f.names()) {
                    assertEquals(Dtype.F16, f.info(n).dtype(), n);
                }
            }
            Tiny b = new Tiny();
            Tiny c = new Tiny();
            try (SafetensorsFile f = SafetensorsFile.open(f32);
                    SafetensorsFile h = SafetensorsFile.open(f16)) {
                StateDict.loadFresh(b, f, m, DataType.FLOAT32);
                StateDict.loadFresh(c, h, m, DataType.FLOAT32);
            }
            a.namedParameters()
                    .forEach(
                            (n, prm) -> {
                                NDArray want = prm.getArray();
                                assertArrayEquals(want.toFloatArray(), b.namedParameters().get(n).getArray().toFloatArray(), n);
                                assertArrayEquals(
                                        want.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray(),
                                        c.namedParameters().get(n).getArray().toFloatArray(),
                                        n);
                            });
            assertThrows(IllegalStateException.class, () -> StateDict.save(new Tiny(), dir.resolve("empty.safetensors")));
        }
    }
}

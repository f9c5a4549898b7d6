package io.github.t2i4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.Golden;
import org.junit.jupiter.api.Test;

class SafetensorsSmokeTest {
    @Test
    void readsGoldenWeightsAsFloat32() {
        try (SafetensorsFile f = SafetensorsFile.open(Golden.dir("unet_sd").resolve("weights.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            String name = "conv_in.weight";
            assertEquals(Dtype.F16, f.info(name).dtype());
            NDArray w = f.load(name, m, DataType.FLOAT32);
            assertEquals(DataType.FLOAT32, w.getDataType());
            assertEquals(f.info(name).shape(), w.getShape());
        }
    }
}

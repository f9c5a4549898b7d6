package io.github.t2i4j.star.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.SafetensorsFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tokenizer against FoundationVision/VAR's VQVAE golden outputs ({@code var_vqvae}). */
class MultiScaleVQTokenizerGoldenTest {
    private static final Logger LOG = LoggerFactory.getLogger(MultiScaleVQTokenizerGoldenTest.class);
    private static final double TOL = 1e-4;

    @Test
    void reproducesVarVqvae() {
        VQVAEConfig config = VQVAEConfig.fromJson(Golden.dir("var_vqvae").resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("var_vqvae").resolve("io.safetensors"))) {
            LOG.info("var_vqvae io.safetensors tensors: {}", io.names());
            assertTrue(io.names().containsAll(Set.of("image", "f", "var_input", "decoded")), "io " + io.names());
            MultiScaleVQTokenizer t =
                    MultiScaleVQTokenizer.fromCheckpoint(
                            Golden.dir("var_vqvae").resolve("weights.safetensors"), config, m);
            int sn = config.scales();
            NDArray image = io.load("image", m, DataType.FLOAT32);
            StringBuilder report = new StringBuilder();

            NDArray f = t.encode(image);
            double ef = Golden.maxAbsDiff(io.load("f", m), f);
            report.append(String.format("f %.3g", ef));
            assertTrue(ef <= TOL, "f: max abs error " + ef);

            VectorQuantizer2.Quantized q = t.quantizeLatent(f);
            List<NDArray> goldIds = new ArrayList<>();
            for (int k = 0; k < sn; k++) {
                NDArray gold = io.load("idx." + k, m);
                goldIds.add(gold);
                long[] want = gold.toLongArray();
                long[] got = q.idxBl().get(k).toLongArray();
                int same = 0;
                for (int i = 0; i < want.length; i++) {
                    same += want[i] == got[i] ? 1 : 0;
                }
                report.append(String.format(", idx.%d %d/%d", k, same, want.length));
                assertEquals(gold.getShape(), q.idxBl().get(k).getShape(), "idx." + k + " shape");
                assertArrayEquals(want, got, "idx." + k);
            }
            for (int k = 0; k < sn; k++) {
                double e = Golden.maxAbsDiff(io.load("fhat." + k, m), q.fhats().get(k));
                report.append(String.format(", fhat.%d %.3g", k, e));
                assertTrue(e <= TOL, "fhat." + k + ": max abs error " + e);
            }

            // from the golden ids, so that each stage is checked on its own
            NDArray varInput = t.idxBlToVarInput(goldIds);
            double ev = Golden.maxAbsDiff(io.load("var_input", m), varInput);
            report.append(String.format(", var_input %.3g", ev));
            assertTrue(ev <= TOL, "var_input: max abs error " + ev);

            NDArray fhat = m.zeros(f.getShape());
            for (int k = 0; k < sn; k++) {
                VectorQuantizer2.NextInput step =
                        t.getNextAutoregressiveInput(k, sn, fhat, t.idsToCodeMap(goldIds.get(k)));
                fhat = step.fhat();
                double ea = Golden.maxAbsDiff(io.load("ar.fhat." + k, m), step.fhat());
                double en = Golden.maxAbsDiff(io.load("ar.next." + k, m), step.next());
                report.append(String.format(", ar.fhat.%d %.3g, ar.next.%d %.3g", k, ea, k, en));
                assertTrue(ea <= TOL, "ar.fhat." + k + ": max abs error " + ea);
                assertTrue(en <= TOL, "ar.next." + k + ": max abs error " + en);
            }

            NDArray decoded = t.idxBlToImg(goldIds);
            double ed = Golden.maxAbsDiff(io.load("decoded", m), decoded);
            report.append(String.format(", decoded %.3g", ed));
            LOG.info("var_vqvae max abs errors: {}", report);
            assertTrue(ed <= TOL, "decoded: max abs error " + ed);
        }
    }
}

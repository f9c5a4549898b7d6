package io.github.t2i4j.core.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HeldOutSetTest {

    @ParameterizedTest
    @EnumSource(Category.class)
    void shippedFilesEqualTheGenerator(Category c) throws IOException {
        String shipped;
        try (InputStream in = HeldOutSet.class.getResourceAsStream(HeldOutSet.resource(c))) {
            assertNotNull(in, HeldOutSet.resource(c));
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(
                HeldOutSet.jsonl(HeldOutSet.generate(c)),
                shipped,
                "held-out set " + c.key() + " drifted: regenerate with HeldOutSet.main and bump VERSION");
    }

    @ParameterizedTest
    @EnumSource(Category.class)
    void loadedSetsAreHeldOutAndConsistent(Category c) {
        List<WorldExample> set = HeldOutSet.load(c);
        assertEquals(HeldOutSet.SIZE, set.size());
        assertEquals(HeldOutSet.generate(c), set, "JSON round trip");
        Set<String> captions = new HashSet<>();
        for (WorldExample e : set) {
            assertEquals(c, e.category());
            assertTrue(e.prompt().isHeldOut(), e.caption());
            SceneSamplerTest.checkExample(e);
            captions.add(e.caption());
        }
        assertEquals(HeldOutSet.SIZE, captions.size());
    }

    @Test
    void compBenchSetHasSixCategories() {
        assertEquals(6 * HeldOutSet.SIZE, HeldOutSet.loadCompBench().size());
    }
}

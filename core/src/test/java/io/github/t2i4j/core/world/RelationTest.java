package io.github.t2i4j.core.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RelationTest {

    @Test
    void spatialDefinitions() {
        Placement a = new Placement(0.2, 0.5, 0.22);
        Placement right = new Placement(0.6, 0.6, 0.22);
        assertTrue(Relation.LEFT_OF.holds(a, right));
        assertTrue(Relation.RIGHT_OF.holds(right, a));
        assertFalse(Relation.ABOVE.holds(a, right));
        assertFalse(Relation.BELOW.holds(a, right));
        // too close horizontally
        assertFalse(Relation.LEFT_OF.holds(a, new Placement(0.26, 0.5, 0.22)));
        // vertical offset dominates: above/below, not left/right
        Placement low = new Placement(0.3, 0.9, 0.22);
        assertFalse(Relation.LEFT_OF.holds(a, low));
        assertTrue(Relation.ABOVE.holds(a, low));
        assertTrue(Relation.BELOW.holds(low, a));
    }

    @Test
    void sizeDefinitions() {
        Placement big = new Placement(0.2, 0.2, Size.LARGE.extent());
        Placement small = new Placement(0.7, 0.7, Size.SMALL.extent());
        assertTrue(Relation.BIGGER_THAN.holds(big, small));
        assertTrue(Relation.SMALLER_THAN.holds(small, big));
        assertFalse(Relation.SAME_SIZE_AS.holds(small, big));
        assertTrue(Relation.SAME_SIZE_AS.holds(small, new Placement(0.1, 0.1, Size.SMALL.extent() * 1.1)));
        assertFalse(Relation.BIGGER_THAN.holds(small, small));
    }

    @Test
    void inverseAgreesAndClearImpliesHolds() {
        SplittableRandom rng = new SplittableRandom(5);
        int clear = 0;
        for (int i = 0; i < 20_000; i++) {
            Placement a = new Placement(rng.nextDouble(), rng.nextDouble(), 0.1 + 0.3 * rng.nextDouble());
            Placement b = new Placement(rng.nextDouble(), rng.nextDouble(), 0.1 + 0.3 * rng.nextDouble());
            int spatialHolding = 0;
            for (Relation r : Relation.values()) {
                assertEquals(r.holds(a, b), r.inverse().holds(b, a), r + " vs inverse");
                assertEquals(r, r.inverse().inverse());
                if (r.holdsClearly(a, b)) {
                    clear++;
                    assertTrue(r.holds(a, b), r + " clear but not holding");
                }
                if (r.isSpatial() && r.holds(a, b)) {
                    spatialHolding++;
                }
                int sizes = 0;
                for (Relation s : new Relation[] {Relation.BIGGER_THAN, Relation.SMALLER_THAN, Relation.SAME_SIZE_AS}) {
                    sizes += s.holds(a, b) ? 1 : 0;
                }
                assertEquals(1, sizes, "exactly one size relation holds");
            }
            assertTrue(spatialHolding <= 1, "at most one spatial relation holds");
        }
        assertTrue(clear > 1000);
    }

    @Test
    void placementFromPixels() {
        Placement p = Placement.ofPixels(10, 20, 34, 34, 64, 64);
        assertEquals(22.0 / 64, p.x(), 1e-12);
        assertEquals(27.0 / 64, p.y(), 1e-12);
        assertEquals(24.0 / 64, p.extent(), 1e-12);
    }
}

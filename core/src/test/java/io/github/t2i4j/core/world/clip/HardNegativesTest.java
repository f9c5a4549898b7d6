package io.github.t2i4j.core.world.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.CompositionPrompt;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.ObjectSpec;
import io.github.t2i4j.core.world.WorldExample;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HardNegativesTest {

    @Test
    void everyNegativeContradictsItsRenderByOneAttributeOfOneObject() {
        SplittableRandom rng = new SplittableRandom(1);
        for (Category c : List.of(Category.SINGLE, Category.TEXTURE, Category.SPATIAL, Category.COMPLEX)) {
            for (WorldExample e : HeldOutSet.load(c).subList(0, 50)) {
                for (HardNegatives.Kind kind : HardNegatives.Kind.values()) {
                    CompositionPrompt neg = HardNegatives.prompt(e, kind, rng);
                    if (kind == HardNegatives.Kind.SWAP_COLOURS) {
                        if (e.prompt().objects().size() == 1) {
                            assertNull(neg, "one object has no colour to swap with");
                        }
                        if (neg == null) {
                            continue;
                        }
                    }
                    assertNotNull(neg, kind + " for " + e.caption());
                    assertFalse(neg.isSatisfiedBy(e.scene()), kind + " negative of '" + e.caption() + "' fits its render");
                    assertEquals(e.prompt().relations(), neg.relations());
                    List<ObjectSpec> before = e.prompt().objects();
                    List<ObjectSpec> after = neg.objects();
                    int changed = 0;
                    for (int i = 0; i < before.size(); i++) {
                        ObjectSpec a = before.get(i);
                        ObjectSpec b = after.get(i);
                        if (a.equals(b)) {
                            continue;
                        }
                        changed++;
                        // only the kind's attribute moves
                        assertEquals(kind == HardNegatives.Kind.SHAPE ? b.shape() : a.shape(), b.shape());
                        boolean colourKind = kind == HardNegatives.Kind.COLOUR || kind == HardNegatives.Kind.SWAP_COLOURS;
                        assertTrue(colourKind || Objects.equals(a.colour(), b.colour()), kind + ": " + a + " -> " + b);
                        assertTrue(kind == HardNegatives.Kind.TEXTURE || Objects.equals(a.texture(), b.texture()));
                        assertTrue(kind == HardNegatives.Kind.SIZE || Objects.equals(a.size(), b.size()));
                    }
                    assertEquals(kind == HardNegatives.Kind.SWAP_COLOURS ? 2 : 1, changed, kind + " of " + e.caption());
                    assertNotNull(HardNegatives.caption(e, kind, new SplittableRandom(2)));
                }
            }
        }
    }

    @Test
    void sameSeedSameNegatives() {
        WorldExample e = HeldOutSet.load(Category.COLOR).get(3);
        assertEquals(HardNegatives.caption(e, new SplittableRandom(7)), HardNegatives.caption(e, new SplittableRandom(7)));
    }
}

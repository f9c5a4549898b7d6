package io.github.t2i4j.core.world;

import java.util.Objects;

/**
 * A relation a caption states between two of its objects: "objects[subject] relation objects[object]"
 * (indices into {@link CompositionPrompt#objects()}).
 */
public record RelationSpec(int subject, Relation relation, int object) {

    public RelationSpec {
        Objects.requireNonNull(relation, "relation");
        if (subject < 0 || object < 0 || subject == object) {
            throw new IllegalArgumentException("bad relation indices " + subject + ", " + object);
        }
    }

    /** The same statement the other way round: "B inverse A". */
    public RelationSpec inverted() {
        return new RelationSpec(object, relation.inverse(), subject);
    }
}

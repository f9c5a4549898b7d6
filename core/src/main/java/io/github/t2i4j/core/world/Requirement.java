package io.github.t2i4j.core.world;

import java.util.List;

/**
 * One thing a prompt asks for; T2I-CompBench-style scores are the fraction of requirements met.
 * A prompt has one {@link HasObject} per noun phrase (an object with that shape and all the specified
 * attributes exists) and one {@link Holds} per stated relation.
 */
public sealed interface Requirement permits Requirement.HasObject, Requirement.Holds {

    /** Readable form, e.g. "a red circle" or "circle left_of square". */
    String describe(List<ObjectSpec> objects);

    /** An object matching {@code spec} (the prompt's object number {@code index}) is present. */
    record HasObject(int index, ObjectSpec spec) implements Requirement {
        @Override
        public String describe(List<ObjectSpec> objects) {
            return "a " + spec.describe();
        }
    }

    /** The stated relation holds between the objects assigned to its subject and object. */
    record Holds(RelationSpec relation) implements Requirement {
        @Override
        public String describe(List<ObjectSpec> objects) {
            return objects.get(relation.subject()).describe()
                    + " "
                    + relation.relation().key()
                    + " "
                    + objects.get(relation.object()).describe();
        }
    }
}

/**
 * The bundled procedural compositional world: a small vocabulary ({@link io.github.t2i4j.core.world.Shape},
 * {@link io.github.t2i4j.core.world.Colour}, {@link io.github.t2i4j.core.world.Texture},
 * {@link io.github.t2i4j.core.world.Size}, {@link io.github.t2i4j.core.world.Background}), scenes of 1 to 3
 * objects ({@link io.github.t2i4j.core.world.Scene}), relations with exact geometric definitions
 * ({@link io.github.t2i4j.core.world.Relation}), the structured meaning of captions
 * ({@link io.github.t2i4j.core.world.CompositionPrompt}) in T2I-CompBench's categories, a renderer, a
 * caption grammar, training / held-out splits, fixed held-out evaluation sets and a training stream.
 */
package io.github.t2i4j.core.world;

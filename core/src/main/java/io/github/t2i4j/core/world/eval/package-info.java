/**
 * The simulated annotator of the bundled world: {@link io.github.t2i4j.core.world.eval.CompositionEvaluator}
 * judges an RGB image against a {@link io.github.t2i4j.core.world.CompositionPrompt} from pixels alone
 * (background estimate, colour segmentation, connected components, shape / colour / texture / size
 * classification, relations checked with the world's own {@link io.github.t2i4j.core.world.Relation}
 * geometry) and returns T2I-CompBench-style scores; {@link io.github.t2i4j.core.world.eval.EvaluationSummary}
 * aggregates them per category; {@link io.github.t2i4j.core.world.eval.ImageDegradations} holds the
 * degradations the evaluator is proven robust to.
 */
package io.github.t2i4j.core.world.eval;

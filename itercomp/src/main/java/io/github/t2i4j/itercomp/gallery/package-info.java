/**
 * Members of IterComp's model gallery beyond the plain text-to-image pipelines: the layout-based
 * one (InstanceDiffusion in the paper; here GLIGEN under diffusers' names: {@link
 * io.github.t2i4j.itercomp.gallery.GligenUNet}, trained by {@link
 * io.github.t2i4j.itercomp.gallery.LayoutTraining}, sampled by {@link
 * io.github.t2i4j.itercomp.gallery.LayoutGenerator}) and the planned one (RPG in the paper; {@link
 * io.github.t2i4j.itercomp.gallery.PlannedGenerator}, regional prompting on the base model). Both
 * plan with a {@link io.github.t2i4j.itercomp.gallery.LayoutPlanner}; for the world, the {@link
 * io.github.t2i4j.itercomp.gallery.GrammarPlanner} parses the caption grammar where RPG and LMD
 * ask an LLM.
 */
package io.github.t2i4j.itercomp.gallery;

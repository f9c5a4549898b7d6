/** IterComp: composition-aware reward models and iterative multi-reward feedback learning (arXiv 2410.07171). Planned: see the project issues. */
package io.github.t2i4j.itercomp;

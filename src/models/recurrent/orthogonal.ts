/**
 * tfjs's orthogonal initializer (the default for recurrent kernels), without its console warning "Orthogonal
 * initializer is being called on a matrix with more than 2000 elements: Slowness may result". Every recurrent layer
 * of a useful size triggers it (a 128-unit LSTM's recurrent kernel has 65,536 values), and in a notebook it lands in
 * red on stderr, where learners read it as an error. The QR decomposition runs once, when the layer is built.
 *
 * Porting note: the threshold is an instance field of tfjs-layers' `Orthogonal` (`ELEMENTS_WARN_SLOW`); the class,
 * its algorithm and its serialized name stay tfjs's own.
 */
import * as tf from '@tensorflow/tfjs';

function silence(init: unknown): void {
  if (init && typeof init === 'object' && 'ELEMENTS_WARN_SLOW' in init) {
    (init as { ELEMENTS_WARN_SLOW: number }).ELEMENTS_WARN_SLOW = Number.POSITIVE_INFINITY;
  }
}

export function orthogonalInitializer(seed?: number): ReturnType<typeof tf.initializers.orthogonal> {
  const init = tf.initializers.orthogonal({ seed });
  silence(init);
  return init;
}

/**
 * Silences the orthogonal initializers of a recurrent layer that tfjs re-created from a config, before it is built:
 * `Bidirectional` deserializes its backward (and forward) layer from the wrapped layer's config, which brings back
 * tfjs's default warning threshold.
 */
export function silenceOrthogonalWarnings(layer: tf.layers.Layer): tf.layers.Layer {
  const l = layer as unknown as {
    cell?: { recurrentInitializer?: unknown };
    forwardLayer?: tf.layers.Layer;
    backwardLayer?: tf.layers.Layer;
  };
  silence(l.cell?.recurrentInitializer);
  if (l.forwardLayer) silenceOrthogonalWarnings(l.forwardLayer);
  if (l.backwardLayer) silenceOrthogonalWarnings(l.backwardLayer);
  return layer;
}

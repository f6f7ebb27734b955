"""The kernel: configuration, the clock, errors, keys and signing, rendering, text folding and
actors. It imports no feature and no web framework; everything else may import it."""

// How the answer's uncertainty is drawn: magenta, more opaque where the model is less sure. The overlay
// and its legend share these, so the legend's ramp is the overlay's.
export const DOUBT_COLOR: readonly [number, number, number] = [255, 0, 255];
/** The opacity of the least sure pixel (doubt 255). */
export const DOUBT_OPACITY = 0.7;

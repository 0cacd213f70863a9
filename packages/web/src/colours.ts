/** The wire contract's colour per emotion (boxes, labels, chart lines), as the annotator draws them too. */
export { EMOTION_COLOURS as COLOURS } from '@emotion/core/wire';

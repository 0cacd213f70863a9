import type { EmotionLabel } from '@emotion/core';

/** The classifier's seven labels in a fixed order, for columns. */
export const LABELS_IN_ORDER: EmotionLabel[] = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'];

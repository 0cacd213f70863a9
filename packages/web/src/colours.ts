/** One colour per emotion: boxes, labels and chart lines (the CLI's annotate uses the same). */
export const COLOURS: Record<string, string> = {
  happy: '#f5b700',
  sad: '#3d7dd8',
  angry: '#e0413a',
  disgust: '#5aa02c',
  fear: '#9b59b6',
  surprise: '#ff7f2a',
  neutral: '#cfd8dc',
};

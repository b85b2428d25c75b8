/**
 * Chart redraws, one per animation frame. A step updates every chart at once; drawing them all
 * in one frame made one long main-thread task (and one large compositor commit), so each frame
 * draws the next chart in line.
 */
const queue: (() => void)[] = [];
let waiting = false;

function next(): void {
  waiting = false;
  queue.shift()?.();
  if (queue.length) nextFrame();
}

function nextFrame(): void {
  waiting = true;
  requestAnimationFrame(next);
}

/** Queues a draw unless it is already waiting; returns a function that takes it out again. */
export function scheduleDraw(draw: () => void): () => void {
  if (!queue.includes(draw)) queue.push(draw);
  if (!waiting) nextFrame();
  return () => {
    const at = queue.indexOf(draw);
    if (at >= 0) queue.splice(at, 1);
  };
}

/**
 * The run file's extension, apart from run-file.ts: the page's main thread needs the name, and
 * run-file.ts imports the checkpoint codec and so tfjs, which belongs in the workers only.
 */
export const RUN_FILE_EXTENSION = '.tzrun';

/**
 * What the page says when a file could not be imported, from the reader's reason. Only a file
 * named otherwise is told that run files end in .tzrun: a .tzrun file that fails is damaged, or
 * not a run file at all, and the reason says which.
 */
export function importErrorText(fileName: string, reason: string): string {
  const hint = fileName.toLowerCase().endsWith(RUN_FILE_EXTENSION) ? '' : ` Exported runs are files ending in ${RUN_FILE_EXTENSION}.`;
  return `Could not import ${fileName}: ${reason}.${hint} Your saved runs are unchanged.`;
}

/**
 * The run file's extension, apart from run-file.ts: the page's main thread needs the name, and
 * run-file.ts imports the checkpoint codec and so tfjs, which belongs in the workers only.
 */
export const RUN_FILE_EXTENSION = '.tzrun';
